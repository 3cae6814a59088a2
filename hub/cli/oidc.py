"""`hub oidc up | down | status`: the local OpenID Connect provider the loket signs in with."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from hub.ops.oidc import LocalOidc

app = typer.Typer(
    help="Run the local OpenID Connect provider for the loket (Node.js, no Docker).",
    no_args_is_help=True,
)
console = Console(stderr=True)


def _local() -> LocalOidc:
    from hub.ops.oidc import LocalOidc
    from hub.settings import get_settings
    from hub.web.loket_settings import LoketSettings

    return LocalOidc.from_settings(get_settings(), LoketSettings())


@app.command()
def up(timeout: float = typer.Option(30.0, help="Seconds to wait for the provider.")) -> None:
    """Start the provider unless it runs (installs its npm packages from the lock file once)."""
    from hub.ops.oidc import OidcError

    local = _local()
    before = local.status()
    try:
        status = local.up(timeout=timeout)
    except OidcError as exc:
        console.print(f"hub: {exc}")
        raise typer.Exit(1) from None
    verb = "already running" if before.running else "started"
    console.print(f"oidc {verb}: {status.issuer} (pid {status.pid}, {local.directory})")
    console.print("[yellow]demo users of deploy/local-oidc/demo-users.json: development only[/]")
    typer.echo(status.issuer)


@app.command()
def down() -> None:
    """Stop the provider."""
    console.print("oidc stopped" if _local().down() else "oidc was not running")


@app.command()
def status() -> None:
    """Tell whether the provider runs and answers; exit 1 when it does not."""
    state = _local().status()
    console.print(f"oidc: {state.detail}" + (f" at {state.issuer}" if state.running else ""))
    if not state.answering:
        raise typer.Exit(1)
