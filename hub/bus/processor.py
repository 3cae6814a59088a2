"""Exactly-once consume-transform-produce: outputs, changelog and offsets in one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

from hub.bus import client, eos
from hub.bus.batching import send_batched
from hub.bus.handler import BadInput, Handler, StateCodec
from hub.bus.records import InRecord, Output
from hub.bus.state import TaskState
from hub.bus.step import Step
from hub.bus.topology import TopologyError, partition_counts, require_copartitioned

S = TypeVar("S")
log = structlog.get_logger()

#: How long an open transaction of a crashed instance blocks its partitions before the broker
#: aborts it (Kafka Streams uses 10 s for exactly-once too; aiokafka's default is 60 s).
TRANSACTION_TIMEOUT_MS = 10_000
#: Kafka 4 verifies each transactional produce with the transaction coordinator (KIP-890) and,
#: for aiokafka's produce version, answers NOT_ENOUGH_REPLICAS while the producer's previous
#: transaction is still completing: on a busy broker every other batch. aiokafka retries after
#: `retry_backoff_ms` (100 ms by default), which then dominated the latency's tail; 10 ms cut
#: p99 from 1.6 s to 0.5 s at 500 events/s on this machine (docs/bench.md).
RETRY_BACKOFF_MS = 10


@dataclass
class ProcessorStats:
    """Counters an operator (and a test) can read."""

    processed: int = 0
    outputs: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    retries: int = 0
    transactions: int = 0
    aborts: int = 0
    restored_keys: int = 0
    tasks: set[int] = field(default_factory=set)


class TransactionalProcessor(Generic[S]):
    """Runs a pure handler over co-partitioned input topics with exactly-once effects.

    One task per input partition number, each with its keyed state rebuilt from the compacted
    `state_topic`. The instance commits the outputs, changelog and consumer offsets of all its
    tasks in one Kafka transaction per batch, from one transactional producer; a zombie is
    fenced by its group generation (KIP-447, `hub.bus.eos`), not by a producer per partition.
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        app_id: str,
        input_topics: Sequence[str],
        state_topic: str,
        dlq_topic: str,
        handler: Handler[S],
        codec: StateCodec[S],
        stage: str | None = None,
        bad_input: tuple[type[BaseException], ...] = (BadInput,),
        max_attempts: int = 3,
        dedup: bool = True,
        dedup_window: int = 64,
        max_batch: int = 2000,
        consumer_options: dict[str, Any] | None = None,
        producer_options: dict[str, Any] | None = None,
        transactional_id: str | None = None,
        on_take: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        # Called after tasks were taken (assignment, recovery), before they are processed: a
        # handler's side state (the projector's data keys) catches up with what committed.
        self._on_take = on_take
        self.app_id = app_id
        self.input_topics = tuple(input_topics)
        self.state_topic = state_topic
        self.dlq_topic = dlq_topic
        self.stage = stage or app_id
        self.stats = ProcessorStats()
        self._step = Step[S](handler, self.stage, dlq_topic, bad_input, max_attempts, dedup)
        self._codec = codec
        self._window = dedup_window
        self._max_batch = max_batch
        self._consumer_options = consumer_options or {}
        self._producer_options: dict[str, Any] = {
            "transaction_timeout_ms": TRANSACTION_TIMEOUT_MS,
            "retry_backoff_ms": RETRY_BACKOFF_MS,
        }
        self._producer_options.update(producer_options or {})
        # Unique per instance (two may share a process in tests). A restart under a stable id
        # fences its predecessor at once; under a new one the predecessor's open transaction
        # ends by the transaction timeout.
        self.transactional_id = (
            transactional_id or f"{app_id}-{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        )
        self._consumer: AIOKafkaConsumer | None = None
        self._restorer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._states: dict[int, TaskState[S]] = {}
        self._next: dict[TopicPartition, int] = {}
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Condition()

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the topics, join the group and start processing in the background."""
        await require_copartitioned(self.bootstrap, [*self.input_topics, self.state_topic])
        if (await partition_counts(self.bootstrap, [self.dlq_topic]))[self.dlq_topic] == 0:
            raise TopologyError(f"topic {self.dlq_topic} does not exist; create it first")
        self._consumer = client.consumer(
            self.bootstrap,
            group_id=self.app_id,
            isolation_level="read_committed",
            partition_assignment_strategy=(RangePartitionAssignor,),
            max_partition_fetch_bytes=4 * 1024 * 1024,
            **self._consumer_options,
        )
        self._restorer = client.consumer(self.bootstrap, isolation_level="read_committed")
        await self._restorer.start()
        self._producer = await self._new_producer()
        self._consumer.subscribe(list(self.input_topics), listener=_Listener(self))
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"processor-{self.app_id}")

    async def stop(self) -> None:
        """Finish the batch in progress, leave the group and close every client."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
        async with self._lock:
            for task in list(self._states):
                self._drop(task)
            await self._stop_producer()
        if self._restorer is not None:
            await self._restorer.stop()

    async def run_forever(self) -> None:
        """Start, and run until stopped or cancelled."""
        await self.start()
        try:
            await self._stopping.wait()
        finally:
            await self.stop()

    async def wait_ready(self) -> None:
        """Return once the first assignment was restored and processing began."""
        await self._ready.wait()

    async def wait_for_tasks(self, predicate: Callable[[set[int]], bool]) -> set[int]:
        """Wait until the owned tasks satisfy `predicate` (checked after each assignment)."""
        async with self._changed:
            await self._changed.wait_for(lambda: predicate(self.tasks))
            return self.tasks

    async def wait_for_aborts(self, count: int) -> None:
        """Wait until `count` transactions were aborted (for tests and health checks)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.stats.aborts >= count)

    @property
    def tasks(self) -> set[int]:
        """The input partition numbers this instance owns now."""
        return set(self._states)

    async def __aenter__(self) -> TransactionalProcessor[S]:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._consumer is not None
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                fetch = asyncio.ensure_future(
                    self._consumer.getmany(timeout_ms=1000, max_records=self._max_batch)
                )
                await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fetch
                    break
                batch = fetch.result()
                if batch:
                    async with self._lock:
                        await self._process(batch)
        finally:
            stop.cancel()

    async def _process(self, batch: dict[TopicPartition, list[Any]]) -> None:
        outputs: list[Output] = []
        offsets: dict[TopicPartition, int] = {}
        tasks: set[int] = set()
        processed = duplicates = letters = retries = 0
        for tp, records in batch.items():
            state = self._states.get(tp.partition)
            if state is None:
                continue  # revoked while the fetch was in flight
            expected = self._next.get(tp, 0)
            for raw in records:
                if raw.offset < expected:
                    continue  # already committed: a stale fetch from before a seek
                record = InRecord(
                    raw.topic,
                    raw.partition,
                    raw.offset,
                    raw.key,
                    raw.value,
                    tuple(raw.headers),
                    raw.timestamp,
                )
                outcome = self._step(state, record)
                outputs += outcome.outputs
                processed += 1
                duplicates += outcome.duplicate
                letters += outcome.dead_letter
                retries += outcome.retries
                offsets[tp] = raw.offset + 1
                tasks.add(tp.partition)
        if not offsets:
            return
        changelog = [o for t in tasks for o in self._states[t].changelog(self.state_topic, t)]
        try:
            await self._commit([*outputs, *changelog], offsets)
        except Exception as exc:
            # Kafka errors mostly (broker gone, timeout, a zombie's commit refused); whatever
            # it was, the broker's committed offsets and state are the truth to start over from.
            for t in tasks:
                self._states[t].rollback()
            self.stats.aborts += 1
            async with self._changed:
                self._changed.notify_all()
            log.warning("bus.processor.abort", app=self.app_id, error=type(exc).__name__)
            await self._recover(sorted(tasks))
            return
        for t in tasks:
            self._states[t].commit()
        self._next.update(offsets)
        self.stats.transactions += 1
        self.stats.processed += processed
        self.stats.outputs += len(outputs) - letters
        self.stats.duplicates += duplicates
        self.stats.dead_letters += letters
        self.stats.retries += retries

    async def _commit(self, records: list[Output], offsets: dict[TopicPartition, int]) -> None:
        """Produce `records` and commit `offsets` in one transaction."""
        producer = self._producer
        assert producer is not None
        await producer.begin_transaction()
        sent = await send_batched(producer, records)
        # The offsets go to the group coordinator while the records are on their way.
        await producer.send_offsets_to_transaction(offsets, self.app_id)
        await asyncio.gather(*sent)
        await producer.commit_transaction()

    # -- ownership ----------------------------------------------------------------------------

    def _tps(self, task: int) -> list[TopicPartition]:
        return [TopicPartition(t, task) for t in self.input_topics]

    async def _take(self, tasks: list[int]) -> None:
        """Become the owner of `tasks`: restore their state, seek to their committed offsets.

        Every step runs for all tasks at once: a rebalance that hands over 12 partitions
        costs one pass over the state topic and one offset fetch. The fetch is stable: while
        the previous owner's transaction still holds offsets of these partitions, it waits
        for that transaction to end, so state and offsets are read after it, never before.
        """
        assert self._consumer is not None
        tps = [tp for task in tasks for tp in self._tps(task)]
        committed = await eos.stable_offsets(self._consumer, tps)
        states = {task: TaskState[S](self._codec, self._window) for task in tasks}
        self.stats.restored_keys += await self._restore(states)
        fresh = [tp for tp in tps if committed[tp] is None]
        # One ListOffsets for all fresh partitions: seek_to_beginning per partition waits
        # for the fetch in flight each time, seconds for a dozen partitions.
        starts = await self._consumer.beginning_offsets(fresh) if fresh else {}
        for tp in tps:
            offset = committed[tp]
            position = starts[tp] if offset is None else offset
            self._consumer.seek(tp, position)
            self._next[tp] = position
        if self._on_take is not None:
            await self._on_take()
        self._states.update(states)
        self.stats.tasks = set(self._states)

    async def _new_producer(self) -> AIOKafkaProducer:
        """The instance's transactional producer, committing with the consumer's generation."""
        assert self._consumer is not None
        eos.shorten_concurrent_transactions_backoff()
        producer = client.producer(
            self.bootstrap, transactional_id=self.transactional_id, **self._producer_options
        )
        # Starting waits for InitProducerId: it fences an earlier producer with this id and
        # ends (commits or aborts) its open transaction.
        await producer.start()
        consumer = self._consumer
        eos.bind_generation(producer, lambda: eos.group_metadata(consumer))
        return producer

    async def _stop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()

    async def _restore(self, states: dict[int, TaskState[S]]) -> int:
        assert self._restorer is not None
        tps = [TopicPartition(self.state_topic, task) for task in states]
        self._restorer.assign(tps)
        await self._restorer.seek_to_beginning(*tps)
        ends = await self._restorer.end_offsets(tps)
        todo = {tp for tp in tps if ends[tp] > 0}
        with _collector_paused():
            count = await self._read_back(states, ends, todo)
        # Left assigned, the restorer would go on fetching every changelog record written.
        self._restorer.assign([])
        return count

    async def _read_back(
        self,
        states: dict[int, TaskState[S]],
        ends: dict[TopicPartition, int],
        todo: set[TopicPartition],
    ) -> int:
        assert self._restorer is not None
        count = 0
        while todo:
            for tp in list(todo):
                if await self._restorer.position(tp) >= ends[tp]:
                    todo.discard(tp)
            if not todo:
                break
            batches = await self._restorer.getmany(*todo, timeout_ms=500)
            for tp, records in batches.items():
                state = states[tp.partition]
                for r in records:
                    if r.offset < ends[tp]:
                        state.restore(r.key, r.value, r.headers)
                        count += 1
        return count

    def _drop(self, task: int) -> None:
        self._states.pop(task, None)
        for tp in self._tps(task):
            self._next.pop(tp, None)
        self.stats.tasks = set(self._states)

    async def _recover(self, tasks: list[int]) -> None:
        """After a failed transaction: a new producer, and `tasks` again from the broker.

        Starting the producer again ends the failed transaction on the broker (commit when
        its end had reached the coordinator, abort otherwise), so the offsets and state read
        afterwards are what really committed.
        """
        for task in tasks:
            self._drop(task)

        async def again() -> None:
            assert self._consumer is not None
            owned = {tp.partition for tp in self._consumer.assignment()}
            await self._stop_producer()
            self._producer = await self._new_producer()
            await self._take([t for t in tasks if t in owned])

        await self._retrying(again, "bus.processor.retake", tasks)

    async def _on_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        # Taking the lock waits for the transaction in flight; tasks we keep stay warm.
        async with self._lock:
            pass

    async def _on_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        wanted = {tp.partition for tp in assigned}
        async with self._lock:
            for task in set(self._states) - wanted:
                self._drop(task)
            kept = sorted(wanted & set(self._states))
            stale = await self._stale(kept)
            for task in stale:
                self._drop(task)
            assert self._consumer is not None
            for task in set(kept) - stale:
                for tp in self._tps(task):
                    self._consumer.seek(tp, self._next.get(tp, 0))
            new = sorted(wanted - set(self._states))
            if new:
                await self._retrying(lambda: self._take(new), "bus.processor.take", new)
        log.info("bus.processor.assigned", app=self.app_id, tasks=sorted(self._states))
        self._ready.set()
        async with self._changed:
            self._changed.notify_all()

    async def _stale(self, kept: list[int]) -> set[int]:
        """Kept tasks another member committed for while this one was out of the group."""
        assert self._consumer is not None
        tps = [tp for task in kept for tp in self._tps(task)]
        committed = await eos.stable_offsets(self._consumer, tps)
        return {
            tp.partition
            for tp, offset in committed.items()
            if offset is not None and offset != self._next.get(tp)
        }

    async def _retrying(
        self, attempt: Callable[[], Awaitable[None]], event: str, tasks: list[int]
    ) -> None:
        """Run `attempt` until it succeeds or the processor stops, backing off up to 2 s."""
        delay = 0.2
        while not self._stopping.is_set():
            try:
                await attempt()
                return
            except (TimeoutError, KafkaError, OSError) as exc:
                log.warning(event, app=self.app_id, tasks=tasks, error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the state is read back.

    Every full collection during a restore walks all the state read so far, which made a
    restore of 500,000 keys quadratic in part. Garbage with cycles, if any, is collected once
    the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, processor: TransactionalProcessor[Any]) -> None:
        self._processor = processor

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self._processor._on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self._processor._on_assigned(assigned)
