"""Follow topics from the beginning and keep following: what an in-memory read model consumes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import TopicPartition

from hub.bus import client
from hub.bus.scan import topic_partitions
from hub.bus.security import ClientSecurity


@dataclass(frozen=True, slots=True)
class Followed:
    """One committed record: where it came from, key, value and headers."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """Marks that every partition was read up to the end seen when following started."""


async def follow(
    bootstrap: str,
    topics: Sequence[str],
    *,
    security: ClientSecurity | None = None,
    wait_for_topics: float = 60.0,
) -> AsyncIterator[Followed | CaughtUp]:
    """Yield committed records of `topics` from the start, a `CaughtUp` once, then new ones."""
    partitions: list[TopicPartition] = []
    async with asyncio.timeout(wait_for_topics):
        while len({tp.topic for tp in partitions}) < len(set(topics)):
            partitions = await topic_partitions(bootstrap, list(topics))
            if len({tp.topic for tp in partitions}) < len(set(topics)):
                await asyncio.sleep(0.5)
    # No group: every loket process keeps the whole view in memory, so it assigns all partitions.
    consumer = client.consumer(bootstrap, group_id=None, security=security, fetch_max_wait_ms=100)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        caught_up = False
        while True:
            if not caught_up:
                positions = [await consumer.position(tp) for tp in partitions]
                if all(p >= ends[tp] for p, tp in zip(positions, partitions, strict=True)):
                    caught_up = True
                    yield CaughtUp()
            batches = await consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for r in records:
                    yield Followed(
                        tp.topic, tp.partition, r.offset, r.key, r.value, tuple(r.headers or ())
                    )
    finally:
        await consumer.stop()
