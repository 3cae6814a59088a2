"""Read whole topics from the beginning to their current end; the Kafka side of `hub pii scan`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from hub.bus import client
from hub.bus.security import ClientSecurity
from hub.privacy.leakscan import RecordFinding, scan_record


async def read_to_end(
    bootstrap: str,
    topics: Iterable[str],
    *,
    isolation_level: str = "read_committed",
    timeout: float = 120.0,
    start: dict[TopicPartition, int] | None = None,
    security: ClientSecurity | None = None,
) -> AsyncIterator[Any]:
    """Yield the records of `topics` from the beginning (or `start`) to the end seen at first."""
    partitions = await topic_partitions(bootstrap, list(topics), security=security)
    if not partitions:
        return
    consumer = client.consumer(
        bootstrap,
        group_id=None,
        isolation_level=isolation_level,
        enable_auto_commit=False,
        security=security,
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        for tp in partitions:
            if start and start.get(tp):
                consumer.seek(tp, start[tp])
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        async with asyncio.timeout(timeout):
            while True:
                todo = [tp for tp in partitions if await consumer.position(tp) < ends[tp]]
                if not todo:
                    return
                batches = await consumer.getmany(*todo, timeout_ms=500)
                for tp, records in batches.items():
                    for record in records:
                        if record.offset < ends[tp]:
                            yield record
    finally:
        await consumer.stop()


async def topic_partitions(
    bootstrap: str, topics: list[str], *, security: ClientSecurity | None = None
) -> list[TopicPartition]:
    """Every partition of `topics` that exist (missing topics have none)."""
    if not topics:
        return []
    admin = client.admin(bootstrap, security=security)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], part["partition"])
        for topic in described
        if topic["error_code"] == 0
        for part in sorted(topic["partitions"], key=lambda p: p["partition"])
    ]


async def list_topics(bootstrap: str, include_internal: bool = False) -> list[str]:
    """Every topic of the cluster, without Kafka's internal `__...` topics unless asked."""
    names = await client.fetch_metadata(bootstrap)
    return sorted(t for t in names if include_internal or not t.startswith("__"))


@dataclass
class ScanReport:
    """What a scan saw: how much, and each finding (never a value)."""

    topics: list[str] = field(default_factory=list)
    records: int = 0
    findings: list[RecordFinding] = field(default_factory=list)


async def scan_topics(
    bootstrap: str,
    topics: Iterable[str] | None = None,
    *,
    exclude_prefixes: tuple[str, ...] = (),
    timeout: float = 300.0,
) -> ScanReport:
    """Scan `topics` (default: every non-internal topic) from the beginning for personal data."""
    chosen = list(topics) if topics is not None else await list_topics(bootstrap)
    chosen = [t for t in chosen if not t.startswith(exclude_prefixes)]
    report = ScanReport(topics=chosen)
    # read_uncommitted: aborted transactional records sit on disk too, and a leak is a leak.
    async for record in read_to_end(
        bootstrap, chosen, isolation_level="read_uncommitted", timeout=timeout
    ):
        report.records += 1
        headers = [(name, value) for name, value in (record.headers or ())]
        for finding in scan_record(record.key, record.value, headers):
            report.findings.append(
                RecordFinding(
                    record.topic, record.partition, record.offset, finding.rule, finding.path
                )
            )
    return report
