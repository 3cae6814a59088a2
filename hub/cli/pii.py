"""`hub pii scan`: look for personal data on every topic (or in a file of records)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.bus.scan import ScanReport
    from hub.privacy.leakscan import RecordFinding

app = typer.Typer(help="Find personal data where it must never be.", no_args_is_help=True)


@app.command()
def scan(
    file: Annotated[
        Path | None,
        typer.Option(help="Scan JSON lines of records instead of the cluster ('-' = stdin)."),
    ] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Only these topics (repeatable).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds the cluster scan may take.")] = 600.0,
) -> None:
    """Report each record with a BSN, PII key, postcode+huisnummer or birth date; exit 1 if any."""
    from hub.privacy.leakscan import scan_json_lines

    findings: list[RecordFinding]
    if file is not None:
        if str(file) == "-":
            findings = list(scan_json_lines(sys.stdin, "stdin"))
        else:
            with file.open(encoding="utf-8", errors="replace") as lines:
                findings = list(scan_json_lines(lines, file.name))
        summary = f"scanned {file}"
    else:
        from hub.bus import client

        bootstrap = client.bootstrap_servers(get_settings())
        with Console(stderr=True).status("reading every topic from its beginning …"):
            report = asyncio.run(_scan_cluster(bootstrap, topic or None, timeout))
        findings = report.findings
        summary = f"scanned {report.records} records on {len(report.topics)} topics"
    for finding in findings:
        typer.echo(finding.line())
    typer.echo(f"{summary}: {len(findings)} finding(s)", err=True)
    if findings:
        raise typer.Exit(1)


async def _scan_cluster(bootstrap: str, topics: list[str] | None, timeout: float) -> ScanReport:
    from hub.bus import client
    from hub.bus.scan import scan_topics

    await client.ensure_reachable(bootstrap)
    return await scan_topics(bootstrap, topics, timeout=timeout)
