"""`hub run`: the hub service (ingest, casus, views, HTTP) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.runtime import HubOptions

console = Console(stderr=True)


async def _serve(options: HubOptions) -> None:
    from hub.runtime import Hub

    settings = get_settings()
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    async with Hub(settings, options) as hub:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)
        where = f"; HTTP {hub.url} (loket: {hub.url}/loket)" if hub.url else ""
        console.print(f"hub running on {hub.bootstrap}{where}")
        await stopped.wait()


def run(
    policy: Annotated[
        Path | None, typer.Option(help="Sharing policy YAML (default: the shipped one).")
    ] = None,
    tick_interval: Annotated[
        float, typer.Option(help="Seconds between thuiszitter clock checks.")
    ] = 5.0,
    http: Annotated[
        bool, typer.Option("--http/--no-http", help="Serve ingest, loket and metrics.")
    ] = True,
) -> None:
    """Run the hub: HTTP ingest, the casus processor and the views projector, in one process."""
    from hub.runtime import HubOptions
    from hub.web.tokens import LiveTokens, tokens_dir

    settings = get_settings()
    options = HubOptions(
        http=http,
        # Re-read on change: tokens issued or revoked take effect without a restart.
        tokens=LiveTokens(tokens_dir(settings)),
        policy=policy,
        tick_interval=tick_interval,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(options))
