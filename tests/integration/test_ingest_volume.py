"""A school's export of 100,000 rows onto the real broker: how fast, and nothing lost."""

from __future__ import annotations

import time
import uuid

import pytest

from hub.bus.scan import read_to_end
from hub.privacy.keyring import INTAKE, KEK, PSEUDONYM, Key, KeyRing
from hub.settings import HubSettings
from hub.web.ingest import IngestOptions, ingest_service
from tests.data.school import export

RING = KeyRing([Key(PSEUDONYM, 1, b"Q" * 32), Key(KEK, 1, b"L" * 32), Key(INTAKE, 1, b"J" * 32)])
ROWS = 100_000


# About 45 s on two cores (20 s import, the rest is reading back and the session-end PII
# scan): part of the suite, because a school's full-year export is what partners really send.
class TestVolume:
    async def test_hundred_thousand_rows(
        self, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        prefix = f"v{uuid.uuid4().hex[:8]}."
        settings = HubSettings(topic_prefix=prefix, key_dir=tmp_path_factory.mktemp("keys"))
        body = export(ROWS, encoding="cp1252")
        options = IngestOptions(transactional_id=f"{prefix}ingest-volume")
        async with ingest_service(settings, bootstrap=bootstrap, ring=RING, options=options) as svc:
            started = time.perf_counter()
            report = await svc.ingest("school", "verzuim", body, "text/csv")
            seconds = time.perf_counter() - started
        assert len(report.accepted) == ROWS
        assert not report.rejected
        print(
            f"\n{ROWS:,} CSV rows onto the broker in {seconds:.1f} s = {ROWS / seconds:,.0f} rows/s"
        )
        count = 0
        async for _ in read_to_end(bootstrap, [f"{prefix}contract.school.v1"], timeout=120):
            count += 1
        assert count == ROWS
