"""The adapter runner: a partner's raw topic in, contract events and dead letters out, once.

A partner system produces each source record as a JSON object to its own restricted raw
topic (`raw.<partner>.v1`), with the header `hub_feed` naming the feed and, best, its own
record id as the key. The runner maps it with the same adapter as HTTP and files do, inside
the bus runtime's TransactionalProcessor: outputs, state and input offsets commit together.
Its state per raw key is the set of event ids already produced for that key, so a record
sent twice under the same key yields its events once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from hub.adapters.fingerprint import fingerprint
from hub.adapters.ingest import CONFLICT_MESSAGE, CONFLICTING_DUPLICATE, Topics, event_output
from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, Tally, run
from hub.adapters.registry import AdapterRegistry, UnknownFeed
from hub.adapters.report import Rejection
from hub.bus.handler import BadInput, JsonCodec
from hub.bus.processor import TransactionalProcessor
from hub.bus.records import InRecord, Output, header
from hub.events import topics as registry_topics
from hub.events.topics import raw_topic
from hub.events.vocab import Partner

log = structlog.get_logger(__name__)

#: The header of a raw record that names its feed.
FEED_HEADER = "hub_feed"
#: Event ids remembered per raw key (a record maps to a handful of events at most).
MAX_IDS_PER_KEY = 64

#: Per raw key: `<event id> <content fingerprint>` of every event produced (older states hold
#: the bare id: its content is unknown, so it can only be a duplicate, never a conflict).
State = list[str]


def _entries(state: State | None) -> dict[str, str]:
    return {eid: fp for eid, _, fp in (entry.partition(" ") for entry in state or [])}


def adapter_state_topic(partner: Partner | str, prefix: str = "") -> str:
    """The compacted state topic of a partner's adapter runner (co-partitioned with raw)."""
    return prefix + registry_topics.adapter_state_topic(partner)


class RawHandler:
    """The pure handler: one raw record -> its contract events (or BadInput for the DLQ)."""

    def __init__(
        self, partner: Partner, registry: AdapterRegistry, context: Context, topics: Topics
    ) -> None:
        self.partner = partner
        self.registry = registry
        self.context = context
        self.topics = topics

    def __call__(
        self, state: State | None, record: InRecord
    ) -> tuple[State | None, Sequence[Output]]:
        """Map the record; events already produced for this key are not produced again."""
        raw_feed = header(record.headers, FEED_HEADER)
        if raw_feed is None:
            raise BadInput("missing_feed", f"the raw record has no {FEED_HEADER} header")
        feed = raw_feed.decode("utf-8", "replace")
        try:
            adapter = self.registry.get_adapter(self.partner.value, feed)
        except UnknownFeed as exc:
            raise BadInput("unknown_feed", str(exc)) from None
        if record.value is None:
            raise BadInput("empty_record", "the raw record has no value")
        seen = _entries(state)
        outputs: list[Output] = []
        rejections: list[Rejection] = []
        tally = Tally()
        for item in run(adapter, record.value, "application/json", self.context, tally):
            if isinstance(item, Rejection):
                rejections.append(item)
                continue
            content = fingerprint(item.event, self.context)
            known = seen.get(item.event.id)
            if known is None:
                outputs.append(event_output(item.event, self.topics.contract(self.partner)))
                seen[item.event.id] = content
            elif known and known != content:
                # The same record with other content: a correction is never taken silently.
                rejections.append(
                    Rejection(record=1, reason=CONFLICTING_DUPLICATE, message=CONFLICT_MESSAGE)
                )
        if tally.masked:
            log.info(
                "adapter.masked", partner=self.partner.value, feed=feed, fields=len(tally.masked)
            )
        if rejections:
            first = rejections[0]
            where = f" (field {first.field})" if first.field else ""
            raise BadInput(first.reason, f"{first.message}{where}")
        if not outputs:
            return state, ()
        entries = [f"{eid} {fp}" if fp else eid for eid, fp in seen.items()]
        return entries[-MAX_IDS_PER_KEY:], outputs


def adapter_runner(
    *,
    bootstrap: str,
    partner: Partner | str,
    registry: AdapterRegistry,
    context: Context,
    topics: Topics | None = None,
    raw: str | None = None,
    state_topic: str | None = None,
    app_id: str | None = None,
    **options: Any,
) -> TransactionalProcessor[State]:
    """The processor that runs `partner`'s adapters over its raw topic."""
    partner = Partner(partner)
    topics = topics or Topics()
    handler = RawHandler(partner, registry, context, topics)
    return TransactionalProcessor[State](
        bootstrap=bootstrap,
        # Under the partner's group and transactional-id prefix: the runner uses its principal.
        app_id=app_id or f"{topics.prefix}{partner.value}.adapter",
        input_topics=[raw or topics.prefix + raw_topic(partner)],
        state_topic=state_topic or adapter_state_topic(partner, topics.prefix),
        dlq_topic=topics.dlq,
        handler=handler,
        codec=JsonCodec(),
        stage=f"adapter.{partner.value}",
        **options,
    )


__all__ = ["Accepted", "RawHandler", "adapter_runner", "adapter_state_topic"]
