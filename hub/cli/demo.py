"""`hub demo`: the main job, end to end on a real local broker."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from hub.bus.launcher import INSECURE_WARNING, LocalKafka
from hub.demo import SAMPLE_SCHOOL_EXPORT, run_demo
from hub.settings import get_settings

console = Console()


def demo(
    keep_running: bool = typer.Option(
        True, "--keep-broker/--stop-broker", help="Leave the local broker running afterwards."
    ),
) -> None:
    """Start the local broker, send sample partner records through it, show what arrives."""
    settings = get_settings()
    local = None
    if settings.kafka_bootstrap_servers is None:
        local = LocalKafka.from_settings(settings)
        status = local.up()
        console.print(f"[bold]kafka[/] answering at {status.bootstrap}")
        console.print(f"[yellow]{INSECURE_WARNING}[/]")
    seen = asyncio.run(run_demo(settings, console.print))
    console.print(
        f"[bold green]{seen} of {len(SAMPLE_SCHOOL_EXPORT)} events came back through Kafka[/]"
    )
    if local is not None and not keep_running:
        local.down()
    if seen != len(SAMPLE_SCHOOL_EXPORT):
        raise typer.Exit(1)
