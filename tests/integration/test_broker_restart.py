"""A dedicated broker is stopped and restarted: what was committed survives, nothing doubles."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.bus import client
from hub.ops.launcher import LocalKafka
from tests.conftest import start_local_broker
from tests.integration.bus_helpers import Topics, inputs, read_all
from tests.integration.processor_app import make_processor
from tests.integration.test_processor_fault import assert_exactly_once, stream


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker of this module's own, apart from the session's, so stopping it harms no one."""
    local = start_local_broker(Path(tmp_path_factory.mktemp("own-kafka")))
    try:
        yield local
    finally:
        local.down()


def address(local: LocalKafka) -> str:
    instance = local.instance()
    assert instance is not None
    return instance.bootstrap


async def restart(local: LocalKafka, how: str = "down") -> None:
    """Stop (cleanly, or SIGKILL as a crash) and start the broker; clients keep running."""
    await asyncio.to_thread(local.kill if how == "kill" else local.down)
    await asyncio.to_thread(local.up, 120)


class TestDurability:
    async def test_committed_records_are_read_back_after_a_restart(
        self, own_broker: LocalKafka, unique: str
    ) -> None:
        bootstrap = address(own_broker)
        plain, txn = f"d.plain.{unique}", f"d.txn.{unique}"
        await client.create_topics(bootstrap, [(plain, 2, {}), (txn, 2, {})])
        sent = [(f"k{i % 3}".encode(), f"v{i}".encode()) for i in range(50)]
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            await asyncio.gather(*[await producer.send(plain, v, key=k) for k, v in sent])
        finally:
            await producer.stop()
        transactional = client.producer(bootstrap, transactional_id=f"d-{unique}")
        await transactional.start()
        try:
            async with transactional.transaction():
                for k, v in sent:
                    await transactional.send(txn, v, key=k)
            await transactional.begin_transaction()
            await transactional.send(txn, b"never", key=b"k0")
            await transactional.abort_transaction()
        finally:
            await transactional.stop()
        await restart(own_broker)
        for topic in (plain, txn):
            got = await read_all(bootstrap, topic, len(sent), settle=0.3)
            assert sorted(got) == sorted(sent)


class TestProcessorAcrossRestart:
    async def test_exactly_once_when_the_broker_crashes_mid_stream(
        self, own_broker: LocalKafka, unique: str
    ) -> None:
        # SIGKILL rather than a clean stop: the harsher case (the durability test above stops
        # it cleanly); both ran green, one is kept for the time budget.
        how = "kill"
        bootstrap = address(own_broker)
        topics = Topics.named(unique)
        await topics.create(bootstrap, 2)
        sent = inputs(1500, keys=7)
        processor = make_processor(bootstrap, f"app-{unique}", *vars(topics).values())
        async with processor:
            await processor.wait_ready()
            producing = asyncio.create_task(stream(bootstrap, topics.source, sent, pause=0.1))
            await read_all(bootstrap, topics.out, 300, settle=0)
            await restart(own_broker, how)  # mid-stream: producer and processor keep running
            await producing
            got = await read_all(bootstrap, topics.out, len(sent), timeout=90)
        assert_exactly_once(got, sent)
        print(f"broker {how}+up: aborts={processor.stats.aborts} tx={processor.stats.transactions}")
