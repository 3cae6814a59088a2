"""Records go through the real broker and come back as they were sent."""

from __future__ import annotations

import asyncio

from hub.bus import client


class TestRoundTrip:
    async def test_produce_and_consume(self, bootstrap: str, unique: str) -> None:
        topic = f"test.roundtrip.{unique}"
        assert await client.create_topics(bootstrap, [(topic, 3, {})]) == [topic]
        sent = [(f"kind-{i % 3}".encode(), f"value-{i}".encode()) for i in range(30)]
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            for key, value in sent:
                await producer.send(topic, value, key=key, headers=[("ce_id", value)])
            await producer.flush()
        finally:
            await producer.stop()
        consumer = client.consumer(bootstrap, topic, group_id=f"g-{unique}")
        await consumer.start()
        got: list[tuple[bytes, bytes, bytes]] = []
        try:
            async with asyncio.timeout(30):
                while len(got) < len(sent):
                    for records in (await consumer.getmany(timeout_ms=1000)).values():
                        got += [(r.key, r.value, dict(r.headers)["ce_id"]) for r in records]
        finally:
            await consumer.stop()
        assert sorted((k, v) for k, v, _ in got) == sorted(sent)
        assert all(v == h for _, v, h in got)
        # One key stays on one partition, in order.
        for key in {k for k, _ in sent}:
            order = [v for k, v, _ in got if k == key]
            assert order == [v for k, v in sent if k == key]
