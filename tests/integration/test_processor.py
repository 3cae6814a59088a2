"""The transactional processor on the real broker: counts, dedup, DLQ, two instances."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from hub.bus import client
from hub.bus.topology import TopologyError
from tests.integration.bus_helpers import (
    COMPACTED,
    Topics,
    counts_per_key,
    inputs,
    produce,
    read_all,
)
from tests.integration.processor_app import make_processor
from tests.pii import PLANTED_PREFIX


class TestCounting:
    async def test_every_record_has_its_effect_once(self, bootstrap: str, unique: str) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 3)
        sent = inputs(300, keys=7)
        await produce(bootstrap, topics.source, sent)
        processor = make_processor(bootstrap, f"app-{unique}", *vars(topics).values())
        async with processor:
            got = await read_all(bootstrap, topics.out, len(sent))
        per_key = counts_per_key(got)
        assert len(got) == len(sent)
        for key, counts in per_key.items():
            expected = sum(1 for k, _, _ in sent if k == key)
            assert counts == list(range(1, expected + 1))
        assert processor.stats.processed == len(sent)


class TestRestartAndDedup:
    async def test_state_is_rebuilt_and_resent_ids_have_no_effect(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 2)
        first = inputs(40, keys=4)
        await produce(bootstrap, topics.source, first)
        async with make_processor(bootstrap, f"app-{unique}", *vars(topics).values()):
            await read_all(bootstrap, topics.out, len(first), settle=0.2)
        # A new instance: state comes back from the changelog, so counts go on from 10.
        again = first[-8:]  # re-sent source records: same deterministic ids
        second = inputs(8, keys=4, prefix="b")
        await produce(bootstrap, topics.source, again + second)
        processor = make_processor(bootstrap, f"app-{unique}", *vars(topics).values())
        async with processor:
            got = await read_all(bootstrap, topics.out, len(first) + len(second))
        assert processor.stats.duplicates == len(again)
        assert processor.stats.restored_keys >= 4
        for counts in counts_per_key(got).values():
            assert counts == list(range(1, 13))


class TestDeadLetters:
    async def test_bad_records_go_to_the_dlq_and_the_stream_goes_on(
        self, bootstrap: str, unique: str
    ) -> None:
        # The input holds a planted BSN on purpose; the DLQ topic is still checked at session end.
        topics = dataclasses.replace(Topics.named(unique), source=f"{PLANTED_PREFIX}in.{unique}")
        await topics.create(bootstrap, 2)
        sent = [
            (b"k1", b"a", "id-1"),
            (b"k1", b"bad 123456782", "id-2"),  # a made-up BSN that passes the 11-proef
            (b"k1", b"boom", "id-3"),
            (b"k1", b"b", "id-4"),
        ]
        await produce(bootstrap, topics.source, sent)
        processor = make_processor(bootstrap, f"app-{unique}", *vars(topics).values())
        async with processor:
            got = await read_all(bootstrap, topics.out, 2)
            letters = await read_all(bootstrap, topics.dlq, 2)
        assert counts_per_key(got) == {b"k1": [1, 2]}
        bodies = [json.loads(v or b"") for _, v in letters]
        assert [(b["reason"], b["attempts"], b["source_offset"]) for b in bodies] == [
            ("unreadable", 1, 1),
            ("handler_error", 3, 2),
        ]
        assert all("123456782" not in (v or b"").decode() for _, v in letters)
        assert bodies[0]["schema_version"] == "hub.deadletter.v1"
        assert bodies[0]["key"] == "k1"
        assert bodies[0]["source_topic"] == topics.source
        assert all("value" not in b for b in bodies)
        assert processor.stats.dead_letters == 2
        assert processor.stats.retries == 2


class TestTwoInstances:
    async def test_they_share_the_partitions_and_take_over(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 4)
        app = f"app-{unique}"
        one = make_processor(bootstrap, app, *vars(topics).values())
        two = make_processor(bootstrap, app, *vars(topics).values())
        await one.start()
        await one.wait_ready()
        await two.start()
        await two.wait_ready()
        async with asyncio.timeout(20):
            await two.wait_for_tasks(lambda tasks: len(tasks) == 2)
            await one.wait_for_tasks(lambda tasks: len(tasks) == 2)
        assert one.tasks.isdisjoint(two.tasks)
        first = inputs(100, keys=10)
        await produce(bootstrap, topics.source, first)
        await read_all(bootstrap, topics.out, len(first), settle=0.2)
        assert one.stats.processed > 0
        assert two.stats.processed > 0
        await two.stop()  # the other one takes over its partitions, state included
        second = inputs(100, keys=10, prefix="b")
        await produce(bootstrap, topics.source, second)
        got = await read_all(bootstrap, topics.out, len(first) + len(second))
        await one.stop()
        assert one.tasks == set()
        for counts in counts_per_key(got).values():
            assert counts == list(range(1, 21))


class TestTopology:
    async def test_a_state_topic_with_other_partitions_is_refused(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 2)
        await client.create_topics(bootstrap, [(f"t.other.{unique}", 3, {})])
        processor = make_processor(
            bootstrap, f"app-{unique}", topics.source, f"t.other.{unique}", topics.dlq, topics.out
        )
        with pytest.raises(TopologyError, match="same partition count"):
            await processor.start()


class TestRecovery:
    async def test_a_failed_transaction_is_rolled_back_and_redone(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await client.create_topics(
            bootstrap,
            [(topics.source, 1, {}), (topics.state, 1, COMPACTED), (topics.dlq, 1, {})],
        )
        sent = inputs(20, keys=2)
        await produce(bootstrap, topics.source, sent)
        # The output topic is missing at first: every transaction fails until it exists.
        processor = make_processor(
            bootstrap,
            f"app-{unique}",
            *vars(topics).values(),
            producer_options={"request_timeout_ms": 1500},
        )
        async with processor:
            async with asyncio.timeout(30):
                await processor.wait_for_aborts(1)
            await client.create_topics(bootstrap, [(topics.out, 1, {})])
            got = await read_all(bootstrap, topics.out, len(sent))
        assert processor.stats.aborts >= 1
        for counts in counts_per_key(got).values():
            assert counts == list(range(1, 11))


class TestSeveralInputs:
    async def test_co_partitioned_topics_share_the_state_of_a_key(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 2)
        other = f"t.in2.{unique}"
        await client.create_topics(bootstrap, [(other, 2, {})])
        await produce(bootstrap, topics.source, inputs(10, keys=2))
        await produce(bootstrap, other, inputs(10, keys=2, prefix="o"))
        processor = make_processor(
            bootstrap, f"app-{unique}", [topics.source, other], topics.state, topics.dlq, topics.out
        )
        async with processor:
            got = await read_all(bootstrap, topics.out, 20)
        assert {k: sorted(c) for k, c in counts_per_key(got).items()} == {
            b"k0": list(range(1, 11)),
            b"k1": list(range(1, 11)),
        }
