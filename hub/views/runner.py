"""The projector on Kafka: contract and casus topics in, view, audit and data-key records out.

Views, audit records, the projector's state changelog and the consumer offsets are written in
one Kafka transaction per batch (the bus runtime's TransactionalProcessor).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import Callable, Iterable
from typing import Any

from hub.bus import client
from hub.bus.datakeys import KafkaDataKeyStore
from hub.bus.handler import PydanticCodec
from hub.bus.processor import TransactionalProcessor
from hub.bus.topology import partition_counts
from hub.events.topics import (
    CASUS_UIT,
    CHILD_PARTITIONS,
    DLQ,
    PRODUCING_PARTNERS,
    VIEWS_STATE,
    contract_topic,
    physical_name,
    topic,
    view_keys_spec,
    view_spec,
)
from hub.privacy.fieldcrypt import DataKeyRing
from hub.privacy.keyring import KeyRing, KeyRingError
from hub.process import settle_heap
from hub.views.handler import ProjectorHandler
from hub.views.project import missing_keys
from hub.views.reencrypt import ViewCrypto
from hub.views.reload import PolicyHolder
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics

APP_ID = "hub-views"

#: The projector's state topic: compacted, erasure bounded to a day like the casus state.
STATE_CONFIG = topic(VIEWS_STATE).config()


def input_topics(prefix: str = "") -> list[str]:
    """Every contract topic and the casus output: what the projector reads."""
    names = [contract_topic(p) for p in PRODUCING_PARTNERS] + [CASUS_UIT]
    return [physical_name(n, prefix=prefix) for n in names]


async def ensure_view_topics(
    bootstrap: str, topics: ViewTopics, audiences: Iterable[str], partitions: int | None = None
) -> None:
    """Create the view and key topic of every audience the policy serves (a school board's
    among them) where missing; `partitions` overrides the registry's count (tests)."""
    specs = []
    for audience in audiences:
        for spec, name in (
            (view_spec(audience), topics.view),
            (view_keys_spec(audience), topics.keys),
        ):
            count = spec.partitions if partitions is None else min(partitions, spec.partitions)
            specs.append((name(audience), count, spec.config()))
    await client.create_topics(bootstrap, specs)


async def create_state_topic(
    bootstrap: str, topics: ViewTopics, partitions: int = CHILD_PARTITIONS
) -> None:
    """Create the projector's compacted state topic, co-partitioned with its inputs."""
    await client.create_topics(bootstrap, [(topics.state, partitions, STATE_CONFIG)])
    # A new topic reaches the metadata of every broker a moment after the create call returns.
    async with asyncio.timeout(30):
        while (await partition_counts(bootstrap, [topics.state]))[topics.state] == 0:  # noqa: ASYNC110
            await asyncio.sleep(0.1)


def projector(
    bootstrap: str,
    ring: KeyRing,
    policies: PolicyHolder,
    *,
    prefix: str = "",
    app_id: str = APP_ID,
    clock: Callable[[], dt.datetime] | None = None,
    **processor_options: Any,
) -> TransactionalProcessor[ChildViews]:
    """The projector's processor (not started); its topics must exist, the ring every key."""
    missing = missing_keys(policies.current, ring)
    if missing:
        raise KeyRingError("; ".join(missing))
    topics = ViewTopics(prefix)
    # The projector is the one writer of data keys: it makes a child's key in the transaction
    # that first needs it, and reloads the key topic whenever it takes partitions.
    store = KafkaDataKeyStore(bootstrap, topics.datakeys)
    crypto = ViewCrypto(ring, DataKeyRing(store, ring))
    handler = (
        ProjectorHandler(policies, ring, topics, crypto=crypto)
        if clock is None
        else ProjectorHandler(policies, ring, topics, clock, crypto=crypto)
    )

    async def reload_keys() -> None:
        await store.load()

    return TransactionalProcessor[ChildViews](
        bootstrap=bootstrap,
        app_id=prefix + app_id,
        input_topics=input_topics(prefix),
        state_topic=topics.state,
        dlq_topic=physical_name(DLQ, prefix=prefix),
        handler=handler,
        codec=PydanticCodec(ChildViews),
        stage="views",
        on_take=reload_keys,
        **processor_options,
    )


async def run(
    bootstrap: str,
    ring: KeyRing,
    policies: PolicyHolder,
    *,
    prefix: str = "",
    watch_interval: float = 2.0,
    started: asyncio.Event | None = None,
) -> None:
    """Run the projector until cancelled; reload the policy on SIGHUP and when its file changes.

    `started` is set once the projector processes and the SIGHUP handler is in place.
    """
    await create_state_topic(bootstrap, ViewTopics(prefix))
    await ensure_view_topics(bootstrap, ViewTopics(prefix), policies.current.audiences())
    processor = projector(bootstrap, ring, policies, prefix=prefix)
    loop = asyncio.get_running_loop()
    watcher = asyncio.create_task(policies.watch(watch_interval))
    try:
        async with processor:
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signal.SIGHUP, policies.reload)
            await processor.wait_ready()
            settle_heap()  # the restored state is long-lived
            if started is not None:
                started.set()
            await asyncio.Event().wait()  # until cancelled
    finally:
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGHUP)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
