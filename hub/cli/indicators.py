"""`hub indicators`: figures per school and month for the gemeente and the SWV, no children."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from rich.table import Table

    from hub.views.indicators import Cell, Report

out = Console(soft_wrap=False, width=140)

#: hub.views.indicators.MIN_CELL, without importing the contract models for `--help`.
MIN_CELL = 5


def indicators(
    min_cell: Annotated[
        int, typer.Option("--min-cell", min=2, help="Smallest count shown; smaller is hidden.")
    ] = MIN_CELL,
    peildatum: Annotated[
        str | None, typer.Option(help="As-of date (YYYY-MM-DD) for open cases; default today.")
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish", help="Also write the cells to the indicators topic.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Count signals, matches, cases and thuiszitters per school and month, without children."""
    from hub.bus import client

    settings = get_settings()
    day = _peildatum(peildatum)
    bootstrap = client.bootstrap_servers(settings)
    with Console(stderr=True).status("counting the contract and casus topics …"):
        report = asyncio.run(_compute(bootstrap, settings.topic_prefix, day, min_cell, publish))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    out.print(table(report))


def _peildatum(text: str | None) -> dt.date:
    """The as-of date given, or today in Amsterdam; a bad date ends the command in one line."""
    from hub.events.days import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        typer.echo(f"hub: --peildatum {text!r} is not a date (YYYY-MM-DD): {exc}", err=True)
        raise typer.Exit(2) from None


def shown(cell: Cell, min_cell: int) -> str:
    """What a cell shows: its count, `<min_cell` when too small, `onderdrukt` when hidden
    only to protect another cell (its count may be any size)."""
    from hub.views.indicators import Onderdrukking

    if not cell.onderdrukt:
        return str(cell.aantal)
    return "onderdrukt" if cell.onderdrukt_reden is Onderdrukking.AANVULLEND else f"<{min_cell}"


def table(report: Report) -> Table:
    """The cells as a table; hidden cells show `<min_cell` or `onderdrukt`."""
    from rich.table import Table

    result = Table(
        title=f"Indicatoren per school en maand — peildatum {report.peildatum.isoformat()}",
        caption=f"<{report.min_cell}: te klein om te tonen; onderdrukt: verborgen zodat het "
        "totaal geen kleine cel verraadt",
    )
    for name in ("indicator", "school", "periode", "aantal", "wachttijd (mediaan, dagen)"):
        result.add_column(name)
    for cell in report.cellen:
        result.add_row(
            cell.indicator.value,
            cell.brin,
            cell.periode,
            shown(cell, report.min_cell),
            "" if cell.wachttijd_mediaan_dagen is None else f"{cell.wachttijd_mediaan_dagen:g}",
        )
    return result


async def _compute(
    bootstrap: str, prefix: str, day: dt.date, min_cell: int, publish: bool
) -> Report:
    from hub.bus import client, cloudevents
    from hub.bus.scan import read_to_end
    from hub.events.errors import ContractError
    from hub.events.provenance import claim, forged_problem
    from hub.views.indicators import Tally
    from hub.views.runner import input_topics

    await client.ensure_reachable(bootstrap)
    tally = Tally()
    async for record in read_to_end(bootstrap, input_topics(prefix)):
        kind, partner = claim(list(record.headers or ()))
        if forged_problem(record.topic, kind, partner, prefix=prefix) is not None:
            continue  # a forged producer counts for nothing; the processors dead-letter it
        try:
            tally.add(cloudevents.decode_record(record))
        except ContractError:
            continue  # the processors dead-letter bad records; figures skip them
    report = tally.report(day, min_cell)
    if publish:
        from hub.events.topics import INDICATORS

        await _publish(bootstrap, prefix + INDICATORS, report)
    return report


async def _publish(bootstrap: str, topic: str, report: Report) -> None:
    from hub.bus import client
    from hub.events.topics import INDICATORS
    from hub.events.topics import topic as registry_topic

    spec = registry_topic(INDICATORS)
    await client.create_topics(bootstrap, [(topic, spec.partitions, spec.config())])
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        sent = [
            await producer.send(
                topic,
                cell.model_dump_json().encode(),
                key=f"{cell.indicator.value}|{cell.brin}|{cell.periode}".encode(),
            )
            for cell in report.cellen
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
