"""The idempotent publisher: importing the same file twice, across a restart, publishes once."""

from __future__ import annotations

import pytest

from hub.bus import client
from hub.bus.publisher import IdempotentPublisher
from hub.bus.records import Output
from hub.bus.topology import TopologyError
from tests.integration.bus_helpers import COMPACTED, read_all


def rows(topic: str, ids: range) -> list[Output]:
    return [
        Output(topic, f"k{i % 3}".encode(), f"row {i}".encode(), (("ce_id", f"imp-{i}".encode()),))
        for i in ids
    ]


class TestIdempotentPublisher:
    async def test_the_same_import_twice_publishes_once(self, bootstrap: str, unique: str) -> None:
        topic, seen = f"p.out.{unique}", f"p.seen.{unique}"
        await client.create_topics(bootstrap, [(topic, 2, {}), (seen, 2, COMPACTED)])
        options = {"bootstrap": bootstrap, "seen_topic": seen, "transactional_id": f"p-{unique}"}
        async with IdempotentPublisher(**options) as publisher:
            first = await publisher.publish(rows(topic, range(10)))
            again = await publisher.publish(rows(topic, range(10)))
        assert (len(first.accepted), first.duplicates) == (10, ())
        assert (again.accepted, len(again.duplicates)) == ((), 10)
        # A hub restart: a new publisher loads the ids published before.
        async with IdempotentPublisher(**options) as publisher:
            assert publisher.seen_count == 10
            third = await publisher.publish(rows(topic, range(8, 12)))
        assert third.accepted == ("imp-10", "imp-11")
        assert third.duplicates == ("imp-8", "imp-9")
        got = await read_all(bootstrap, topic, 12, settle=0.5)
        assert sorted(v or b"" for _, v in got) == sorted(f"row {i}".encode() for i in range(12))

    async def test_a_repeat_within_one_call_is_a_duplicate(
        self, bootstrap: str, unique: str
    ) -> None:
        topic, seen = f"p.out.{unique}", f"p.seen.{unique}"
        await client.create_topics(bootstrap, [(topic, 1, {}), (seen, 1, COMPACTED)])
        async with IdempotentPublisher(
            bootstrap=bootstrap, seen_topic=seen, transactional_id=f"p-{unique}"
        ) as publisher:
            result = await publisher.publish(rows(topic, range(2)) + rows(topic, range(1)))
        assert (result.accepted, result.duplicates) == (("imp-0", "imp-1"), ("imp-0",))

    async def test_a_missing_seen_topic_is_an_error(self, bootstrap: str, unique: str) -> None:
        publisher = IdempotentPublisher(
            bootstrap=bootstrap, seen_topic=f"p.absent.{unique}", transactional_id=f"p-{unique}"
        )
        with pytest.raises(TopologyError, match="does not exist"):
            await publisher.start()
