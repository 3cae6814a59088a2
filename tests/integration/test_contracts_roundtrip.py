"""Every example event goes through the real broker in binary mode and comes back equal."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hub.bus import client
from hub.bus.cloudevents import decode_record, encode
from hub.bus.topics import create_registry_topics
from hub.events.registry import event_types
from hub.events.topics import CASUS_UIT, physical_name, registry, topic
from hub.settings import HubSettings
from tests.unit.events.helpers import example_event


async def _read_all(bootstrap: str, name: str, group: str, count: int) -> list[Any]:
    consumer = client.consumer(bootstrap, name, group_id=group)
    await consumer.start()
    got: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(got) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got += records
    finally:
        await consumer.stop()
    return got


class TestContractsOnKafka:
    async def test_every_example_roundtrips_in_binary_mode(
        self, bootstrap: str, unique: str
    ) -> None:
        name = f"test.contracts.{unique}"
        await client.create_topics(bootstrap, [(name, 3, {})])
        events = [example_event(t, record=f"r-{i}") for i, t in enumerate(event_types())]
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            for event in events:
                record = encode(event)
                await producer.send(
                    name, record.value, key=record.key, headers=list(record.headers)
                )
            await producer.flush()
        finally:
            await producer.stop()

        got = await _read_all(bootstrap, name, f"g-{unique}", len(events))
        by_id = {e.id: e for e in events}
        assert len(got) == len(events)
        for record in got:
            decoded = decode_record(record)
            sent = by_id[decoded.id]
            assert decoded == sent
            assert list(record.headers) == list(encode(sent).headers)
            assert record.key == sent.subject.encode()

        # A plain consumer that knows nothing of the hub reads the data with json.loads.
        plain = await _read_all(bootstrap, name, f"plain-{unique}", len(events))
        for record in plain:
            headers = {k: v.decode() for k, v in record.headers}
            sent = by_id[headers["ce_id"]]
            assert (
                json.loads(record.value) == sent.model_dump(mode="json", exclude_none=True)["data"]
            )
            assert headers["ce_type"] == sent.type

    async def test_registry_topics_created_with_prefix(self, bootstrap: str, unique: str) -> None:
        settings = HubSettings(topic_prefix=f"t{unique}.")
        created = await create_registry_topics(bootstrap, settings)
        assert sorted(created) == sorted(physical_name(n, settings) for n in registry())
        assert await create_registry_topics(bootstrap, settings) == []
        assert physical_name(CASUS_UIT, settings) in await client.fetch_metadata(bootstrap)
        assert topic(CASUS_UIT).partitions == 12
