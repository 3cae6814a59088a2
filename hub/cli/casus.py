"""`hub casus run | show`: the casus processor against the configured broker, and the loket."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

app = typer.Typer(help="The casus processor: one case per child.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

#: The casus processor's consumer group without the region prefix (hub.casus.runner.APP_ID).
DEFAULT_GROUP = "hub-casus"


async def _run(group: str, tick_interval: float) -> None:
    from hub.bus import client
    from hub.casus.runner import CasusRunner, ensure_topics
    from hub.casus.topics import CasusTopics
    from hub.process import settle_heap

    settings = get_settings()
    bootstrap = client.bootstrap_servers(settings)
    await client.ensure_reachable(bootstrap)
    topics = CasusTopics.with_prefix(settings.topic_prefix)
    await ensure_topics(bootstrap, topics)
    # The region's prefix goes in front, as in `hub run`: two regions on one cluster are two
    # groups (and two transactional-id ranges), never one group that splits their work.
    app_id = settings.topic_prefix + group
    runner = CasusRunner(
        bootstrap,
        topics,
        app_id=app_id,
        tick_interval=tick_interval,
        # A short fetch wait: the runtime's offset resets wait for the fetch in flight.
        consumer_options={
            "heartbeat_interval_ms": 1000,
            "session_timeout_ms": 10_000,
            "fetch_max_wait_ms": 100,
        },
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await runner.start()
    settle_heap()  # the restored state is long-lived
    print(f"casus: group {app_id}", flush=True)
    print(f"casus: ready, tasks {sorted(runner.processor.tasks)}", flush=True)
    try:
        await stopped.wait()
    finally:
        await runner.stop()
        print(f"casus: stopped, {runner.processor.stats.processed} records processed", flush=True)


@app.command("run")
def run(
    group: str = typer.Option(
        DEFAULT_GROUP,
        help="Consumer group (and transactional id prefix), after HUB_TOPIC_PREFIX.",
    ),
    tick_interval: float = typer.Option(5.0, help="Seconds between clock checks."),
) -> None:
    """Run the casus processor until SIGTERM or Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(group, tick_interval))


@app.command("show")
def show(
    kind: str | None = typer.Option(
        None, "--kind", help="Only the case of this child pseudonym (or its first characters)."
    ),
    partner: str | None = typer.Option(
        None, help="Only cases this partner is involved in (leerplicht, jgz, buurtteam, swv)."
    ),
    limit: int = typer.Option(100, min=1, help="Show at most this many cases (oldest first)."),
) -> None:
    """Read the casus state topic and print the loket, filtered by child or partner."""
    from hub.bus import client
    from hub.casus.loket import load_raw_states, oldest_cases, render_loket, state_filter
    from hub.casus.topics import CasusTopics

    settings = get_settings()
    bootstrap = client.bootstrap_servers(settings)
    topics = CasusTopics.with_prefix(settings.topic_prefix)

    async def read() -> dict[bytes, bytes]:
        await client.ensure_reachable(bootstrap)
        return await load_raw_states(bootstrap, topics.state, state_filter(kind, partner))

    with err.status("reading the casus state topic …"):
        states, rest = oldest_cases(asyncio.run(read()), limit, partner)
    console.print(render_loket(states, width=console.width))
    if rest:
        err.print(f"up to {rest} more cases: narrow with --kind or --partner, or raise --limit")
