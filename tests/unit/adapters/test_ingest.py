"""The ingest service: events and dead letters published once, nothing valid lost."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence

import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher, batch_id
from hub.adapters.kit import Context
from hub.adapters.registry import UnknownFeed, builtin_registry
from hub.bus import cloudevents
from hub.bus.dlq import DeadLetter
from hub.bus.publisher import PublishResult
from hub.bus.records import Output
from hub.privacy.leakscan import scan_record
from tests.data.school import BAD_ROWS, HEADER, csv_bytes, export, rows

BAD_FILE = csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252")


def letters(publisher: MemoryPublisher) -> list[DeadLetter]:
    return [
        DeadLetter.model_validate_json(o.value or b"")
        for o in publisher.outputs
        if o.topic == "dlq.v1"
    ]


class TestIngest:
    async def test_events_and_dead_letters(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        report = await service.ingest("school", "verzuim", BAD_FILE, "text/csv")
        assert len(report.accepted) == 2
        assert len(report.rejected) == 7
        events = [o for o in publisher.outputs if o.topic == "contract.school.v1"]
        assert [o.event_id for o in events] == report.accepted
        for output in events:
            event = cloudevents.decode(output.key, output.value, output.headers)
            assert event.type.endswith("verzuim.geregistreerd.v1")
        dead = letters(publisher)
        assert sorted(d.claim_check.row for d in dead if d.claim_check) == [2, 3, 4, 5, 6, 7, 8]
        assert {d.reason for d in dead} == {r.reason for r in report.rejected}
        assert all(d.key == batch_id(BAD_FILE, service.context, "school") for d in dead)

    async def test_nothing_personal_in_any_output(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        await service.ingest("school", "verzuim", BAD_FILE, "text/csv")
        for output in publisher.outputs:
            assert scan_record(output.key, output.value, output.headers) == []
            blob = (output.value or b"") + b"".join(v for _, v in output.headers)
            for secret in (b"123456789", b"232262536", b"Sem", b"Dorpsweg"):
                assert secret not in blob

    async def test_second_import_adds_nothing(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        first = await service.ingest("school", "verzuim", BAD_FILE, "text/csv")
        count = len(publisher.outputs)
        second = await service.ingest("school", "verzuim", BAD_FILE, "text/csv")
        assert second.accepted == []
        assert sorted(second.duplicates) == sorted(first.accepted)
        assert len(publisher.outputs) == count  # no second event, no second dead letter
        assert len(second.rejected) == len(first.rejected)

    async def test_the_same_record_posted_twice(self, service: IngestService) -> None:
        record = json.dumps(
            {"record_id": "Z-1", "bsn": "123456782", "ziek_vanaf": "16-11-2026", "brin": "12AB"}
        ).encode()
        one = await service.ingest("school", "ziekmelding", record, "application/json")
        two = await service.ingest("school", "ziekmelding", record, "application/json")
        assert len(one.accepted) == 1
        assert two.duplicates == one.accepted

    async def test_unknown_feed_is_a_lookup_error(self, service: IngestService) -> None:
        with pytest.raises(UnknownFeed, match="feeds: "):
            await service.ingest("school", "rapportcijfers", b"{}", "application/json")
        with pytest.raises(LookupError):
            await service.ingest("politie", "x", b"{}", "application/json")

    async def test_ignored_fields_are_reported(self, service: IngestService) -> None:
        report = await service.ingest("school", "verzuim", export(3), "text/csv")
        assert report.ignored == {}  # every column of the export is known
        body = csv_bytes([[*r, "meneer X"] for r in rows(3)], header=(*HEADER, "Mentor"))
        report = await service.ingest("school", "verzuim", body, "text/csv")
        assert report.ignored == {"mentor": 3}

    async def test_progress_reports_every_chunk(self, service: IngestService) -> None:
        seen: list[int] = []
        await service.ingest("school", "verzuim", export(250), "text/csv", progress=seen.append)
        assert seen == [100, 100, 50]


class TestThroughput:
    async def test_ten_thousand_rows_in_memory(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        body = export(10_000)
        started = time.perf_counter()
        report = await service.ingest("school", "verzuim", body, "text/csv")
        seconds = time.perf_counter() - started
        assert len(report.accepted) == 10_000
        assert not report.rejected
        print(f"\nin-memory ingest: {10_000 / seconds:,.0f} rows/s")
        assert seconds < 20


class FlakyPublisher(MemoryPublisher):
    """Fails the first `failures` publishes, as a broker without a leader yet does."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def publish(
        self, outputs: Sequence[Output], fingerprints: Mapping[str, str] | None = None
    ) -> PublishResult:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("no leader for partition")
        return await super().publish(outputs, fingerprints)


class TestRetry:
    async def test_a_failed_publish_is_tried_again(self, ctx: Context) -> None:
        publisher = FlakyPublisher(failures=2)
        service = IngestService(builtin_registry(), publisher, ctx, attempts=3)
        report = await service.ingest("school", "verzuim", export(3), "text/csv")
        assert len(report.accepted) == 3
        assert len(publisher.outputs) == 3

    async def test_it_gives_up_after_the_last_attempt(self, ctx: Context) -> None:
        service = IngestService(builtin_registry(), FlakyPublisher(failures=5), ctx, attempts=2)
        with pytest.raises(ConnectionError):
            await service.ingest("school", "verzuim", export(3), "text/csv")
