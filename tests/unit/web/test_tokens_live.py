"""Tokens issued or revoked while the hub runs count within seconds; guessing is limited."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from hub.adapters.report import IngestReport
from hub.web.app import WebConfig, create_app
from hub.web.failures import FailedAttempts
from hub.web.tokens import LiveTokens, PartnerTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def accept_all(partner: str, feed: str, body: bytes, content_type: str) -> IngestReport:
    return IngestReport(partner=partner, feed=feed, accepted=["id-1"])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def issue(directory: Path, partner: str) -> str:
    tokens = PartnerTokens.load(directory)
    token = tokens.issue(partner)
    tokens.save(directory)
    return token


def revoke(directory: Path, partner: str) -> None:
    tokens = PartnerTokens.load(directory)
    tokens.revoke(partner)
    tokens.save(directory)


class TestLiveTokens:
    def test_a_token_issued_after_start_works_after_the_interval(self, tmp_path: Path) -> None:
        clock = Clock()
        live = LiveTokens(tmp_path, interval=2.0, clock=clock)
        token = issue(tmp_path, "school")
        clock.now += 2.0
        assert live.partner_of(token) == "school"

    def test_a_revoked_token_stops_working_after_the_interval(self, tmp_path: Path) -> None:
        clock = Clock()
        token = issue(tmp_path, "jgz")
        live = LiveTokens(tmp_path, interval=2.0, clock=clock)
        assert live.partner_of(token) == "jgz"
        revoke(tmp_path, "jgz")
        clock.now += 2.0
        assert live.partner_of(token) is None

    def test_an_unreadable_file_keeps_the_tokens_last_read(self, tmp_path: Path) -> None:
        clock = Clock()
        token = issue(tmp_path, "swv")
        live = LiveTokens(tmp_path, interval=1.0, clock=clock)
        (tmp_path / "ingest-tokens.json").write_text("{half")
        clock.now += 1.0
        assert live.partner_of(token) == "swv"

    def test_the_running_app_sees_issue_and_revoke(self, tmp_path: Path) -> None:
        config = WebConfig(tokens=LiveTokens(tmp_path, interval=0.0), ingest=accept_all)
        with TestClient(create_app(config)) as http:
            token = issue(tmp_path, "school")
            ok = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(token))
            assert ok.status_code == 202
            revoke(tmp_path, "school")
            gone = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(token))
            assert gone.status_code == 401


class TestFailedAttempts:
    def test_an_address_that_keeps_guessing_gets_429_and_one_log_line(self) -> None:
        clock = Clock()
        failures = FailedAttempts(rate=0.1, burst=5, interval=60.0, clock=clock)
        tokens = PartnerTokens()
        good = tokens.issue("school")
        config = WebConfig(tokens=tokens, ingest=accept_all, failures=failures)
        with capture_logs() as logs, TestClient(create_app(config)) as http:
            codes = [
                http.post("/ingest/school/verzuim", content=b"a", headers=bearer(f"gok{n}"))
                for n in range(20)
            ]
            assert [c.status_code for c in codes] == [401] * 5 + [429] * 15
            assert int(codes[-1].headers["Retry-After"]) >= 1
            # The address is refused even with a good token until it waited.
            blocked = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(good))
            assert blocked.status_code == 429
            clock.now += 10.0
            ok = http.post("/ingest/school/verzuim", content=b"a", headers=bearer(good))
            assert ok.status_code == 202
            clock.now += 60.0
            failures.flush()
        lines = [e for e in logs if "token" in e["event"] or "refused" in e["event"]]
        assert len(lines) == 1, lines
        assert lines[0]["attempts"] == 21
        assert lines[0]["unknown"] == 5
        assert lines[0]["blocked"] == 16
        assert lines[0]["addresses"] == 1

    def test_another_address_is_not_blocked(self) -> None:
        failures = FailedAttempts(rate=0.1, burst=2, clock=Clock())
        for _ in range(5):
            failures.failed("10.0.0.1", "unknown")
        assert failures.blocked("10.0.0.1") > 0
        assert failures.blocked("10.0.0.2") == 0.0
