"""The HTTP edge with the real adapters behind it (publisher in memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.web.app import WebConfig, create_app
from hub.web.ingest import ingestor
from hub.web.tokens import PartnerTokens
from tests.data.school import BAD_ROWS, csv_bytes


@pytest.fixture
def tokens() -> PartnerTokens:
    return PartnerTokens()


@pytest.fixture
def http(tokens: PartnerTokens, service: IngestService) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(tokens=tokens, ingest=ingestor(service)))) as client:
        yield client


def bearer(token: str, content_type: str = "application/json") -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": content_type}


THUISZITTER = {
    "record_id": "LP-2026-17",
    "bsn": "232262536",
    "soort": "absoluut_verzuim",
    "sinds": "01-09-2026",
}


class TestHttpIngest:
    def test_valid_records_are_202_with_ids(
        self, http: TestClient, tokens: PartnerTokens, publisher: MemoryPublisher
    ) -> None:
        token = tokens.issue("leerplicht")
        response = http.post(
            "/ingest/leerplicht/thuiszitter", content=json.dumps(THUISZITTER), headers=bearer(token)
        )
        assert response.status_code == 202
        assert len(response.json()["accepted"]) == 1
        assert publisher.outputs[0].topic == "contract.leerplicht.v1"

    def test_csv_with_bad_rows_is_207_with_reasons_and_keeps_the_good(
        self, http: TestClient, tokens: PartnerTokens
    ) -> None:
        token = tokens.issue("school")
        body = csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252")
        response = http.post(
            "/ingest/school/verzuim", content=body, headers=bearer(token, "text/csv")
        )
        assert response.status_code == 207
        answer = response.json()
        assert answer["status"] == "partly_accepted"
        assert len(answer["accepted"]) == 2
        assert {r["record"] for r in answer["rejected"]} == {2, 3, 4, 5, 6, 7, 8}
        assert "123456789" not in response.text
        assert "232262536" not in response.text

    def test_posting_twice_gives_duplicates(self, http: TestClient, tokens: PartnerTokens) -> None:
        token = tokens.issue("leerplicht")
        body = json.dumps(THUISZITTER)
        first = http.post("/ingest/leerplicht/thuiszitter", content=body, headers=bearer(token))
        second = http.post("/ingest/leerplicht/thuiszitter", content=body, headers=bearer(token))
        assert second.status_code == 202
        assert second.json()["accepted"] == []
        assert second.json()["duplicates"] == first.json()["accepted"]

    def test_a_token_of_another_partner_is_403(
        self, http: TestClient, tokens: PartnerTokens, publisher: MemoryPublisher
    ) -> None:
        token = tokens.issue("jgz")
        response = http.post(
            "/ingest/leerplicht/thuiszitter", content=json.dumps(THUISZITTER), headers=bearer(token)
        )
        assert response.status_code == 403
        assert publisher.outputs == []

    def test_unknown_feed_is_404_naming_the_feeds(
        self, http: TestClient, tokens: PartnerTokens
    ) -> None:
        token = tokens.issue("swv")
        response = http.post("/ingest/swv/cijfers", content=b"{}", headers=bearer(token))
        assert response.status_code == 404
        assert "tlv" in response.json()["error"]

    def test_extra_fields_are_dropped_and_named(
        self, http: TestClient, tokens: PartnerTokens, publisher: MemoryPublisher
    ) -> None:
        token = tokens.issue("leerplicht")
        body = json.dumps({**THUISZITTER, "naam": "Kees", "notitie": "vertrouwelijk"})
        response = http.post("/ingest/leerplicht/thuiszitter", content=body, headers=bearer(token))
        assert response.status_code == 202
        assert response.json()["ignored"] == {"naam": 1, "notitie": 1}
        assert b"Kees" not in (publisher.outputs[0].value or b"")
