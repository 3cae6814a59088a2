"""Idempotent publishing for edges that produce without consuming (HTTP ingest, file import)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import TopicPartition

from hub.bus import client
from hub.bus.batching import send_batched
from hub.bus.records import Output
from hub.bus.security import ClientSecurity
from hub.bus.topology import TopologyError, partition_counts

log = structlog.get_logger()


@dataclass(frozen=True)
class PublishResult:
    """Which event ids went out now and which had been published before."""

    accepted: tuple[str, ...]
    duplicates: tuple[str, ...]


class IdempotentPublisher:
    """Publishes outputs at most once per event id, across restarts.

    The ids already published live in a compacted `seen_topic` (key = event id), loaded at
    start; each `publish` writes its new outputs and their ids in one transaction, so a crash
    can never leave an event without its id or an id without its event. Outputs without a
    `ce_id` header (dead letters) are always published. Give each running publisher its own
    `transactional_id`: a second one with the same id fences the first.
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        seen_topic: str,
        transactional_id: str,
        producer_options: dict[str, Any] | None = None,
        security: ClientSecurity | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.security = security
        self.seen_topic = seen_topic
        self.transactional_id = transactional_id
        self._options = producer_options or {}
        self._producer: AIOKafkaProducer | None = None
        self._seen: set[str] = set()
        self._lock = asyncio.Lock()

    @property
    def seen_count(self) -> int:
        """How many event ids this publisher knows as published."""
        return len(self._seen)

    async def start(self) -> None:
        """Start the transactional producer, then load the published ids."""
        producer = client.producer(
            self.bootstrap,
            transactional_id=self.transactional_id,
            security=self.security,
            **self._options,
        )
        await producer.start()
        try:
            # Waits for InitProducerId: an open transaction of a crashed predecessor is
            # finished first, so the ids we load below are final.
            async with producer.transaction():
                pass
            self._seen = await self._load()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer
        log.info("bus.publisher.started", seen_topic=self.seen_topic, seen=len(self._seen))

    async def _load(self) -> set[str]:
        counts = await partition_counts(self.bootstrap, [self.seen_topic], security=self.security)
        count = counts[self.seen_topic]
        if count == 0:
            raise TopologyError(f"topic {self.seen_topic} does not exist; create it first")
        consumer = client.consumer(
            self.bootstrap, isolation_level="read_committed", security=self.security
        )
        await consumer.start()
        seen: set[str] = set()
        try:
            tps = [TopicPartition(self.seen_topic, p) for p in range(count)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for r in records:
                        if r.key is not None and r.value is not None:
                            seen.add(r.key.decode())
                        elif r.key is not None:
                            seen.discard(r.key.decode())
        finally:
            await consumer.stop()
        return seen

    async def publish(self, outputs: Sequence[Output]) -> PublishResult:
        """Publish the outputs whose event id is new; report the others as duplicates."""
        if self._producer is None:
            raise RuntimeError("the publisher is not running: start it (again)")
        async with self._lock:
            fresh: list[Output] = []
            accepted: list[str] = []
            duplicates: list[str] = []
            batch: set[str] = set()
            for output in outputs:
                event_id = output.event_id
                if event_id is None:
                    fresh.append(output)
                elif event_id in self._seen or event_id in batch:
                    duplicates.append(event_id)
                else:
                    fresh.append(output)
                    accepted.append(event_id)
                    batch.add(event_id)
            if fresh:
                try:
                    await self._send(fresh, accepted)
                except Exception:
                    # The commit may or may not have landed: learn the truth from the broker,
                    # so that the caller's retry publishes exactly what is missing.
                    await self._restart()
                    raise
            self._seen.update(accepted)
        return PublishResult(tuple(accepted), tuple(duplicates))

    async def _send(self, outputs: list[Output], ids: list[str]) -> None:
        assert self._producer is not None
        producer = self._producer
        await producer.begin_transaction()
        try:
            seen = [Output(self.seen_topic, event_id.encode(), b"1") for event_id in ids]
            await asyncio.gather(*await send_batched(producer, [*outputs, *seen]))
        except BaseException:
            with contextlib.suppress(Exception):
                await producer.abort_transaction()
            raise
        await producer.commit_transaction()

    async def _restart(self) -> None:
        await self.stop()
        with contextlib.suppress(Exception):
            await self.start()

    async def stop(self) -> None:
        """Close the producer."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def __aenter__(self) -> IdempotentPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
