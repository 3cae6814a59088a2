"""`hub kafka up | down | status`: the local single-node broker."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.ops.launcher import LocalKafka

app = typer.Typer(
    help="Run the local Apache Kafka broker (KRaft, no Docker).", no_args_is_help=True
)
console = Console(stderr=True)


def _local(secure: bool = False) -> LocalKafka:
    from hub.ops.launcher import LocalKafka

    settings = get_settings()
    if secure:
        settings = settings.model_copy(update={"kafka_security_protocol": "SASL_SSL"})
    return LocalKafka.from_settings(settings)


@app.command()
def up(
    timeout: float = typer.Option(
        90.0,
        help="Seconds to wait for the broker to answer (longer while it recovers its logs).",
    ),
    secure: bool = typer.Option(
        False,
        "--secure",
        help="SASL/SCRAM over TLS with ACLs (same as HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL).",
    ),
) -> None:
    """Start the broker unless it runs; wait until it answers metadata requests."""
    from hub.ops.launcher import INSECURE_WARNING, SECURE_NOTE

    local = _local(secure)
    before = local.status()
    status = local.up(timeout=timeout, progress=lambda line: console.print(line, markup=False))
    verb = "already running" if before.running else "started"
    console.print(f"kafka {verb}: {status.bootstrap} (pid {status.pid}, {local.directory})")
    instance = local.instance()
    if instance is not None and instance.security == "SASL_SSL":
        console.print(f"[green]{SECURE_NOTE}[/]")
        console.print(
            "clients: HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL; passwords in "
            f"{local.passwords.directory}, CA {local.tls.ca_cert}; then `hub acl apply`"
        )
    else:
        console.print(f"[yellow]{INSECURE_WARNING}[/]")
    typer.echo(status.bootstrap)


@app.command()
def down() -> None:
    """Stop the broker cleanly."""
    stopped = _local().down()
    console.print("kafka stopped" if stopped else "kafka was not running")


@app.command()
def status() -> None:
    """Tell whether the broker runs and answers; exit 1 when it does not."""
    state = _local().status()
    console.print(
        f"kafka: {state.detail}"
        + (f" at {state.bootstrap} (pid {state.pid})" if state.running else "")
    )
    if not state.answering:
        raise typer.Exit(1)
