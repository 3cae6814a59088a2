"""Issue 14.6: every adapter masks other people's identities in free text and reports it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.registry import builtin_registry
from hub.bus import cloudevents
from hub.events.fields import EncryptedText
from hub.privacy.keyring import KeyRing
from tests.data.school import csv_bytes
from tests.unit.adapters.conftest import NoteCipher

HEADER = ("brin", "leerlingnummer", "bsn", "datum", "lesuren", "soort", "opmerking")
NOTE = "Broertje Ahmed (bsn 1112.22.333) woont 1234 AB 12, geboren 14-03-2015; moeder belt."
NOTE_3 = "zusje [verwijderd]"
CLEAN = "Broertje Ahmed (bsn [verwijderd]) woont [verwijderd], geboren [verwijderd]; moeder belt."


@pytest.fixture
def sealing(ring: KeyRing, cipher: NoteCipher) -> Context:
    # A fixed today: whether a date in a note looks like a birth date depends on it.
    ctx = Context.from_keyring(ring, cipher=cipher)
    return dataclasses.replace(ctx, today=lambda: dt.date(2026, 11, 20))


def _open(event: Any, cipher: NoteCipher, name: str) -> str:
    value = getattr(event.data, name)
    assert isinstance(value, EncryptedText)
    return cipher.decrypt(value, child=event.subject, event_id=event.id, field=name)


def test_csv_note_is_masked_before_encryption(sealing: Context, cipher: NoteCipher) -> None:
    body = csv_bytes(
        [["12AB", "4711", "123456782", "16-11-2026", "2", "ziek", NOTE]], header=HEADER
    )
    (item,) = run(builtin_registry().get_adapter("school", "verzuim"), body, "text/csv", sealing)
    assert isinstance(item, Accepted)
    assert _open(item.event, cipher, "opmerking") == CLEAN


def free_text_feeds() -> list[tuple[str, str, str]]:
    """Every built-in feed whose contract has an encrypted free-text field."""
    found = []
    for (partner, feed), adapter in sorted(builtin_registry().items()):
        model = getattr(adapter, "model", None)
        for name, info in model.model_fields.items() if model else ():
            if "EncryptedText" in str(info.annotation) and feed != "verzuim":
                found.append((partner, feed, name))
    return found


def test_there_are_json_feeds_with_free_text() -> None:
    assert free_text_feeds()


@pytest.mark.parametrize(("partner", "feed", "name"), free_text_feeds())
def test_every_json_feed_masks_its_free_text(
    sealing: Context, cipher: NoteCipher, partner: str, feed: str, name: str
) -> None:
    adapter = builtin_registry().get_adapter(partner, feed)
    record = {**adapter.examples()[0], name: NOTE}  # type: ignore[attr-defined]
    (item,) = run(adapter, json.dumps(record).encode(), "application/json", sealing)
    assert isinstance(item, Accepted)
    assert _open(item.event, cipher, name) == CLEAN


async def test_report_counts_masked_rows_never_values(sealing: Context, cipher: NoteCipher) -> None:
    publisher = MemoryPublisher()
    service = IngestService(builtin_registry(), publisher, sealing)
    rows = [
        ["12AB", "4711", "123456782", "16-11-2026", "2", "ziek", NOTE],
        ["12AB", "4712", "232262536", "16-11-2026", "2", "ziek", "belde niet terug"],
        ["12AB", "4713", "111222333", "17-11-2026", "1", "ziek", "zusje 101222331"],
    ]
    report = await service.ingest("school", "verzuim", csv_bytes(rows, header=HEADER), "text/csv")
    assert len(report.accepted) == 3
    assert [(m.record, m.field) for m in report.masked] == [(1, "opmerking"), (3, "opmerking")]
    assert report.masked[0].rules == ["bsn", "postcode-huisnummer", "geboortedatum"]
    assert report.masked[1].rules == ["onderwijsnummer"]
    answer = report.model_dump_json()
    for secret in ("1112", "1234 AB", "14-03-2015", "101222331", "Ahmed"):
        assert secret not in answer
    for output in publisher.outputs:
        assert b"1112.22.333" not in (output.value or b"")
        if output.topic.startswith("contract."):
            event = cloudevents.decode(output.key, output.value, output.headers)
            assert _open(event, cipher, "opmerking") in (CLEAN, "belde niet terug", NOTE_3)


def test_recent_dates_in_notes_survive(sealing: Context, cipher: NoteCipher) -> None:
    note = "ziek sinds 12-11-2026, gesprek 25-11-2026"
    body = csv_bytes(
        [["12AB", "4711", "123456782", "16-11-2026", "2", "ziek", note]], header=HEADER
    )
    (item,) = run(builtin_registry().get_adapter("school", "verzuim"), body, "text/csv", sealing)
    assert isinstance(item, Accepted)
    assert _open(item.event, cipher, "opmerking") == note
