"""The producer's partitioner: aiokafka's (and Java's) murmur2 choice, with the hash remembered."""

from __future__ import annotations

import hashlib

from aiokafka.partitioner import DefaultPartitioner

from hub.bus.client import partition_for


class TestPartitionFor:
    def test_the_same_partition_as_the_default_for_every_key_and_count(self) -> None:
        keys = [hashlib.sha256(str(i).encode()).hexdigest().encode() for i in range(500)]
        for count in (1, 3, 12, 50):
            parts = list(range(count))
            for key in keys:
                assert partition_for(key, parts, parts) == DefaultPartitioner()(key, parts, parts)

    def test_a_repeated_key_gives_the_same_partition(self) -> None:
        parts = list(range(12))
        assert partition_for(b"kind-7", parts, parts) == partition_for(b"kind-7", parts, parts)

    def test_no_key_picks_an_available_partition(self) -> None:
        assert partition_for(None, [0, 1, 2], [2]) == 2
