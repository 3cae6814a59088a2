"""`hub inzage`: the report for a parent of what was shared about their child, from the audit."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.views.audit import AuditRecord
    from hub.views.raadpleging import Raadpleging
    from hub.views.state import ChildViews


def inzage(
    soort: Annotated[str, typer.Option(help="Kind of identifier: bsn or onderwijsnummer.")] = "bsn",
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the number from stdin instead of a prompt.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
) -> None:
    """Report for a parent which partners received what about their child, and any bezwaar.

    The number is asked for (never an argument, so it stays out of shell history and the
    process list), turned into pseudonyms with the local key ring and never sent anywhere.
    """
    from hub.bus import client
    from hub.events.days import today
    from hub.events.topics import AUDIT, VIEWS_STATE, physical_name
    from hub.privacy.identifiers import InvalidIdentifier, parse_identifier
    from hub.privacy.keyring import load_keyring
    from hub.views.inzage import bezwaar_of, child_hub_pseudonyms, child_subjects, for_child, render

    raw = sys.stdin.readline() if stdin else typer.prompt(soort, hide_input=True)
    try:
        identifier = parse_identifier(soort, raw.strip())
    except InvalidIdentifier as exc:
        typer.echo(f"hub: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = get_settings()
    ring = load_keyring(settings)
    subjects = child_subjects(identifier, ring)
    hubs = child_hub_pseudonyms(identifier, ring)
    bootstrap = client.bootstrap_servers(settings)
    records, lookups, states = asyncio.run(
        _read(
            bootstrap,
            physical_name(AUDIT, settings),
            {s.encode() for s in subjects},
            physical_name(VIEWS_STATE, settings),
            {h.encode() for h in hubs},
        )
    )
    report = render(
        for_child(records, subjects),
        today(),
        bezwaar=bezwaar_of(states),
        raadplegingen=[r for r in lookups if r.subject in subjects],
    )
    if output is None:
        typer.echo(report, nl=False)
    else:
        output.write_text(report, encoding="utf-8")
        typer.echo(f"inzage written to {output} ({len(records)} disclosures)", err=True)


async def _read(
    bootstrap: str, audit: str, subjects: set[bytes], state: str, hubs: set[bytes]
) -> tuple[list[AuditRecord], list[Raadpleging], list[ChildViews]]:
    """The child's audit records and loket lookups, and its projector state (newest per key)."""
    from hub.bus import client
    from hub.bus.scan import read_to_end
    from hub.views import raadpleging
    from hub.views.state import ChildViews
    from hub.views.wire import decode_audit

    await client.ensure_reachable(bootstrap)
    # Keys are compared before decoding: other children's records are never even parsed.
    records: list[AuditRecord] = []
    lookups: list[Raadpleging] = []
    async for r in read_to_end(bootstrap, [audit]):
        if r.key not in subjects:
            continue
        if raadpleging.is_raadpleging(tuple(r.headers or ())):
            lookups.append(raadpleging.decode(r.value))
        else:
            records.append(decode_audit(r.value))
    latest: dict[bytes, bytes | None] = {}
    async for r in read_to_end(bootstrap, [state]):
        if r.key in hubs:
            latest[r.key] = r.value  # a tombstone (None) means erased: no state
    states = [ChildViews.model_validate_json(v) for v in latest.values() if v is not None]
    return records, lookups, states
