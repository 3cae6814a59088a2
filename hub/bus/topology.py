"""Topic facts the runtime checks before it starts: partition counts and co-partitioning."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hub.bus import client
from hub.bus.security import ClientSecurity


class TopologyError(RuntimeError):
    """Topics are missing or not co-partitioned; the message says which."""


async def partition_counts(
    bootstrap: str,
    topics: Sequence[str],
    wait: float = 2.0,
    *,
    security: ClientSecurity | None = None,
) -> dict[str, int]:
    """The partition count of each topic; 0 for a topic still absent after `wait` seconds."""
    admin = client.admin(bootstrap, security=security, request_timeout_ms=10_000)
    await admin.start()
    counts = {t: 0 for t in topics}
    deadline = asyncio.get_running_loop().time() + wait
    delay = 0.05
    try:
        while True:
            for topic in await admin.describe_topics(list(topics)):
                if topic["partitions"]:
                    counts[topic["topic"]] = len(topic["partitions"])
            # A topic created a moment ago may not be in the metadata yet.
            if all(counts.values()) or asyncio.get_running_loop().time() >= deadline:
                return counts
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
    finally:
        await admin.close()


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
