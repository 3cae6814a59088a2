"""Batched producing on the real broker: same partitions and order as `send`, in a transaction."""

from __future__ import annotations

import asyncio

from hub.bus import client
from hub.bus.batching import send_batched
from hub.bus.client import partition_for
from hub.bus.records import Output


async def read_back(
    bootstrap: str, topic: str, count: int
) -> list[tuple[int, bytes | None, bytes | None]]:
    consumer = client.consumer(bootstrap, topic, isolation_level="read_committed")
    await consumer.start()
    got: list[tuple[int, bytes | None, bytes | None]] = []
    try:
        async with asyncio.timeout(30):
            while len(got) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got += [(r.partition, r.key, r.value) for r in records]
    finally:
        await consumer.stop()
    return got


class TestSendBatched:
    async def test_records_land_where_send_puts_them_in_order(
        self, bootstrap: str, unique: str
    ) -> None:
        topic = f"batched.{unique}"
        await client.create_topics(bootstrap, [(topic, 4, {})])
        records = [
            Output(topic, f"kind-{i % 7}".encode(), f"{i}".encode(), (("ce_id", b"x"),))
            for i in range(300)
        ]
        records.append(Output(topic, b"kind-1", None))  # a tombstone
        records.append(Output(topic, b"kind-2", b"pinned", partition=3))
        # A small batch size: the records of one partition need several batches.
        producer = client.producer(bootstrap, transactional_id=f"b-{unique}", max_batch_size=1024)
        await producer.start()
        try:
            async with producer.transaction():
                futures = await send_batched(producer, records)
                await asyncio.gather(*futures)
        finally:
            await producer.stop()
        assert len(futures) > 4
        got = await read_back(bootstrap, topic, len(records))
        parts = [0, 1, 2, 3]
        expected = [
            (
                o.partition if o.partition is not None else partition_for(o.key, parts, parts),
                o.key,
                o.value,
            )
            for o in records
        ]
        assert len(got) == len(expected)
        for partition in parts:
            assert [r for r in got if r[0] == partition] == [
                r for r in expected if r[0] == partition
            ]
