"""Kafka clients configured from the settings; the one place that builds aiokafka objects."""

from __future__ import annotations

import contextlib
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from hub.settings import HubSettings


class BusUnavailable(RuntimeError):
    """No broker answers; the message is one line that says what to do."""


def bootstrap_servers(settings: HubSettings) -> str:
    """KAFKA_BOOTSTRAP_SERVERS when set, else the address of the local broker instance."""
    if settings.kafka_bootstrap_servers:
        return settings.kafka_bootstrap_servers
    from hub.bus.launcher import LocalKafka

    instance = LocalKafka.from_settings(settings).instance()
    if instance is not None:
        return instance.bootstrap
    return f"127.0.0.1:{settings.kafka_port or 9092}"


async def fetch_metadata(bootstrap: str) -> list[str]:
    """Ask the cluster for its metadata; return the topic names."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=3000, connections_max_idle_ms=10_000
    )
    await admin.start()
    try:
        topics: list[str] = await admin.list_topics()
        return topics
    finally:
        await admin.close()


async def ensure_reachable(bootstrap: str, timeout: float = 10.0) -> None:
    """Raise BusUnavailable with a one-line hint when no broker answers at `bootstrap`."""
    import asyncio

    try:
        await asyncio.wait_for(fetch_metadata(bootstrap), timeout)
    except Exception as exc:
        raise BusUnavailable(
            f"no Kafka broker answers at {bootstrap} ({type(exc).__name__}): check "
            "KAFKA_BOOTSTRAP_SERVERS, or run `hub kafka up` for the local broker"
        ) from None


def producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent producer (acks=all); pass `transactional_id` for transactions."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "compression_type": None,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def consumer(bootstrap: str, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer that reads committed records only and commits offsets explicitly."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


async def create_topics(
    bootstrap: str,
    topics: list[tuple[str, int, dict[str, str]]],
) -> list[str]:
    """Create (name, partitions, config) topics that do not exist yet; return those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    created: list[str] = []
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(name, partitions, 1, topic_configs=config)
            for name, partitions, config in topics
            if name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
            created = [t.name for t in new]
    finally:
        await admin.close()
    return created
