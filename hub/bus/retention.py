"""Retention on the cluster: topic retention as the policy grants it, and transport truncation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiokafka import TopicPartition
from aiokafka.admin import RecordsToDelete
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from hub.bus import client
from hub.bus.scan import topic_partitions


async def set_topic_configs(bootstrap: str, configs: Mapping[str, Mapping[str, str]]) -> None:
    """Give each topic its whole configuration (AlterConfigs replaces what it does not name)."""
    if not configs:
        return
    admin = client.admin(bootstrap)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, name, configs=dict(config))
                for name, config in configs.items()
            ]
        )
    finally:
        await admin.close()


async def truncate_processed(
    bootstrap: str, readers: Mapping[str, Sequence[str]]
) -> dict[TopicPartition, int]:
    """Delete, per partition of each topic, what every consumer group reading it committed past.

    `readers` maps a topic to the groups that read it. A partition some reader has not
    committed for is left alone. Returns the new start offset per truncated partition.
    """
    partitions = await topic_partitions(bootstrap, list(readers))
    if not partitions:
        return {}
    admin = client.admin(bootstrap)
    await admin.start()
    try:
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in {g for groups in readers.values() for g in groups}:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        cut: dict[TopicPartition, RecordsToDelete] = {}
        for tp in partitions:
            offsets = [committed[g].get(tp) for g in readers[tp.topic]]
            if offsets and all(o is not None for o in offsets):
                cut[tp] = RecordsToDelete(before_offset=min(o for o in offsets if o is not None))
        if not cut:
            return {}
        truncated: dict[TopicPartition, int] = await admin.delete_records(cut)
        return truncated
    finally:
        await admin.close()
