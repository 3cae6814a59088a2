"""`hub demo`: the main job, end to end on a real local broker."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

console = Console()


def demo(
    serve: bool = typer.Option(
        False, "--serve", help="Keep the hub and its loket page running until Ctrl-C."
    ),
    keep_broker: bool = typer.Option(
        True, "--keep-broker/--stop-broker", help="Leave the local broker running afterwards."
    ),
) -> None:
    """Local Kafka, the hub, sample partners posting over HTTP, the loket and the views."""
    from hub.demo import run_demo
    from hub.ops.launcher import INSECURE_WARNING, LocalKafka

    settings = get_settings()
    from hub.log import configure_logging

    if settings.log_level == "info":
        # The demo tells its own story; routine info lines of every part would drown it.
        configure_logging(settings.log_format, "warning")
    local = None
    if settings.kafka_bootstrap_servers is None:
        local = LocalKafka.from_settings(settings)
        status = local.up()
        console.print(f"[bold]kafka[/] answering at {status.bootstrap}")
        console.print(f"[yellow]{INSECURE_WARNING}[/]")
    try:
        result = asyncio.run(run_demo(settings, console, serve=serve))
    finally:
        if local is not None and not keep_broker:
            local.down()
    if not result.ok:
        console.print("[red]the demo did not show everything it should; see above[/]")
        raise typer.Exit(1)
    console.print("[bold green]demo complete[/]: `hub demo --serve` keeps the loket page open")
