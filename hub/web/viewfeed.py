"""Keeps the loket's read models current from the view topics, in memory, one consumer per process.

The adapters `view_of` and `handles_of` are the only places that know what a view record and the
projector's recipient state look like; when those change (per school board views, encrypted
fields per audience), this is the module to adapt.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog
from pydantic import ValidationError

from hub.bus.follow import CaughtUp, Followed, follow
from hub.bus.security import ClientSecurity
from hub.events.topics import VIEWS_STATE, physical_name, view_topic
from hub.views.project import ViewEvent
from hub.views.state import ChildViews
from hub.views.wire import ViewDecodeError, decode_view
from hub.web.changes import Changes
from hub.web.readmodel import ReadModel

log = structlog.get_logger(__name__)

#: (audience, hub pseudonym) -> that audience's pseudonym of the child.
Rekey = Callable[[str, str], str]


def view_of(record: Followed) -> ViewEvent | None:
    """The view event of a view record, or None for a record that is not one (logged, no value)."""
    try:
        return decode_view(record.key, record.value, record.headers)
    except ViewDecodeError as exc:
        log.warning("loket.view.skipped", topic=record.topic, offset=record.offset, reason=str(exc))
        return None


def handles_of(value: bytes | None) -> tuple[str, ...]:
    """The audiences that received something about a child, from the projector's state."""
    if value is None:
        return ()
    try:
        return ChildViews.model_validate_json(value).ontvangers
    except ValidationError:
        return ()


@dataclass
class Handles:
    """Audience pseudonym -> hub pseudonym, for the children an audience received views about.

    Actions are contract events keyed by the hub pseudonym; the loket only knows a child by the
    audience's pseudonym, so it keeps this map in memory (never on a page, a log or a topic).
    """

    rekey: Rekey
    by_audience: dict[str, dict[str, str]] = field(default_factory=dict)

    def update(self, hub: str, audiences: Iterable[str], served: Iterable[str]) -> None:
        """Remember the child's pseudonym for every served audience that received something."""
        for audience in set(audiences) & set(served):
            self.by_audience.setdefault(audience, {})[self.rekey(audience, hub)] = hub

    def hub_of(self, audience: str, subject: str) -> str | None:
        """The hub pseudonym behind `subject` for `audience`, or None."""
        return self.by_audience.get(audience, {}).get(subject)


class LoketFeed:
    """The read models and change streams of the served audiences, kept current by one task."""

    def __init__(
        self,
        bootstrap: str,
        audiences: Iterable[str],
        *,
        prefix: str = "",
        rekey: Rekey | None = None,
        security: ClientSecurity | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.audiences = tuple(audiences)
        self.prefix = prefix
        self.security = security
        self.models = {a: ReadModel(a) for a in self.audiences}
        self.changes = {a: Changes() for a in self.audiences}
        self.handles = Handles(rekey) if rekey is not None else None
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _topics(self) -> dict[str, str | None]:
        topics: dict[str, str | None] = {
            physical_name(view_topic(a), prefix=self.prefix): a for a in self.audiences
        }
        if self.handles is not None:
            topics[physical_name(VIEWS_STATE, prefix=self.prefix)] = None
        return topics

    async def _run(self) -> None:
        topics = self._topics()
        async for item in follow(self.bootstrap, list(topics), security=self.security):
            if isinstance(item, CaughtUp):
                self.ready.set()
                log.info("loket.feed.ready", cases=sum(len(m.cases) for m in self.models.values()))
                continue
            audience = topics.get(item.topic)
            if audience is None:
                if self.handles is not None and item.key is not None:
                    self.handles.update(
                        item.key.decode("ascii"), handles_of(item.value), self.audiences
                    )
                continue
            view = view_of(item)
            if view is not None and self.models[audience].apply(view):
                self.changes[audience].add(view.subject, view.type)

    async def start(self) -> None:
        """Start following; `ready` is set once the topics were read to their end."""
        self._task = asyncio.create_task(self._run(), name="loket-feed")

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the read models caught up (or the feed failed)."""
        assert self._task is not None
        done, _ = await asyncio.wait(
            [self._task, asyncio.ensure_future(self.ready.wait())],
            timeout=timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if self._task in done:
            self._task.result()

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
