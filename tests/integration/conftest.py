"""Integration-suite guard: after the last test, no personal data may be left on the broker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from hub.bus.scan import list_topics, scan_topics
from tests.conftest import Broker
from tests.pii import PLANTED_PREFIX


@pytest.fixture(scope="session", autouse=True)
def no_pii_left_on_the_bus(kafka_broker: Broker) -> Iterator[None]:
    """Scan every topic the integration tests created; fail the run on any finding."""
    before = set(asyncio.run(list_topics(kafka_broker.bootstrap)))
    yield
    topics = [t for t in asyncio.run(list_topics(kafka_broker.bootstrap)) if t not in before]
    report = asyncio.run(
        scan_topics(kafka_broker.bootstrap, topics, exclude_prefixes=(PLANTED_PREFIX,))
    )
    if report.findings:
        lines = "\n".join(f.line() for f in report.findings[:50])
        pytest.fail(
            f"personal data left on the bus by the integration tests "
            f"({len(report.findings)} finding(s) in {report.records} records):\n{lines}",
            pytrace=False,
        )


@pytest.fixture
def planted_topic(unique: str) -> str:
    """A topic name for personal data planted on purpose (skipped by the session-end check)."""
    return f"{PLANTED_PREFIX}{unique}"
