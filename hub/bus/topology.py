"""Topic facts the runtime checks before it starts: partition counts and co-partitioning."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient


class TopologyError(RuntimeError):
    """Topics are missing or not co-partitioned; the message says which."""


async def partition_counts(bootstrap: str, topics: Sequence[str]) -> dict[str, int]:
    """The partition count of each topic; 0 for a topic that does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    counts = {t: 0 for t in topics}
    for topic in described:
        if topic["error_code"] == 0:
            counts[topic["topic"]] = len(topic["partitions"])
    return counts


async def require_copartitioned(bootstrap: str, topics: Sequence[str]) -> int:
    """The common partition count of `topics`; TopologyError when one is absent or differs."""
    counts = await partition_counts(bootstrap, topics)
    missing = sorted(t for t, n in counts.items() if n == 0)
    if missing:
        raise TopologyError(f"topics do not exist, create them first: {', '.join(missing)}")
    if len(set(counts.values())) != 1:
        shown = ", ".join(f"{t}={n}" for t, n in sorted(counts.items()))
        raise TopologyError(f"topics must have the same partition count: {shown}")
    return next(iter(counts.values()))
