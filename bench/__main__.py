"""`python -m bench [--smoke]`: measure the hub against raw Kafka on one broker in one run."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt

from rich.console import Console
from rich.table import Table

from bench import ceiling
from bench.harness import Results, broker, machine
from hub.log import configure_logging

FULL = {"events": 100_000, "partitions": 12, "rate": 500, "latency_seconds": 20}
SMOKE = {"events": 500, "partitions": 3, "rate": 200, "latency_seconds": 1}


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


async def run(smoke: bool) -> Results:
    """Run every benchmark on one broker and return the results."""
    results = Results(
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine=machine(),
        sizes=dict(SMOKE if smoke else FULL),
    )
    with broker() as bootstrap:
        await ceiling.measure(bootstrap, results)
    return results


def main() -> None:
    """Parse arguments, run, print and write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds: proves it runs")
    args = parser.parse_args()
    configure_logging("console", "warning")
    console = Console()
    results = asyncio.run(run(args.smoke))
    render(results, console)
    path = results.write("smoke" if args.smoke else "latest")
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
