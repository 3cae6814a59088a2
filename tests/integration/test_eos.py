"""KIP-447 on the real broker: a zombie's commit is refused, a new owner waits for open offsets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from hub.bus import client, eos
from tests.integration.bus_helpers import read_all


@asynccontextmanager
async def member(bootstrap: str, group: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer in `group` subscribed to `topic`, polled until it owns partitions."""
    consumer = client.consumer(bootstrap, group_id=group, session_timeout_ms=6000)
    consumer.subscribe([topic])
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while not consumer.assignment():
                await consumer.getmany(timeout_ms=100)
        yield consumer
    finally:
        await consumer.stop()


async def bound_producer(
    bootstrap: str, tid: str, metadata: Callable[[], eos.GroupMetadata]
) -> AIOKafkaProducer:
    producer = client.producer(bootstrap, transactional_id=tid)
    await producer.start()
    eos.bind_generation(producer, metadata)
    return producer


class TestGenerationFencing:
    async def test_a_commit_from_a_generation_the_group_left_is_refused(
        self, bootstrap: str, unique: str
    ) -> None:
        source, out, group = f"eos.in.{unique}", f"eos.out.{unique}", f"eos-{unique}"
        await client.create_topics(bootstrap, [(source, 2, {}), (out, 1, {})])
        async with member(bootstrap, group, source) as first:
            old = eos.group_metadata(first)
            async with member(bootstrap, group, source) as second:
                # The first member rejoins into the new generation as it polls.
                async with asyncio.timeout(30):
                    while eos.group_metadata(first).generation_id == old.generation_id:
                        await first.getmany(timeout_ms=100)
                zombie = await bound_producer(bootstrap, f"z-{unique}", lambda: old)
                try:
                    await zombie.begin_transaction()
                    await zombie.send(out, b"from the zombie")
                    with pytest.raises(eos.GroupMovedOn, match="group moved on"):
                        await zombie.send_offsets_to_transaction(
                            {TopicPartition(source, 0): 5}, group
                        )
                finally:
                    await zombie.stop()
                # The refused producer is done; the member starts one with the same id, which
                # aborts the zombie's open transaction, and commits with the live generation.
                live = eos.group_metadata(second)
                again = await bound_producer(bootstrap, f"z-{unique}", lambda: live)
                try:
                    async with again.transaction():
                        await again.send(out, b"from a member")
                        await again.send_offsets_to_transaction(
                            {TopicPartition(source, 0): 7}, group
                        )
                finally:
                    await again.stop()
                got = await read_all(bootstrap, out, 1, settle=0.5)
                assert [v for _, v in got] == [b"from a member"]
                committed = await eos.stable_offsets(second, [TopicPartition(source, 0)])
                assert committed == {TopicPartition(source, 0): 7}


class TestStableOffsets:
    async def test_the_fetch_waits_while_a_transaction_holds_offsets(
        self, bootstrap: str, unique: str
    ) -> None:
        source, group = f"eos.in.{unique}", f"eos-{unique}"
        await client.create_topics(bootstrap, [(source, 1, {})])
        tp = TopicPartition(source, 0)
        reader = client.consumer(bootstrap, group_id=group)
        await reader.start()
        # Generation -1 without a member: the coordinator skips the generation check.
        producer = await bound_producer(
            bootstrap, f"s-{unique}", lambda: eos.GroupMetadata(group, -1, "")
        )
        try:
            assert await eos.stable_offsets(reader, [tp]) == {tp: None}
            await producer.begin_transaction()
            await producer.send_offsets_to_transaction({tp: 3}, group)
            with pytest.raises(TimeoutError):
                await eos.stable_offsets(reader, [tp], timeout=1.5)
            await producer.commit_transaction()
            assert await eos.stable_offsets(reader, [tp], timeout=10) == {tp: 3}
        finally:
            await producer.stop()
            await reader.stop()
