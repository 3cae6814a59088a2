"""`hub kafka up | down | status`: the local single-node broker."""

from __future__ import annotations

import typer
from rich.console import Console

from hub.bus.launcher import INSECURE_WARNING, LocalKafka
from hub.settings import get_settings

app = typer.Typer(
    help="Run the local Apache Kafka broker (KRaft, no Docker).", no_args_is_help=True
)
console = Console(stderr=True)


def _local() -> LocalKafka:
    return LocalKafka.from_settings(get_settings())


@app.command()
def up(
    timeout: float = typer.Option(90.0, help="Seconds to wait for the broker to answer."),
) -> None:
    """Start the broker unless it runs; wait until it answers metadata requests."""
    local = _local()
    before = local.status()
    status = local.up(timeout=timeout)
    verb = "already running" if before.running else "started"
    console.print(f"kafka {verb}: {status.bootstrap} (pid {status.pid}, {local.directory})")
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
