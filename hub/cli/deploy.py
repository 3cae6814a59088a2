"""`hub deploy strimzi | compose-secrets`: what people who run infrastructure deploy."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from hub.bus.security import PasswordStore, secrets_dir
from hub.cli import acl
from hub.ops import certs
from hub.settings import get_settings

app = typer.Typer(
    help="Deployment: Kubernetes manifests (Strimzi) and the secured docker compose variant.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

DirOption = typer.Option(None, "--dir", help="Where tls/ and users/ go (default: key_dir/kafka).")

# One generator, two names: `hub acl strimzi` came first and stays.
app.command("strimzi")(acl.strimzi_command)


@app.command("compose-secrets")
def compose_secrets(directory: Path | None = DirOption) -> None:
    """Make what deploy/docker-compose.secure.yml mounts: a dev CA, the broker certificate and a
    SCRAM password per user (existing files are kept)."""
    base = directory or secrets_dir(get_settings())
    files = certs.init(base / "tls")
    store = PasswordStore(base / "users")
    from hub.ops.acl import bus_users

    for user in bus_users(prefix=get_settings().topic_prefix):
        store.ensure(user)
    console.print(f"certificates in {files.directory}, SCRAM passwords in {store.directory}")
    console.print("files are 0600: run the containers as their owner (HUB_UID=$(id -u))")
