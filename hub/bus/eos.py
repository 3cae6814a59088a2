"""KIP-447 exactly-once for aiokafka: one transactional producer per processor instance.

Kafka fences a zombie consumer-producer by its consumer group generation (KIP-447): the
transactional offset commit carries the member's generation, which the group coordinator
refuses once a rebalance moved on, and a new owner reads committed offsets with
`require_stable`, which waits while another member's offsets sit in an open transaction.
aiokafka 0.14 speaks neither (TxnOffsetCommit v0, OffsetFetch up to v3), so this module holds
the two flexible request versions that do (TxnOffsetCommit v3, OffsetFetch v7) and binds them
to a producer and a consumer. With them a processor commits one transaction per batch for all
the partitions it owns, instead of one transaction per partition with a producer each.
"""

from __future__ import annotations

import asyncio
import collections
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka import errors as kerrors
from aiokafka.client import ConnectionGroup, CoordinationType
from aiokafka.producer import sender as aiosender
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    Boolean,
    CompactArray,
    CompactString,
    Int16,
    Int32,
    Int64,
    Schema,
    TaggedFields,
)
from aiokafka.structs import TopicPartition

#: Error codes aiokafka has no class for: a static member replaced, and offsets of an open
#: transaction (the fetch is retried until that transaction ends).
FENCED_INSTANCE_ID = 82
UNSTABLE_OFFSET_COMMIT = 88
#: The coordinator refuses the commit of a member that is not in the current generation.
GENERATION_ERRORS = frozenset(
    {
        kerrors.IllegalGenerationError.errno,
        kerrors.UnknownMemberIdError.errno,
        kerrors.RebalanceInProgressError.errno,
        FENCED_INSTANCE_ID,
    }
)
#: What Kafka 4 answers a transactional offset commit that came while the producer's previous
#: transaction still completes (CONCURRENT_TRANSACTIONS, shown to clients before KIP-890's
#: TxnOffsetCommit v5 as COORDINATOR_LOAD_IN_PROGRESS); aiokafka waits 100 ms after either.
BUSY_ERRORS = frozenset(
    {kerrors.CoordinatorLoadInProgressError.errno, kerrors.ConcurrentTransactions.errno}
)
#: What an offset fetch is asked again after: an open transaction holds offsets, or the
#: coordinator is loading or not there yet.
FETCH_RETRY_ERRORS = frozenset(
    {
        UNSTABLE_OFFSET_COMMIT,
        kerrors.GroupLoadInProgressError.errno,
        kerrors.GroupCoordinatorNotAvailableError.errno,
    }
)
#: Waiting between two tries of a transactional request the broker answered "not yet" to.
#: aiokafka waits 20 ms after CONCURRENT_TRANSACTIONS, the time the broker takes to write the
#: previous transaction's markers; on one machine that takes 2-5 ms, and a processor that
#: commits a transaction per batch pays the difference on every batch (measured in
#: docs/bench.md: one raw transactional hop p50 87 -> 40 ms at 500 records/s).
CONCURRENT_TRANSACTIONS_BACKOFF = 0.003


class GroupMovedOn(kerrors.KafkaError):  # type: ignore[misc]
    """The group coordinator refused a commit: this member is not in the current generation."""


