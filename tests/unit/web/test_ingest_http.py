"""The HTTP ingest edge: who may post, how much, how fast, and what the sender is told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub.adapters.report import IngestReport, Rejection
from hub.web.app import WebConfig, create_app
from hub.web.ratelimit import PartnerLimits
from hub.web.tokens import PartnerTokens


async def fake_adapter(partner: str, feed: str, body: bytes, content_type: str) -> IngestReport:
    """Accept every line, reject lines that say 'fout' (stands in for a real adapter)."""
    if feed == "onbekend":
        raise LookupError("partner school has no feed 'onbekend'")
    report = IngestReport(partner=partner, feed=feed)
    for n, line in enumerate(body.decode().splitlines(), start=1):
        if "fout" in line:
            report.rejected.append(Rejection(record=n, reason="invalid", message="fout"))
        else:
            report.accepted.append(f"id-{n}")
    return report


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tokens() -> PartnerTokens:
    return PartnerTokens()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def http(tokens: PartnerTokens, clock: Clock) -> Iterator[TestClient]:
    config = WebConfig(
        tokens=tokens,
        ingest=fake_adapter,
        limits=PartnerLimits(requests_per_second=1.0, request_burst=3, clock=clock),
        max_body_bytes=1000,
        metrics_token="scrape-token",
    )
    with TestClient(create_app(config)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


class TestIngestAuth:
    def test_missing_token_is_401(self, http: TestClient) -> None:
        assert http.post("/ingest/school/verzuim", content=b"a").status_code == 401

    def test_unknown_token_is_401(self, http: TestClient) -> None:
        response = http.post("/ingest/school/verzuim", content=b"a", headers=bearer("nope"))
        assert response.status_code == 401

    def test_token_of_another_partner_is_403(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("jgz")
        response = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(token))
        assert response.status_code == 403
        assert "jgz" in response.json()["error"]


class TestIngestOutcome:
    def test_all_valid_is_202_with_ids(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/verzuim", content=b"a\nb", headers=bearer(token))
        assert response.status_code == 202
        assert response.json()["accepted"] == ["id-1", "id-2"]

    def test_a_partly_good_body_is_207_with_the_report_per_row(
        self, http: TestClient, tokens: PartnerTokens
    ) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/verzuim", content=b"a\nfout\nc", headers=bearer(token))
        assert response.status_code == 207
        body = response.json()
        assert body["status"] == "partly_accepted"
        assert body["accepted"] == ["id-1", "id-3"]
        assert body["rejected"][0]["record"] == 2

    def test_a_wholly_bad_body_stays_422(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/verzuim", content=b"fout\nfout", headers=bearer(token))
        assert response.status_code == 422
        body = response.json()
        assert body["status"] == "rejected"
        assert [r["record"] for r in body["rejected"]] == [1, 2]

    def test_all_good_says_accepted(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(token))
        assert (response.status_code, response.json()["status"]) == (202, "accepted")

    def test_unknown_feed_is_404(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/onbekend", content=b"a", headers=bearer(token))
        assert response.status_code == 404


class TestIngestLimits:
    def test_oversized_body_is_413(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        response = http.post("/ingest/school/verzuim", content=b"x" * 1001, headers=bearer(token))
        assert response.status_code == 413

    def test_flood_is_429_per_partner(
        self, http: TestClient, tokens: PartnerTokens, clock: Clock
    ) -> None:
        school, jgz = tokens.issue("school"), tokens.issue("jgz")
        codes = [
            http.post("/ingest/school/verzuim", content=b"a", headers=bearer(school)).status_code
            for _ in range(5)
        ]
        assert codes == [202, 202, 202, 429, 429]
        # Another partner is still served.
        assert (
            http.post("/ingest/jgz/consult", content=b"a", headers=bearer(jgz)).status_code == 202
        )
        clock.now += 1.0
        assert (
            http.post("/ingest/school/verzuim", content=b"a", headers=bearer(school)).status_code
            == 202
        )


class TestHealthAndMetrics:
    def test_healthz(self, http: TestClient) -> None:
        assert http.get("/healthz").json() == {"status": "ok"}

    def test_readyz_without_bus_is_503(self, http: TestClient) -> None:
        assert http.get("/readyz").status_code == 503

    def test_metrics_count_requests(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("school")
        http.post("/ingest/school/verzuim", content=b"a", headers=bearer(token))
        text = http.get("/metrics", headers=bearer("scrape-token")).text
        assert 'hub_http_ingest_requests_total{partner="school",status="202"} 1.0' in text

    def test_metrics_and_api_docs_are_not_public(self, http: TestClient) -> None:
        assert http.get("/metrics").status_code == 401
        assert http.get("/metrics", headers=bearer("wrong")).status_code == 401
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert http.get(path).status_code == 404, path


class TestPartnerTokens:
    def test_saved_hashes_authenticate_but_hold_no_token(self, tmp_path: object) -> None:
        from pathlib import Path

        directory = Path(str(tmp_path))
        tokens = PartnerTokens()
        token = tokens.issue("leerplicht")
        path = tokens.save(directory)
        assert token not in path.read_text()
        assert PartnerTokens.load(directory).partner_of(token) == "leerplicht"
        assert oct(path.stat().st_mode & 0o777) == "0o600"

    def test_revoked_token_no_longer_works(self) -> None:
        tokens = PartnerTokens()
        token = tokens.issue("swv")
        assert tokens.revoke("swv") == 1
        assert tokens.partner_of(token) is None
