"""A changed record is never taken silently: a `conflicting_duplicate` row and a dead letter."""

from __future__ import annotations

import json
from typing import Any

from hub.adapters.ingest import CONFLICTING_DUPLICATE, IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.bus import cloudevents
from hub.bus.dlq import DeadLetter
from hub.privacy.fieldcrypt import FieldCipher
from tests.data.school import csv_bytes, rows

#: Made-up BSNs passing the 11-proef.
BSN_A, BSN_B = "123456782", "232262536"


def letters(publisher: MemoryPublisher) -> list[DeadLetter]:
    return [
        DeadLetter.model_validate_json(o.value or b"")
        for o in publisher.outputs
        if o.topic == "dlq.v1"
    ]


def events(publisher: MemoryPublisher) -> list[Any]:
    return [
        cloudevents.decode(o.key, o.value, o.headers)
        for o in publisher.outputs
        if o.topic.startswith("contract.")
    ]


def ziek(record_id: str, bsn: str, day: str) -> bytes:
    return json.dumps(
        {"record_id": record_id, "bsn": bsn, "ziek_vanaf": day, "brin": "12AB"}
    ).encode()


class TestResentRowsWithOtherContent:
    async def test_other_hours_for_the_same_row_are_a_conflict_named_by_row(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        body = list(rows(3))
        first = await service.ingest("school", "verzuim", csv_bytes(body), "text/csv")
        assert len(first.accepted) == 3
        body[1] = [*body[1][:8], "4", *body[1][9:]]  # row 2: other hours, same day and pupil
        second = await service.ingest("school", "verzuim", csv_bytes(body), "text/csv")
        assert second.accepted == []
        assert len(second.duplicates) == 2
        (conflict,) = second.rejected
        assert (conflict.record, conflict.reason) == (2, CONFLICTING_DUPLICATE)
        assert "4" not in conflict.message
        (letter,) = letters(publisher)
        assert letter.reason == CONFLICTING_DUPLICATE
        assert letter.claim_check is not None
        assert letter.claim_check.row == 2
        # The first version stands: one event for that row, with its first hours.
        assert len(events(publisher)) == 3
        assert sorted(e.data.lesuren for e in events(publisher)) == [1.0, 1.0, 2.5]
        # Sending the correction again adds no second letter.
        again = await service.ingest("school", "verzuim", csv_bytes(body), "text/csv")
        assert [r.reason for r in again.rejected] == [CONFLICTING_DUPLICATE]
        assert len(letters(publisher)) == 1

    async def test_a_record_id_reused_for_another_child_is_a_conflict(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        first = await service.ingest(
            "school", "ziekmelding", ziek("Z-7", BSN_A, "2026-11-16"), "application/json"
        )
        assert len(first.accepted) == 1
        other = await service.ingest(
            "school", "ziekmelding", ziek("Z-7", BSN_B, "2026-11-16"), "application/json"
        )
        assert other.accepted == other.duplicates == []
        assert [(r.record, r.reason) for r in other.rejected] == [(1, CONFLICTING_DUPLICATE)]
        (event,) = events(publisher)
        assert event.id == first.accepted[0]

    async def test_a_record_id_reused_with_another_date_is_a_conflict(
        self, service: IngestService
    ) -> None:
        await service.ingest(
            "school", "ziekmelding", ziek("Z-8", BSN_A, "2026-11-16"), "application/json"
        )
        moved = await service.ingest(
            "school", "ziekmelding", ziek("Z-8", BSN_A, "2026-11-17"), "application/json"
        )
        assert [r.reason for r in moved.rejected] == [CONFLICTING_DUPLICATE]

    async def test_two_versions_in_one_body_the_second_row_is_named(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        body = b"\n".join(
            [
                ziek("Z-9", BSN_A, "2026-11-16"),
                ziek("Z-9", BSN_A, "2026-11-16"),
                ziek("Z-9", BSN_B, "2026-11-16"),
            ]
        )
        report = await service.ingest("school", "ziekmelding", body, "application/x-ndjson")
        assert len(report.accepted) == 1
        assert report.duplicates == report.accepted
        assert [(r.record, r.reason) for r in report.rejected] == [(3, CONFLICTING_DUPLICATE)]
        assert [d.claim_check.row for d in letters(publisher) if d.claim_check] == [3]

    async def test_the_same_row_resent_with_its_note_is_a_duplicate_not_a_conflict(
        self, ctx: Context, cipher: FieldCipher
    ) -> None:
        # The note is encrypted with a fresh nonce each time: that is not a change of content.
        publisher = MemoryPublisher()
        sealing = Context(ctx.pseudonymiser, ctx.record_keyer, cipher)
        service = IngestService(builtin_registry(), publisher, sealing)
        body = csv_bytes(list(rows(8)))  # rows 1 and 8 carry a note
        first = await service.ingest("school", "verzuim", body, "text/csv")
        second = await service.ingest("school", "verzuim", body, "text/csv")
        assert second.rejected == []
        assert sorted(second.duplicates) == sorted(first.accepted)
