"""The pure pipeline around an adapter: records -> events or rejections, never an exception."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.adapters.kit import Adapter, Context, HubMisconfigured, RawRecord, RecordRejected
from hub.adapters.report import Masking, Rejection
from hub.events.envelope import Event
from hub.privacy.leakscan import json_may_hold_pii, scan_value


@dataclass(frozen=True, slots=True)
class Accepted:
    """An event made from record number `record`."""

    record: int
    event: Event[Any]


@dataclass
class Tally:
    """Running counts of one ingest, for progress and the summary."""

    records: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    masked: list[Masking] = field(default_factory=list)


def leak_check(event: Event[Any]) -> None:
    """Refuse an event whose data still holds something that looks like personal data.

    The envelope's attributes are patterns the contract fixes (ids, hex pseudonyms, types);
    `data` is where an adapter could let something through. Its JSON text is looked at first;
    the field-by-field scan runs only when the text holds a suspect.
    """
    if not json_may_hold_pii(event.data.model_dump_json(exclude_none=True)):
        return
    findings = scan_value(event.data.model_dump(mode="json", exclude_none=True), "data")
    if findings:
        where = ", ".join(sorted({f"{f.rule} at {f.path}" for f in findings}))
        raise RecordRejected("pii_in_output", f"the adapter's output holds personal data: {where}")


def _records(adapter: Adapter, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
    records = adapter.parse(body, content_type)
    while True:
        try:
            item = next(records)
        except StopIteration:
            return
        except Exception as exc:  # a parser bug stops this body, not the hub
            yield Rejection(
                record=0,
                reason="adapter_error",
                message=f"the adapter could not read the body ({type(exc).__name__})",
            )
            return
        yield item


def run(
    adapter: Adapter, body: bytes, content_type: str, ctx: Context, tally: Tally | None = None
) -> Iterator[Accepted | Rejection]:
    """Map every record of `body`; a bad record becomes a Rejection and the rest goes on."""
    tally = tally if tally is not None else Tally()
    for item in _records(adapter, body, content_type):
        tally.records += 1
        if isinstance(item, Rejection):
            yield item
            continue
        try:
            mapped = adapter.map(item, ctx)
            for event in mapped.events:
                leak_check(event)
        except RecordRejected as exc:
            yield exc.rejection(item.number)
            continue
        except HubMisconfigured:
            raise
        except Exception as exc:  # a bug in an adapter must not take the hub down
            yield Rejection(
                record=item.number,
                reason="adapter_error",
                message=f"the adapter failed on this record ({type(exc).__name__})",
            )
            continue
        tally.ignored.update(mapped.ignored)
        tally.masked += [
            Masking(record=item.number, field=m.field, rules=list(m.rules)) for m in mapped.masked
        ]
        for event in mapped.events:
            yield Accepted(item.number, event)


def render(item: Accepted | Rejection) -> str:
    """One line for a dry run: the event's wire JSON, or the rejection."""
    if isinstance(item, Accepted):
        return json.dumps(item.event.model_dump(mode="json"), sort_keys=True)
    return f"rejected record {item.record}: {item.reason}: {item.message}"
