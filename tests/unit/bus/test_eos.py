"""KIP-447 pieces: the flexible request encodings and how answers are read."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import errors as kerrors
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from hub.bus import eos


class _Coordinator:
    def __init__(self) -> None:
        self.dead = 0

    def coordinator_dead(self) -> None:
        self.dead += 1


def _fetch_answer(*parts: tuple[int, int, int], error: int = 0) -> Any:
    """An OffsetFetch v7 answer for topic `t`: (partition, offset, error code) per partition."""
    return SimpleNamespace(
        error_code=error,
        topics=[("t", [(p, off, -1, "", code, {}) for p, off, code in parts], {})],
    )


class TestEncoding:
    def test_txn_offset_commit_v3_round_trips_with_the_generation(self) -> None:
        fields = ("tx", "grp", 7, 2, 41, "member-1", None, [("t", [(0, 10, -1, "", {})], {})], {})
        encoded = eos.TxnOffsetCommitRequest_v3(*fields).encode()
        decoded = eos.TxnOffsetCommitRequest_v3.SCHEMA.decode(io.BytesIO(encoded))
        assert decoded[4:7] == (41, "member-1", None)
        assert decoded[7][0][1][0][:2] == (0, 10)

    def test_offset_fetch_v7_asks_for_stable_offsets(self) -> None:
        request = eos._OffsetFetch("grp", [("t", [0, 1], {})]).build(eos.OffsetFetchRequest_v7)
        decoded = eos.OffsetFetchRequest_v7.SCHEMA.decode(io.BytesIO(request.encode()))
        assert decoded == ("grp", [("t", [0, 1], {})], True, {})

    def test_both_use_the_flexible_header(self) -> None:
        assert eos.TxnOffsetCommitRequest_v3.FLEXIBLE_VERSION
        assert eos.OffsetFetchRequest_v7.FLEXIBLE_VERSION


class TestReadOffsets:
    def test_offsets_and_absent_ones(self) -> None:
        found, retry = eos._read_offsets(_fetch_answer((0, 12, 0), (1, -1, 0)), _Coordinator())
        assert not retry
        assert found == {TopicPartition("t", 0): 12, TopicPartition("t", 1): None}

    def test_an_open_transaction_means_ask_again(self) -> None:
        answer = _fetch_answer((0, 12, 0), (1, 3, eos.UNSTABLE_OFFSET_COMMIT))
        assert eos._read_offsets(answer, _Coordinator()) == ({}, True)

    def test_a_moved_coordinator_is_forgotten_and_asked_again(self) -> None:
        coordinator = _Coordinator()
        code = kerrors.NotCoordinatorForGroupError.errno
        assert eos._read_offsets(_fetch_answer(error=code), coordinator) == ({}, True)
        assert coordinator.dead == 1

    def test_other_errors_raise(self) -> None:
        code = kerrors.GroupAuthorizationFailedError.errno
        with pytest.raises(kerrors.GroupAuthorizationFailedError):
            eos._read_offsets(_fetch_answer((0, 1, code)), _Coordinator())


class _TxnManager:
    transactional_id = "tx"
    producer_id = 7
    producer_epoch = 2

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.committed: list[tuple[TopicPartition, int, str]] = []

    def fatal_error(self, exc: BaseException) -> None:
        self.errors.append(exc)

    def offset_committed(self, tp: TopicPartition, offset: int, group_id: str) -> None:
        self.committed.append((tp, offset, group_id))


def _handler(generation: int = 5) -> tuple[eos._GenerationCommitHandler, _TxnManager]:
    txn = _TxnManager()
    sender = SimpleNamespace(_txn_manager=txn, _retry_backoff=0.1)
    offsets = {TopicPartition("t", 0): OffsetAndMetadata(10, "")}
    member = eos.GroupMetadata("grp", generation, "member-1")
    return eos._GenerationCommitHandler(sender, offsets, "grp", member), txn


class TestGenerationCommitHandler:
    def test_the_request_carries_the_member_and_its_generation(self) -> None:
        handler, _ = _handler(generation=9)
        struct = handler.create_request().build(eos.TxnOffsetCommitRequest_v3)
        assert (struct.generation_id, struct.member_id) == (9, "member-1")
        assert struct.topics == [("t", [(0, 10, -1, "", {})], {})]

    def test_a_commit_the_group_refuses_ends_the_producer(self) -> None:
        handler, txn = _handler()
        code = kerrors.IllegalGenerationError.errno
        assert handler.handle_response(SimpleNamespace(errors=[("t", [(0, code, {})], {})])) is None
        assert len(txn.errors) == 1
        assert "group moved on" in str(txn.errors[0])
        assert txn.committed == []

    def test_a_good_answer_marks_the_offsets_committed(self) -> None:
        handler, txn = _handler()
        assert handler.handle_response(SimpleNamespace(errors=[("t", [(0, 0, {})], {})])) is None
        assert txn.committed == [(TopicPartition("t", 0), 10, "grp")]
        assert txn.errors == []

    def test_a_busy_coordinator_is_asked_again_soon(self) -> None:
        handler, txn = _handler()
        code = kerrors.CoordinatorLoadInProgressError.errno
        backoff = handler.handle_response(SimpleNamespace(errors=[("t", [(0, code, {})], {})]))
        assert backoff == eos.CONCURRENT_TRANSACTIONS_BACKOFF
        assert txn.committed == []
        assert txn.errors == []
