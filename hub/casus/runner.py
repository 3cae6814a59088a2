"""The casus runner: the transactional processor over the contract topics, plus the ticker.

Ticks: the runner tails the compacted state topic, derives each case's next due moment from
its state (`volgende_moment`), and when the injected clock passes it, writes one tick record
keyed by the child to the tick topic, on the child's partition. The processor consumes the tick
topic with the contract topics, so a tick is applied inside a transaction like any event.
A restart loses nothing: the deadlines live in the state, not in timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import structlog

from hub.bus import client
from hub.bus.handler import PydanticCodec
from hub.bus.processor import TransactionalProcessor
from hub.bus.scan import topic_partitions
from hub.casus.config import CasusConfig
from hub.casus.handler import CasusHandler, tick_value
from hub.casus.state import CasusState
from hub.casus.topics import CasusTopics
from hub.casus.transition import volgende_moment
from hub.events.topics import (
    CASUS_STATE,
    CASUS_TICK,
    CASUS_UIT,
    CHILD_PARTITIONS,
    DATAKEYS,
    DLQ,
    contract_topic,
    topic,
)
from hub.events.topics import PRODUCING_PARTNERS as _PARTNERS

Clock = Callable[[], dt.datetime]
log = structlog.get_logger()

APP_ID = "hub-casus"


def wall_clock() -> dt.datetime:
    """The production clock: now, in UTC."""
    return dt.datetime.now(dt.UTC)


async def ensure_topics(
    bootstrap: str, topics: CasusTopics, partitions: int | None = None
) -> list[str]:
    """Create the casus topics (with their registry specs) that do not exist.

    `partitions` overrides the registry's count of the child-keyed topics (all alike, so they
    stay co-partitioned): a test or a small region needs fewer than the default 12.
    """
    logical = [
        *(contract_topic(p) for p in _PARTNERS),
        CASUS_TICK,
        CASUS_STATE,
        CASUS_UIT,
        DLQ,
        DATAKEYS,
    ]
    physical = [*topics.inputs, topics.tick, topics.state, topics.uit, topics.dlq, topics.datakeys]
    specs = [
        (name, _count(topic(lg).partitions, partitions), topic(lg).config())
        for lg, name in zip(logical, physical, strict=True)
    ]
    return await client.create_topics(bootstrap, specs)


def _count(registered: int, override: int | None) -> int:
    # Only the co-partitioned (child-keyed) topics follow the override; the DLQ keeps its own.
    return override if override is not None and registered == CHILD_PARTITIONS else registered


class CasusRunner:
    """One casus processor instance: join the group, process, tick from the injected clock."""

    def __init__(
        self,
        bootstrap: str,
        topics: CasusTopics,
        *,
        config: CasusConfig | None = None,
        clock: Clock = wall_clock,
        app_id: str = APP_ID,
        tick_interval: float = 5.0,
        **processor_options: Any,
    ) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.config = config or CasusConfig()
        self.clock = clock
        self.tick_interval = tick_interval
        self.processor = TransactionalProcessor[CasusState](
            bootstrap=bootstrap,
            app_id=app_id,
            input_topics=[*topics.inputs, topics.tick],
            state_topic=topics.state,
            dlq_topic=topics.dlq,
            handler=CasusHandler(self.config, topics),
            codec=PydanticCodec(CasusState),
            stage="casus",
            **processor_options,
        )
        #: child -> (partition, next due moment), from the state topic.
        self.due: dict[str, tuple[int, dt.datetime | None]] = {}
        self._sent: dict[str, dt.datetime] = {}
        self._index: Any = None
        self._index_tps: list[Any] = []
        self._producer: Any = None
        self._task: asyncio.Task[None] | None = None
        self.ticks_sent = 0

    async def start(self) -> None:
        """Start processing, wait for the first assignment, then start ticking."""
        await self.processor.start()
        await self.processor.wait_ready()
        self._producer = client.producer(self.bootstrap)
        await self._producer.start()
        self._index = client.consumer(self.bootstrap, group_id=None)
        await self._index.start()
        self._index_tps = await topic_partitions(self.bootstrap, [self.topics.state])
        self._index.assign(self._index_tps)
        await self._index.seek_to_beginning(*self._index_tps)
        if self.tick_interval > 0:  # 0: no ticker (a test ticks by hand, or no clocks at all)
            self._task = asyncio.create_task(self._ticker(), name="casus-ticker")

    async def stop(self) -> None:
        """Stop ticking and processing; close every client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.processor.stop()
        if self._index is not None:
            await self._index.stop()
        if self._producer is not None:
            await self._producer.stop()

    async def __aenter__(self) -> CasusRunner:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _ticker(self) -> None:
        while True:
            try:
                await self.tick_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker may be away; the next round tries again
                log.warning("casus.tick_failed", error=type(exc).__name__)
            await asyncio.sleep(self.tick_interval)

    async def refresh(self) -> None:
        """Read the state topic up to its current end into the due index."""
        ends = await self._index.end_offsets(self._index_tps)
        while True:
            todo = [tp for tp in self._index_tps if await self._index.position(tp) < ends[tp]]
            if not todo:
                return
            for records in (await self._index.getmany(*todo, timeout_ms=500)).values():
                for r in records:
                    child = r.key.decode("ascii")
                    if r.value is None:
                        self.due.pop(child, None)
                        self._sent.pop(child, None)
                        continue
                    state = CasusState.model_validate_json(r.value)
                    self.due[child] = (r.partition, volgende_moment(state, self.config))

    async def tick_once(self) -> int:
        """Send a tick for every owned case whose next moment has come; return how many."""
        await self.refresh()
        now = self.clock()
        owned = self.processor.tasks
        futures = []
        sending: dict[str, dt.datetime] = {}
        for child, (partition, due) in self.due.items():
            if due is None or due > now or partition not in owned:
                continue
            if self._sent.get(child) == due:
                continue  # already ticked for this moment; a state change brings a new one
            futures.append(
                await self._producer.send(
                    self.topics.tick, tick_value(now), key=child.encode(), partition=partition
                )
            )
            sending[child] = due
        if futures:
            await asyncio.gather(*futures)
        self._sent.update(sending)
        self.ticks_sent += len(futures)
        return len(futures)
