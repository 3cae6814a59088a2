"""School CSV and partner records through the adapters onto the real broker: once, no PII."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.adapters.ingest import IngestService, Topics
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.adapters.runner import FEED_HEADER, adapter_runner, adapter_state_topic
from hub.bus import client, cloudevents
from hub.bus.datakeys import datakeys_topic
from hub.bus.dlq import DeadLetter
from hub.bus.scan import list_topics, read_to_end
from hub.privacy.intake import open_intake
from hub.privacy.keyring import INTAKE, KEK, PSEUDONYM, Key, KeyRing
from hub.settings import HubSettings
from hub.web.ingest import IngestOptions, ensure_ingest_topics, ingest_service
from tests.data.school import BAD_ROWS, csv_bytes, export, rows
from tests.pii import PLANTED_PREFIX, assert_no_pii

BAD_FILE = csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252")
RING = KeyRing([Key(PSEUDONYM, 1, b"P" * 32), Key(KEK, 1, b"K" * 32), Key(INTAKE, 1, b"I" * 32)])


@pytest.fixture(scope="module")
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}."


@pytest.fixture(scope="module")
def settings(prefix: str, tmp_path_factory: pytest.TempPathFactory) -> HubSettings:
    return HubSettings(topic_prefix=prefix, key_dir=tmp_path_factory.mktemp("keys"))


async def service(settings: HubSettings, bootstrap: str) -> AsyncIterator[IngestService]:
    options = IngestOptions(
        transactional_id=f"{settings.topic_prefix}ingest-test-{uuid.uuid4().hex[:6]}"
    )
    async with ingest_service(settings, bootstrap=bootstrap, ring=RING, options=options) as svc:
        yield svc


async def records(bootstrap: str, topic: str) -> list[Any]:
    return [r async for r in read_to_end(bootstrap, [topic], timeout=60)]


async def arrived(bootstrap: str, topic: str, expected: int, settle: float = 1.5) -> list[Any]:
    """Committed records of `topic` once `expected` came and nothing more for `settle` s."""
    consumer = client.consumer(bootstrap, topic)
    await consumer.start()
    got: list[Any] = []
    try:
        async with asyncio.timeout(60):
            while len(got) < expected:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    got += batch
        for batch in (await consumer.getmany(timeout_ms=int(settle * 1000))).values():
            got += batch  # a duplicate would show up here
    finally:
        await consumer.stop()
    return got


class TestSchoolCsv:
    async def test_bad_rows_to_the_dlq_good_rows_once(
        self, bootstrap: str, settings: HubSettings
    ) -> None:
        prefix = settings.topic_prefix
        async for svc in service(settings, bootstrap):
            report = await svc.ingest("school", "verzuim", BAD_FILE, "text/csv")
        assert len(report.accepted) == 2
        expected = {n: why for n, (_, why) in enumerate(BAD_ROWS, start=1) if why}
        assert {r.record: r.reason for r in report.rejected} == expected

        events = [
            cloudevents.decode(r.key, r.value, r.headers)
            for r in await records(bootstrap, f"{prefix}contract.school.v1")
        ]
        assert sorted(e.id for e in events) == sorted(report.accepted)
        letters = [
            DeadLetter.model_validate_json(r.value)
            for r in await records(bootstrap, f"{prefix}dlq.v1")
        ]
        assert {(d.claim_check.row, d.reason) for d in letters if d.claim_check} == set(
            expected.items()
        )
        assert all(d.claim_check and d.claim_check.partner == "school" for d in letters)

        # The note of row 1 travels sealed to the hub's intake key; the edge made no data key.
        noted = next(e for e in events if e.data.opmerking is not None)
        plain = open_intake(
            noted.data.opmerking, RING, child=noted.subject, event_id=noted.id, field="opmerking"
        )
        assert plain == "belde niet"
        assert await records(bootstrap, datakeys_topic(prefix)) == []

        # A second import, by a fresh publisher (a restarted hub), adds nothing at all.
        async for svc in service(settings, bootstrap):
            again = await svc.ingest("school", "verzuim", BAD_FILE, "text/csv")
        assert again.accepted == []
        assert sorted(again.duplicates) == sorted(report.accepted)
        assert len(await records(bootstrap, f"{prefix}contract.school.v1")) == len(events)
        assert len(await records(bootstrap, f"{prefix}dlq.v1")) == len(letters)

        topics = [t for t in await list_topics(bootstrap) if t.startswith(prefix)]
        await assert_no_pii(bootstrap, topics)

    async def test_ten_thousand_rows(self, bootstrap: str, settings: HubSettings) -> None:
        body = export(10_000, bom=True)
        async for svc in service(settings, bootstrap):
            started = time.perf_counter()
            report = await svc.ingest("school", "verzuim", body, "text/csv")
            seconds = time.perf_counter() - started
        assert len(report.accepted) == 10_000
        assert not report.rejected
        rate = 10_000 / seconds
        print(f"\nCSV import onto the broker: 10,000 rows in {seconds:.1f} s = {rate:,.0f} rows/s")
        assert seconds < 30


class TestRawTopicRunner:
    async def test_raw_records_to_events_and_dead_letters_exactly_once(
        self, bootstrap: str, settings: HubSettings
    ) -> None:
        prefix = settings.topic_prefix
        # The raw topic holds identities: it is a planted topic the session-end scan skips.
        raw = f"{PLANTED_PREFIX}{prefix}raw.leerplicht.v1"
        state = adapter_state_topic("leerplicht", prefix)
        await ensure_ingest_topics(bootstrap, settings)
        await client.create_topics(
            bootstrap,
            [
                (raw, 3, {}),
                (state, 3, {"cleanup.policy": "compact"}),
            ],
        )
        good = {
            "record_id": "LP-9",
            "bsn": "232262536",
            "soort": "absoluut_verzuim",
            "sinds": "01-09-2026",
        }
        bad = {**good, "record_id": "LP-10", "bsn": "232262537"}
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            for key, value in ((b"LP-9", good), (b"LP-10", bad), (b"LP-9", good)):
                await producer.send_and_wait(
                    raw,
                    json.dumps(value).encode(),
                    key=key,
                    headers=[(FEED_HEADER, b"thuiszitter")],
                )
        finally:
            await producer.stop()
        processor = adapter_runner(
            bootstrap=bootstrap,
            partner="leerplicht",
            registry=builtin_registry(),
            context=Context.from_keyring(RING),
            topics=Topics(prefix),
            raw=raw,
            app_id=f"{prefix}adapter-leerplicht",
        )
        async with processor:
            contract = await arrived(bootstrap, f"{prefix}contract.leerplicht.v1", 1)
        assert processor.stats.processed == 3
        assert processor.stats.dead_letters == 1
        events = [cloudevents.decode(r.key, r.value, r.headers) for r in contract]
        assert [e.type for e in events] == ["nl.onderwijsjeugd.leerplicht.thuiszitter.gemeld.v1"]
        letters = [
            DeadLetter.model_validate_json(r.value)
            for r in await records(bootstrap, f"{prefix}dlq.v1")
            if b"adapter.leerplicht" in r.value
        ]
        assert [(d.reason, d.source_topic) for d in letters] == [("invalid_bsn", raw)]
        await assert_no_pii(bootstrap, [f"{prefix}contract.leerplicht.v1", f"{prefix}dlq.v1"])


class TestEdges:
    async def test_http_post_onto_the_broker(self, bootstrap: str, settings: HubSettings) -> None:
        import httpx

        from hub.web.app import WebConfig, create_app
        from hub.web.ingest import bus_ready, ingestor
        from hub.web.tokens import PartnerTokens

        tokens = PartnerTokens()
        school, jgz = tokens.issue("school"), tokens.issue("jgz")
        # A pupil of its own, so that no other test of this module published the row before.
        fresh = [*BAD_ROWS[0][0][:2], "601", *BAD_ROWS[0][0][3:]]
        body = csv_bytes([fresh, BAD_ROWS[1][0], BAD_ROWS[2][0]], encoding="cp1252")
        async for svc in service(settings, bootstrap):
            app = create_app(
                WebConfig(tokens=tokens, ingest=ingestor(svc), ready=bus_ready(bootstrap))
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
                assert (await http.get("/readyz")).status_code == 200
                headers = {"authorization": f"Bearer {school}", "content-type": "text/csv"}
                first = await http.post("/ingest/school/verzuim", content=body, headers=headers)
                again = await http.post("/ingest/school/verzuim", content=body, headers=headers)
                other = {"authorization": f"Bearer {jgz}", "content-type": "text/csv"}
                refused = await http.post("/ingest/school/verzuim", content=body, headers=other)
        assert first.status_code == 207
        assert first.json()["status"] == "partly_accepted"
        assert [r["reason"] for r in first.json()["rejected"]] == [
            "invalid_bsn",
            "missing_identifier",
        ]
        assert len(first.json()["accepted"]) == 1
        assert again.json()["accepted"] == []
        assert again.json()["duplicates"] == first.json()["accepted"]
        assert refused.status_code == 403

    async def test_hub_import_command(
        self,
        bootstrap: str,
        settings: HubSettings,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from hub.cli import main
        from hub.privacy.keyring import write_key_file
        from hub.settings import get_settings

        keys = tmp_path / "keys"
        keys.mkdir()
        write_key_file(keys, PSEUDONYM, 1, b"P" * 32)
        write_key_file(keys, KEK, 1, b"K" * 32)
        write_key_file(keys, INTAKE, 1, b"I" * 32)
        export_file = tmp_path / "verzuim.csv"
        # Other days than the 10,000-row test's rows, so these are new registrations.
        rows_2025 = list(rows(3_000, first_day=dt.date(2025, 9, 1)))
        export_file.write_bytes(csv_bytes(rows_2025, encoding="cp1252"))
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
        monkeypatch.setenv("HUB_TOPIC_PREFIX", settings.topic_prefix)
        monkeypatch.setenv("HUB_KEY_DIR", str(keys))

        def hub(*args: str) -> int:
            get_settings.cache_clear()
            monkeypatch.setattr("sys.argv", ["hub", *args])
            try:
                main()
            except SystemExit as exc:
                return int(exc.code or 0)
            finally:
                get_settings.cache_clear()
            return 0

        # `main` runs its own event loop: run it in a thread, away from the test's loop.
        assert await asyncio.to_thread(hub, "import", "school", "verzuim", str(export_file)) == 0
        first = capsys.readouterr().err
        assert await asyncio.to_thread(hub, "import", "school", "verzuim", str(export_file)) == 0
        second = capsys.readouterr().err
        assert "│ accepted   │ 3000" in first
        assert "│ duplicates │ 0 " in first
        assert "│ accepted   │ 0 " in second
        assert "│ duplicates │ 3000" in second
