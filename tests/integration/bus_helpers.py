"""Helpers the bus integration tests share: topics, producing inputs, reading outputs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from hub.bus import client

COMPACTED = {"cleanup.policy": "compact"}


@dataclass(frozen=True)
class Topics:
    """The topics of one counting processor."""

    source: str
    state: str
    dlq: str
    out: str

    @classmethod
    def named(cls, unique: str) -> Topics:
        return cls(f"t.in.{unique}", f"t.state.{unique}", f"t.dlq.{unique}", f"t.out.{unique}")

    async def create(self, bootstrap: str, partitions: int) -> None:
        await client.create_topics(
            bootstrap,
            [
                (self.source, partitions, {}),
                (self.state, partitions, COMPACTED),
                (self.dlq, 1, {}),
                (self.out, partitions, {}),
            ],
        )


async def produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes, str]]) -> None:
    """Send (key, value, ce_id) records and wait for the acks."""
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=key, headers=[("ce_id", eid.encode())])
            for key, value, eid in records
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, expected: int, timeout: float = 30.0, settle: float = 1.0
) -> list[tuple[bytes | None, bytes | None]]:
    """Read committed records until `expected` arrived and nothing more came for `settle` s."""
    consumer = client.consumer(bootstrap, topic, isolation_level="read_committed")
    await consumer.start()
    got: list[tuple[bytes | None, bytes | None]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(got) < expected:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got += [(r.key, r.value) for r in records]
        # Anything extra (a duplicate) would show up now.
        for records in (await consumer.getmany(timeout_ms=int(settle * 1000))).values():
            got += [(r.key, r.value) for r in records]
    finally:
        await consumer.stop()
    return got


def counts_per_key(got: list[tuple[bytes | None, bytes | None]]) -> dict[bytes, list[int]]:
    """The running counts the counting handler emitted, per key, in log order."""
    per_key: dict[bytes, list[int]] = {}
    for key, value in got:
        assert key is not None
        assert value is not None
        per_key.setdefault(key, []).append(json.loads(value)["n"])
    return per_key


def inputs(n: int, keys: int, prefix: str = "") -> list[tuple[bytes, bytes, str]]:
    """N records spread over `keys` keys, each with a unique event id."""
    return [(f"k{i % keys}".encode(), f"{prefix}{i}".encode(), f"{prefix}id-{i}") for i in range(n)]
