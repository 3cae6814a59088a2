"""One partner's flood: refused with 429 and Retry-After; other partners and health still served."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.adapters.report import IngestReport
from hub.privacy.keyring import KEK, PSEUDONYM, Key, KeyRing
from hub.web.app import WebConfig, create_app
from hub.web.ratelimit import PartnerLimits
from hub.web.tokens import PartnerTokens
from tests.data.school import export


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def rows_of(body: bytes) -> IngestReport:
    return IngestReport(
        partner="school", feed="verzuim", accepted=[f"id-{n}" for n in range(body.count(b"\n"))]
    )


@pytest.fixture
def tokens() -> PartnerTokens:
    return PartnerTokens()


def client(config: WebConfig) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(config))
    return httpx.AsyncClient(transport=transport, base_url="http://hub")


class TestBytesAndRows:
    async def test_bytes_are_limited_per_partner(self, tokens: PartnerTokens) -> None:
        school, jgz = tokens.issue("school"), tokens.issue("jgz")

        async def ingest(partner: str, feed: str, body: bytes, kind: str) -> IngestReport:
            return IngestReport(partner=partner, feed=feed)

        limits = PartnerLimits(bytes_per_second=1000, byte_burst=3000, clock=Clock())
        config = WebConfig(tokens=tokens, ingest=ingest, limits=limits, max_body_bytes=3000)
        async with client(config) as http:
            big = b"x" * 2000
            first = await http.post("/ingest/school/verzuim", content=big, headers=bearer(school))
            second = await http.post("/ingest/school/verzuim", content=big, headers=bearer(school))
            other = await http.post("/ingest/jgz/consult", content=big, headers=bearer(jgz))
        assert first.status_code == 202
        assert second.status_code == 429
        assert int(second.headers["Retry-After"]) >= 1
        assert "bytes" in second.json()["error"]
        assert other.status_code == 202

    async def test_rows_are_limited_per_partner(self, tokens: PartnerTokens) -> None:
        school = tokens.issue("school")

        async def ingest(partner: str, feed: str, body: bytes, kind: str) -> IngestReport:
            return rows_of(body)

        clock = Clock()
        limits = PartnerLimits(rows_per_second=100, row_burst=500, clock=clock)
        config = WebConfig(tokens=tokens, ingest=ingest, limits=limits)
        body = b"r\n" * 600
        async with client(config) as http:
            first = await http.post("/ingest/school/verzuim", content=body, headers=bearer(school))
            second = await http.post("/ingest/school/verzuim", content=body, headers=bearer(school))
            clock.now += 2.0
            third = await http.post("/ingest/school/verzuim", content=body, headers=bearer(school))
        assert first.status_code == 202
        assert second.status_code == 429
        assert "records" in second.json()["error"]
        assert int(second.headers["Retry-After"]) >= 1
        assert third.status_code == 202


class TestWorkInFlight:
    async def test_a_partners_third_concurrent_ingest_is_refused_at_once(
        self, tokens: PartnerTokens
    ) -> None:
        school, jgz = tokens.issue("school"), tokens.issue("jgz")
        release = asyncio.Event()
        started: asyncio.Queue[str] = asyncio.Queue()

        async def slow(partner: str, feed: str, body: bytes, kind: str) -> IngestReport:
            started.put_nowait(partner)
            await release.wait()
            return IngestReport(partner=partner, feed=feed)

        config = WebConfig(tokens=tokens, ingest=slow, limits=PartnerLimits(in_flight=2))
        async with client(config) as http:
            busy = [
                asyncio.create_task(
                    http.post("/ingest/school/verzuim", content=b"a", headers=bearer(school))
                )
                for _ in range(2)
            ]
            assert [await started.get(), await started.get()] == ["school", "school"]
            third = await http.post("/ingest/school/verzuim", content=b"a", headers=bearer(school))
            health = await http.get("/healthz")
            other = asyncio.create_task(
                http.post("/ingest/jgz/consult", content=b"a", headers=bearer(jgz))
            )
            assert await started.get() == "jgz"
            release.set()
            done = await asyncio.gather(*busy, other)
        assert third.status_code == 429
        assert "Retry-After" in third.headers
        assert health.status_code == 200
        assert [r.status_code for r in done] == [202, 202, 202]


class TestHealthIsNotBehindIngest:
    async def test_healthz_answers_while_a_large_body_is_being_mapped(
        self, tokens: PartnerTokens
    ) -> None:
        school = tokens.issue("school")
        ring = KeyRing([Key(PSEUDONYM, 1, b"p" * 32), Key(KEK, 1, b"k" * 32)])
        service = IngestService(builtin_registry(), MemoryPublisher(), Context.from_keyring(ring))
        config = WebConfig(tokens=tokens, ingest=service, max_body_bytes=50 * 1024 * 1024)
        body = export(6000)
        async with client(config) as http:
            ingest = asyncio.create_task(
                http.post(
                    "/ingest/school/verzuim",
                    content=body,
                    headers={**bearer(school), "content-type": "text/csv"},
                )
            )
            await asyncio.sleep(0.05)  # the ingest has started mapping
            health = await http.get("/healthz")
            ready = await http.get("/readyz")
            still_mapping = not ingest.done()
            answer = await ingest
        assert health.status_code == 200
        assert ready.status_code == 503  # no ready check configured: answered, not waited for
        assert still_mapping, "health waited for the ingest to finish"
        assert answer.status_code == 202