class TxnOffsetCommitResponse_v3(Response):  # type: ignore[misc]  # noqa: N801
    """TxnOffsetCommit v3 response (flexible)."""

    API_KEY = 28
    API_VERSION = 3
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "errors",
            CompactArray(
                ("topic", CompactString("utf-8")),
                (
                    "partition_errors",
                    CompactArray(
                        ("partition", Int32), ("error_code", Int16), ("tags", TaggedFields)
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class TxnOffsetCommitRequest_v3(RequestStruct):  # type: ignore[misc]  # noqa: N801
    """TxnOffsetCommit v3 (KIP-447): the offsets with the member's group generation."""

    FLEXIBLE_VERSION = True
    API_KEY = 28
    API_VERSION = 3
    RESPONSE_TYPE = TxnOffsetCommitResponse_v3
    SCHEMA = Schema(
        ("transactional_id", CompactString("utf-8")),
        ("group_id", CompactString("utf-8")),
        ("producer_id", Int64),
        ("producer_epoch", Int16),
        ("generation_id", Int32),
        ("member_id", CompactString("utf-8")),
        ("group_instance_id", CompactString("utf-8")),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                (
                    "partitions",
                    CompactArray(
                        ("partition_index", Int32),
                        ("committed_offset", Int64),
                        ("committed_leader_epoch", Int32),
                        ("committed_metadata", CompactString("utf-8")),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class OffsetFetchResponse_v7(Response):  # type: ignore[misc]  # noqa: N801
    """OffsetFetch v7 response (flexible)."""

    API_KEY = 9
    API_VERSION = 7
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                (
                    "partitions",
                    CompactArray(
                        ("partition_index", Int32),
                        ("committed_offset", Int64),
                        ("committed_leader_epoch", Int32),
                        ("metadata", CompactString("utf-8")),
                        ("error_code", Int16),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("error_code", Int16),
        ("tags", TaggedFields),
    )


class OffsetFetchRequest_v7(RequestStruct):  # type: ignore[misc]  # noqa: N801
    """OffsetFetch v7: committed offsets, refused while a transaction holds newer ones."""

    FLEXIBLE_VERSION = True
    API_KEY = 9
    API_VERSION = 7
    RESPONSE_TYPE = OffsetFetchResponse_v7
    SCHEMA = Schema(
        ("group_id", CompactString("utf-8")),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("partition_indexes", CompactArray(Int32)),
                ("tags", TaggedFields),
            ),
        ),
        ("require_stable", Boolean),
        ("tags", TaggedFields),
    )


class _TxnOffsetCommit(Request[TxnOffsetCommitRequest_v3]):  # type: ignore[misc]
    API_KEY = 28

    def __init__(self, fields: tuple[Any, ...]) -> None:
        self._fields = fields

    def build(self, request_struct_class: type[TxnOffsetCommitRequest_v3]) -> Any:
        return request_struct_class(*self._fields)


class _OffsetFetch(Request[OffsetFetchRequest_v7]):  # type: ignore[misc]
    API_KEY = 9

    def __init__(self, group_id: str, topics: list[tuple[str, list[int], dict[int, bytes]]]):
        self._group_id = group_id
        self._topics = topics

    def build(self, request_struct_class: type[OffsetFetchRequest_v7]) -> Any:
        return request_struct_class(self._group_id, self._topics, True, {})


@dataclass(frozen=True, slots=True)
class GroupMetadata:
    """What the coordinator checks a transactional commit against: the member's generation."""

    group_id: str
    generation_id: int
    member_id: str
    group_instance_id: str | None = None


def group_metadata(consumer: AIOKafkaConsumer) -> GroupMetadata:
    """The consumer's current group membership (KIP-447's `groupMetadata()`)."""
    coordinator = consumer._coordinator
    return GroupMetadata(
        coordinator.group_id,
        coordinator.generation,
        coordinator.member_id,
        getattr(coordinator, "_group_instance_id", None),
    )


class _V0Errors:
    """A v3 response seen as v0, for aiokafka's own error handling."""

    def __init__(self, resp: Any) -> None:
        self.errors = [(t, [(p, code) for p, code, _ in parts]) for t, parts, _ in resp.errors]


class _GenerationCommitHandler(aiosender.TxnOffsetCommitHandler):  # type: ignore[misc]
    """aiokafka's TxnOffsetCommit handler, speaking v3 with the member's generation."""

    def __init__(self, sender: Any, offsets: Any, group_id: str, member: GroupMetadata) -> None:
        super().__init__(sender, offsets, group_id)
        self._member = member

    def create_request(self) -> _TxnOffsetCommit:
        txn = self._sender._txn_manager
        by_topic: dict[str, list[tuple[int, int, int, str, dict[int, bytes]]]]
        by_topic = collections.defaultdict(list)
        for tp, offset in sorted(self._offsets.items()):
            by_topic[tp.topic].append((tp.partition, offset.offset, -1, offset.metadata, {}))
        m = self._member
        return _TxnOffsetCommit(
            (
                txn.transactional_id,
                self._group_id,
                txn.producer_id,
                txn.producer_epoch,
                m.generation_id,
                m.member_id,
                m.group_instance_id,
                [(topic, parts, {}) for topic, parts in by_topic.items()],
                {},
            )
        )

    def handle_response(self, resp: Any) -> float | None:
        codes = {code for _, parts, _ in resp.errors for _, code, _ in parts}
        if codes & GENERATION_ERRORS:
            # A zombie: this member left the generation that owns these partitions.
            # Fatal, not abortable: aiokafka's abortable path forgets the partitions of the
            # transaction and then skips EndTxn(abort), which left the zombie's records to be
            # committed by the producer's next transaction. A new producer with the same id
            # aborts the open transaction on the broker.
            txn = self._sender._txn_manager
            code = min(codes & GENERATION_ERRORS)
            txn.fatal_error(GroupMovedOn(f"the group moved on (error {code})"))
            # Marked as seen: the caller hears it from the offsets, not from this.
            waiter = getattr(txn, "_transaction_waiter", None)
            if waiter is not None and waiter.done():
                waiter.exception()
            return None
        if codes & BUSY_ERRORS:
            # The previous transaction's markers are still being written: ask again soon.
            return CONCURRENT_TRANSACTIONS_BACKOFF
        result: float | None = super().handle_response(_V0Errors(resp))
        return result


def bind_generation(producer: AIOKafkaProducer, member: Callable[[], GroupMetadata]) -> None:
    """Make `producer` commit offsets with the generation `member()` gives (KIP-447).

    The processor passes its consumer's membership as it is at the moment of the commit.
    """
    sender = producer._sender

    async def _do_txn_offset_commit(self: Any, offsets: Any, group_id: str) -> None:
        if not offsets:
            return
        try:
            node_id = await self._find_coordinator(CoordinationType.GROUP, group_id)
        except kerrors.GroupAuthorizationFailedError as exc:
            self._txn_manager.error_transaction(exc)
            return
        handler = _GenerationCommitHandler(self, offsets, group_id, member())
        await handler.do(node_id)

    sender._do_txn_offset_commit = types.MethodType(_do_txn_offset_commit, sender)


def shorten_concurrent_transactions_backoff() -> None:
    """Retry after CONCURRENT_TRANSACTIONS in a few milliseconds, not aiokafka's 20."""
    aiosender.BACKOFF_OVERRIDE = CONCURRENT_TRANSACTIONS_BACKOFF


async def stable_offsets(
    consumer: AIOKafkaConsumer, partitions: Iterable[TopicPartition], timeout: float = 120.0
) -> dict[TopicPartition, int | None]:
    """Committed offsets with `require_stable`: waits out other members' open transactions.

    None for a partition without a committed offset. Retries while the coordinator answers
    "unstable" (an open transaction holds offsets), is loading, or moved.
    """
    wanted = list(partitions)
    if not wanted:
        return {}
    coordinator = consumer._coordinator
    by_topic: dict[str, list[int]] = collections.defaultdict(list)
    for tp in wanted:
        by_topic[tp.topic].append(tp.partition)
    request = _OffsetFetch(coordinator.group_id, [(t, p, {}) for t, p in by_topic.items()])
    delay = 0.01
    async with asyncio.timeout(timeout):
        while True:
            await coordinator.ensure_coordinator_known()
            try:
                resp = await consumer._client.send(
                    coordinator.coordinator_id, request, group=ConnectionGroup.COORDINATION
                )
            except kerrors.KafkaError as exc:
                if not exc.retriable:
                    raise
                coordinator.coordinator_dead()
                await asyncio.sleep(delay)
                continue
            found, retry = _read_offsets(resp, coordinator)
            if not retry:
                return {tp: found.get(tp) for tp in wanted}
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)


def _read_offsets(resp: Any, coordinator: Any) -> tuple[dict[TopicPartition, int | None], bool]:
    """The offsets of a response, and whether to ask again."""
    parts = [(topic, part) for topic, topic_parts, _ in resp.topics for part in topic_parts]
    # The group's own error first, then each partition's, in the order they came.
    for code in (resp.error_code, *(part[4] for _, part in parts)):
        if code == kerrors.NotCoordinatorForGroupError.errno:
            coordinator.coordinator_dead()
            return {}, True
        if code in FETCH_RETRY_ERRORS:
            return {}, True
        if code:
            raise kerrors.for_code(code)()
    return {
        TopicPartition(topic, partition): offset if offset >= 0 else None
        for topic, (partition, offset, *_) in parts
    }, False
