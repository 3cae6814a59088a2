"""Idempotent publishing for edges that produce without consuming (HTTP ingest, file import)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from hub.bus import client
from hub.bus.batching import send_batched
from hub.bus.records import Output
from hub.bus.security import ClientSecurity
from hub.bus.seen import SeenIds, seen_value
from hub.bus.topology import TopologyError, partition_counts

log = structlog.get_logger()


@dataclass(frozen=True)
class PublishResult:
    """Which event ids went out now, which were published before, and which came back changed."""

    accepted: tuple[str, ...]
    duplicates: tuple[str, ...]
    conflicts: tuple[str, ...] = ()


class IdempotentPublisher:
    """Publishes outputs at most once per event id, across restarts and processes.

    The ids already published live in a compacted `seen_topic` (key = event id, value = the
    content fingerprint the caller gave), the one source of truth every ingest process shares:
    loaded at start and read up to its committed end before every `publish`, so ids another
    process published meanwhile are duplicates here too. Each `publish` writes its new outputs
    and their ids in one transaction, so a crash can never leave an event without its id or an
    id without its event. A known id with another fingerprint is a conflict: not published,
    reported. Outputs without a `ce_id` header (dead letters) are always published. Give each
    running publisher its own `transactional_id`: a second one with the same id fences the first.
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
        self._tail: AIOKafkaConsumer | None = None
        self._seen = SeenIds()
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
            self._seen = SeenIds()
            self._tail = await self._open_tail()
            await self._catch_up()
        except BaseException:
            await self._close_tail()
            await producer.stop()
            raise
        self._producer = producer
        log.info("bus.publisher.started", seen_topic=self.seen_topic, seen=len(self._seen))

    async def _open_tail(self) -> AIOKafkaConsumer:
        """A consumer on every partition of the seen topic, from the beginning."""
        counts = await partition_counts(self.bootstrap, [self.seen_topic], security=self.security)
        count = counts[self.seen_topic]
        if count == 0:
            raise TopologyError(f"topic {self.seen_topic} does not exist; create it first")
        consumer = client.consumer(
            self.bootstrap, isolation_level="read_committed", security=self.security
        )
        await consumer.start()
        try:
            tps = [TopicPartition(self.seen_topic, p) for p in range(count)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
        except BaseException:
            await consumer.stop()
            raise
        return consumer

    async def _catch_up(self) -> None:
        """Fold in what any publisher committed to the seen topic since we last looked."""
        consumer = self._tail
        assert consumer is not None
        tps = list(consumer.assignment())
        ends = await consumer.end_offsets(tps)  # read_committed: the last stable offsets
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    self._seen.apply(r.key, r.value)

    async def _close_tail(self) -> None:
        if self._tail is not None:
            await self._tail.stop()
            self._tail = None

    async def publish(
        self, outputs: Sequence[Output], fingerprints: Mapping[str, str] | None = None
    ) -> PublishResult:
        """Publish the outputs whose event id is new; report duplicates and changed contents.

        `fingerprints` maps event ids to a digest of their content; without one an id that
        was seen before is a duplicate, never a conflict.
        """
        if self._producer is None:
            raise RuntimeError("the publisher is not running: start it (again)")
        prints = fingerprints or {}
        async with self._lock:
            await self._catch_up()
            verdict = self._seen.judge(outputs, prints)
            if verdict.fresh:
                try:
                    await self._send(list(verdict.fresh), verdict.accepted, prints)
                except Exception:
                    # The commit may or may not have landed: learn the truth from the broker,
                    # so that the caller's retry publishes exactly what is missing.
                    await self._restart()
                    raise
            self._seen.mark(verdict.accepted, prints)
        return PublishResult(verdict.accepted, verdict.duplicates, verdict.conflicts)

    async def _send(
        self, outputs: list[Output], ids: Sequence[str], fingerprints: Mapping[str, str]
    ) -> None:
        assert self._producer is not None
        producer = self._producer
        await producer.begin_transaction()
        try:
            seen = [
                Output(self.seen_topic, i.encode(), seen_value(fingerprints.get(i, "")))
                for i in ids
            ]
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
        """Close the producer and the seen topic's reader."""
        await self._close_tail()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def __aenter__(self) -> IdempotentPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
