"""Test helpers: assert that no personal data reached the bus."""

from __future__ import annotations

from collections.abc import Iterable

from hub.bus.scan import ScanReport, scan_topics
from hub.privacy.leakscan import RecordFinding

#: Topics a test fills with personal data on purpose (to prove the scanner finds it) start with
#: this prefix; the session-end check skips them and nothing else.
PLANTED_PREFIX = "test.pii-planted."


async def pii_findings(bootstrap: str, topics: Iterable[str] | None = None) -> list[RecordFinding]:
    """Every finding on `topics` (default: every topic except planted ones)."""
    report: ScanReport = await scan_topics(
        bootstrap, topics, exclude_prefixes=() if topics is not None else (PLANTED_PREFIX,)
    )
    return report.findings


async def assert_no_pii(bootstrap: str, topics: Iterable[str] | None = None) -> None:
    """Fail with the location (never the value) of each piece of personal data found."""
    findings = await pii_findings(bootstrap, topics)
    assert not findings, "personal data on the bus:\n" + "\n".join(f.line() for f in findings)
