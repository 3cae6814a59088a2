"""`python -m bench [--smoke]`: measure the hub against raw Kafka on one broker in one run."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt

from rich.console import Console
from rich.table import Table

from bench import (
    ceiling,
    commands,
    flood,
    fullpath,
    ingest,
    micro,
    privacy_share,
    replay,
    replicas,
)
from bench.harness import Figure, Results, broker, machine
from hub.log import configure_logging

FULL = {
    "events": 100_000,
    "partitions": 12,
    "rate": 500,
    "latency_seconds": 20,
    "micro": 20_000,
    "csv_rows": 50_000,
    "children": 5_000,
    "replay": 1_000_000,
    "flood_bodies": 16,
    "flood_rows": 10_000,
    "flood_small": 400,
    "command_records": 100_000,
    "smoke": 0,
}
SMOKE = {
    "events": 500,
    "partitions": 3,
    "rate": 200,
    "latency_seconds": 1,
    "micro": 200,
    "csv_rows": 300,
    "children": 50,
    "replay": 2_000,
    "flood_bodies": 3,
    "flood_rows": 300,
    "flood_small": 40,
    "command_records": 500,
    "smoke": 1,
}

#: Every measurement, in the order they run; the ceiling first (the others relate to it).
MEASUREMENTS = {
    "micro": micro.measure,
    "privacy": privacy_share.measure,
    "ceiling": ceiling.measure,
    "ingest": ingest.measure,
    "fullpath": fullpath.measure,
    "replicas": replicas.measure,
    "replay": replay.measure,
    "flood": flood.measure,
    "commands": commands.measure,
}


def render(results: Results, console: Console) -> None:
    """Print the figures as a table: value, unit, ratio to its ceiling."""
    table = Table(title=f"hub benchmarks ({results.machine['cpus']} cores)")
    for column in ("figure", "value", "unit", "ratio", "vs", "note"):
        table.add_column(column)
    for fig in results.figures:
        table.add_row(
            fig.name,
            f"{fig.value:,.1f}",
            fig.unit,
            f"{fig.ratio:.2f}" if fig.ratio is not None else "",
            fig.ceiling or "",
            fig.note,
        )
    console.print(table)


async def run(smoke: bool, only: list[str], fast_start: bool = False) -> Results:
    """Run the chosen benchmarks on one broker and return the results."""
    results = Results(
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine=machine(),
        sizes=dict(SMOKE if smoke else FULL, fast_start=int(fast_start or smoke)),
    )
    chosen = only or list(MEASUREMENTS)
    with broker() as bootstrap:
        for name in chosen:
            try:
                await MEASUREMENTS[name](bootstrap, results)
            except Exception as exc:  # one broken measurement must not hide the others
                note = f"not measured: {type(exc).__name__}: {exc}"
                results.add(Figure(f"{name}.failed", 0.0, "", note=note[:160]))
    return results


def main() -> None:
    """Parse arguments, run, print and write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds: proves it runs")
    parser.add_argument(
        "--fast-start",
        action="store_true",
        help="processors with a 50 ms fetch wait and a 60 s session (see docs/bench.md)",
    )
    parser.add_argument(
        "--only", action="append", choices=list(MEASUREMENTS), default=[], help="run only NAME"
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    console = Console(width=200)
    results = asyncio.run(run(args.smoke, args.only, args.fast_start))
    render(results, console)
    stem = "smoke" if args.smoke else "fast-start" if args.fast_start else "latest"
    path = results.write(stem if not args.only else f"{stem}-{'-'.join(args.only)}")
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
