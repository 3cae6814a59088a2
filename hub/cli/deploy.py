"""`hub deploy strimzi | compose-secrets`: what people who run infrastructure deploy."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

app = typer.Typer(
    help="Deployment: Kubernetes manifests (Strimzi) and the secured docker compose variant.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

#: deploy/strimzi of the checkout (hub.settings.PROJECT_ROOT, without importing the settings).
STRIMZI_DIR = Path(__file__).resolve().parents[2] / "deploy" / "strimzi"
OutOption = typer.Option(STRIMZI_DIR, "--out", help="Directory of the generated manifests.")
DirOption = typer.Option(None, "--dir", help="Where tls/ and users/ go (default: key_dir/kafka).")


def strimzi_files(cluster: str = "hub", prefix: str = "") -> dict[str, str]:
    """File name -> content of the generated manifests (Kafka, topics, users, the hub)."""
    from hub.ops import strimzi

    return strimzi.manifests(cluster=cluster, prefix=prefix)


@app.command("strimzi")
def strimzi_command(
    out: Path = OutOption,
    cluster: str = typer.Option("hub", help="The Strimzi Kafka resource's name."),
    prefix: str = typer.Option("", help="Topic prefix of the region (HUB_TOPIC_PREFIX)."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when the files differ."),
) -> None:
    """Write the Kafka cluster, KafkaTopic, KafkaUser (SCRAM + ACLs) and hub manifests."""
    files = strimzi_files(cluster, prefix)
    drift = []
    for name, text in files.items():
        path = out / name
        if check:
            if not path.exists() or path.read_text() != text:
                drift.append(name)
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        console.print(f"wrote {path}")
    if drift:
        console.print(f"hub: {', '.join(drift)} differ from the registry: run `hub deploy strimzi`")
        raise typer.Exit(1)
    if check:
        console.print(f"deploy strimzi: {len(files)} manifests in {out} match the registry")


@app.command("compose-secrets")
def compose_secrets(directory: Path | None = DirOption) -> None:
    """Make what deploy/docker-compose.secure.yml mounts: a dev CA, the broker certificate and a
    SCRAM password per user (existing files are kept)."""
    from hub.bus.security import PasswordStore, all_users, secrets_dir
    from hub.ops import certs

    base = directory or secrets_dir(get_settings())
    files = certs.init(base / "tls")
    store = PasswordStore(base / "users")
    for user in all_users():
        store.ensure(user)
    console.print(f"certificates in {files.directory}, SCRAM passwords in {store.directory}")
    console.print("files are 0600: run the containers as their owner (HUB_UID=$(id -u))")
