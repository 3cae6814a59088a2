"""Template for a new source: copy this file, rename, fill in the three marked places.

It is a complete, working adapter (it passes `hub adapters check hub.adapters.template`):
a buurtteam system that exports one JSON object per started hulptraject, in its own words:

    {"dossiernummer": "BT-2026-0042", "bsn": "123456782", "startdatum": "09-11-2026",
     "hulpvraag": "opvoeding", "client_naam": "...", "notities": "..."}

The adapter reads only what the contract needs, pseudonymises the BSN with the key ring
the hub passes in, and drops the rest (`client_naam`, `notities`) without ever logging it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from hub.adapters.jsonfeed import parse_json
from hub.adapters.kit import (
    Context,
    Mapped,
    RawRecord,
    RecordRejected,
    build_event,
    day_start,
    parse_date,
    pseudonym,
    record_ref,
    safe_name,
    text,
)
from hub.adapters.report import Rejection
from hub.events.buurtteam import HulptrajectGestart
from hub.events.vocab import Domein, Partner

# (1) Your source's words for the contract's values.
HULPVRAAG: dict[str, Domein] = {
    "opvoeding": Domein.OPVOEDEN,
    "opvoeden": Domein.OPVOEDEN,
    "gezin": Domein.GEZIN,
    "financien": Domein.GEZIN,
    "gezondheid": Domein.GEZONDHEID,
}
#: The fields this adapter reads; everything else is dropped and named in the report.
READ = frozenset({"dossiernummer", "bsn", "onderwijsnummer", "startdatum", "hulpvraag"})


class HulptrajectExport:
    """Started hulptrajecten from a buurtteam case system (the template's example source)."""

    # (2) Who you are and what you make.
    partner: ClassVar[Partner] = Partner.BUURTTEAM
    feed: ClassVar[str] = "hulptraject-export"
    system: ClassVar[str] = "casussysteem"
    description: ClassVar[str] = "Started hulptrajecten in the case system's own export format."
    model = HulptrajectGestart

    def examples(self) -> list[dict[str, Any]]:
        """At least one valid record with a made-up BSN: the conformance kit starts here."""
        return [
            {
                "dossiernummer": "BT-2026-0042",
                "bsn": "123456782",
                "startdatum": "09-11-2026",
                "hulpvraag": "opvoeding",
            }
        ]

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        """JSON object, array or lines (reuse the kit's parser unless your format differs)."""
        return parse_json(body, content_type)

    # (3) The mapping: validate, pseudonymise, map, drop.
    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        """One `hulptraject.gestart` per record."""
        ref = record_ref(record, "dossiernummer")  # your own id: the event id follows from it
        subject = pseudonym(record, ctx)  # the identity stops here
        raw_start = text(record, "startdatum")
        if raw_start is None:
            raise RecordRejected("missing_date", "startdatum: is required", "startdatum")
        start = parse_date(raw_start, "startdatum")
        domein = HULPVRAAG.get((text(record, "hulpvraag") or "").lower())
        if domein is None:
            raise RecordRejected(
                "invalid_hulpvraag",
                f"hulpvraag: expected one of {', '.join(sorted(HULPVRAAG))}",
                "hulpvraag",
            )
        event = build_event(
            self.model,
            {"datum": start, "domein": domein},
            partner=self.partner,
            system=self.system,
            ctx=ctx,
            organisation=None,
            source_record_id=ref,
            subject=subject,
            time=day_start(start),
        )
        ignored = tuple(safe_name(n) for n in record.fields if n not in READ)
        return Mapped([event], ignored)


#: `hub adapters check MODULE` and the hub's registry look for ADAPTERS (or ADAPTER).
ADAPTERS = (HulptrajectExport(),)
