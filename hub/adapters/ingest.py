"""One ingest (an HTTP post or a file import): adapter, dead letters, idempotent publish."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from hub.adapters.fingerprint import fingerprint
from hub.adapters.kit import Adapter, Context
from hub.adapters.pipeline import Accepted, Tally, run
from hub.adapters.registry import AdapterRegistry
from hub.adapters.report import IngestReport, Rejection
from hub.bus import cloudevents, dlq
from hub.bus.publisher import PublishResult
from hub.bus.records import EVENT_ID_HEADER, Output
from hub.bus.seen import SeenIds
from hub.events.envelope import Event
from hub.events.topics import DLQ, contract_topic

log = structlog.get_logger(__name__)

#: Records per transaction: a crash loses no committed chunk, a re-import finishes the rest.
CHUNK = 2000

#: The reason of a record whose id was published before with other content (a correction).
CONFLICTING_DUPLICATE = "conflicting_duplicate"
CONFLICT_MESSAGE = (
    "an event with this record's id was published before with other content (another child, "
    "date, hours or fact); the first version stands and this change is not applied"
)

#: Namespace of dead-letter ids: the same bad row of the same body is the same letter.
LETTER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://contracts.onderwijsjeugd.nl/deadletters")


class Publisher(Protocol):
    """What the ingest publishes through (the bus runtime's IdempotentPublisher)."""

    async def publish(
        self, outputs: Sequence[Output], fingerprints: Mapping[str, str] | None = None
    ) -> PublishResult:
        """Publish outputs whose `ce_id` is new; report duplicates and changed contents."""
        ...


def batch_id(body: bytes, context: Context, partner: str) -> str:
    """The reference of a body in dead letters: `batch-` + 24 hex, keyed like a record id.

    Keyed because a body of one record holds little besides its BSN: a plain digest of it
    could be tested against guessed numbers.
    """
    digest = hashlib.sha256(body).hexdigest()
    return "batch-" + context.source_id(partner, "batch\x1f" + digest)[1:25]


def event_output(event: Event[Any], topic: str) -> Output:
    """The binary-mode CloudEvents record of `event` on `topic`."""
    record = cloudevents.encode(event)
    return Output(topic=topic, key=record.key, value=record.value, headers=record.headers)


def letter_id(partner: str, feed: str, batch: str, rejection: Rejection) -> str:
    """Deterministic: importing the same body again adds no second dead letter."""
    name = "\x1f".join((partner, feed, batch, str(rejection.record), rejection.reason))
    return "dl-" + str(uuid.uuid5(LETTER_NAMESPACE, name))


def letter_output(partner: str, feed: str, batch: str, rejection: Rejection, topic: str) -> Output:
    """The dead letter of a rejected record: reason and claim check, never the content."""
    lid = letter_id(partner, feed, batch, rejection)
    letter = dlq.dead_letter(
        stage=f"adapter.{partner}.{feed}",
        reason=rejection.reason,
        message=rejection.message,
        error_type="RecordRejected",
        attempts=1,
        key=batch.encode(),
        event_id=lid,
        claim_check=dlq.ClaimCheck(partner=partner, feed=feed, row=rejection.record),
    )
    output = dlq.to_output(letter, topic)
    return Output(
        topic=output.topic,
        key=output.key,
        value=output.value,
        headers=(*output.headers, (EVENT_ID_HEADER, lid.encode())),
    )


class MemoryPublisher:
    """Keeps what it publishes in memory, with the same dedup rule (dry runs, partner tests)."""

    def __init__(self) -> None:
        self.outputs: list[Output] = []
        self.seen = SeenIds()

    async def publish(
        self, outputs: Sequence[Output], fingerprints: Mapping[str, str] | None = None
    ) -> PublishResult:
        """Keep outputs whose `ce_id` is new; report duplicates and changed contents."""
        prints = fingerprints or {}
        verdict = self.seen.judge(outputs, prints)
        self.outputs += verdict.fresh
        self.seen.mark(verdict.accepted, prints)
        return PublishResult(verdict.accepted, verdict.duplicates, verdict.conflicts)


@dataclass(frozen=True)
class Topics:
    """Physical topic names of an ingest (the registry's names with the prefix)."""

    prefix: str = ""

    def contract(self, partner: str) -> str:
        """The partner's contract topic."""
        return self.prefix + contract_topic(partner)

    @property
    def dlq(self) -> str:
        """The dead-letter topic."""
        return self.prefix + DLQ


#: Told how many more records of the body are done.
Progress = Callable[[int], None]


def _take(items: Iterator[Accepted | Rejection], count: int) -> list[Accepted | Rejection]:
    return list(itertools.islice(items, count))


class IngestService:
    """Runs a partner's body through its adapter and publishes events and dead letters once."""

    def __init__(
        self,
        registry: AdapterRegistry,
        publisher: Publisher,
        context: Context,
        *,
        topics: Topics | None = None,
        chunk: int = CHUNK,
        before_publish: Callable[[], Awaitable[None]] | None = None,
        attempts: int = 4,
    ) -> None:
        self.registry = registry
        self.publisher = publisher
        self.context = context
        self.topics = topics or Topics()
        self.chunk = max(1, chunk)
        # Writes new data keys before the events whose ciphertexts need them.
        self.before_publish = before_publish
        self.attempts = max(1, attempts)
        # Parsing and mapping run on one worker thread, a chunk at a time: the event loop
        # keeps answering health probes and other partners while a large body is mapped.
        # One thread and one lock: adapters (and the data keys they create) never run
        # concurrently with each other or with writing those data keys.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-ingest")
        self._exclusive = asyncio.Lock()

    async def __call__(
        self, partner: str, feed: str, body: bytes, content_type: str
    ) -> IngestReport:
        """The web app's Ingestor: LookupError (404) for an unknown partner or feed."""
        return await self.ingest(partner, feed, body, content_type)

    async def ingest(
        self,
        partner: str,
        feed: str,
        body: bytes,
        content_type: str,
        *,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Map, dead-letter and publish; the report lists accepted, duplicate and rejected."""
        adapter = self.registry.get_adapter(partner, feed)
        batch = batch_id(body, self.context, adapter.partner)
        report = IngestReport(partner=partner, feed=feed, batch=batch)
        tally = Tally()
        items = run(adapter, body, content_type, self.context, tally)
        loop = asyncio.get_running_loop()
        told = 0
        while True:
            async with self._exclusive:
                pending = await loop.run_in_executor(self._worker, _take, items, self.chunk)
            if not pending:
                break
            await self._flush(adapter, batch, pending, report)
            if progress is not None:
                # Records of the body, not the events made of them (a record may make several).
                progress(tally.records - told)
                told = tally.records
        report.ignored = dict(sorted(tally.ignored.items()))
        report.masked = tally.masked
        report.rejected.sort(key=lambda r: r.record)
        log.info(
            "adapter.ingest",
            partner=partner,
            feed=feed,
            batch=batch,
            records=tally.records,
            accepted=len(report.accepted),
            duplicates=len(report.duplicates),
            rejected=len(report.rejected),
            masked=len(report.masked),
        )
        return report

    async def _publish(
        self, outputs: list[Output], fingerprints: Mapping[str, str] | None = None
    ) -> PublishResult:
        # A publish is one transaction: when it fails nothing of it is visible and nothing is
        # marked as seen, so trying again is safe. Fresh topics briefly lack a leader.
        delay = 0.25
        for attempt in range(1, self.attempts + 1):
            try:
                if self.before_publish is not None:
                    async with self._exclusive:
                        await self.before_publish()
                return await self.publisher.publish(outputs, fingerprints)
            except Exception as exc:
                if attempt == self.attempts:
                    raise
                log.warning("adapter.publish.retry", attempt=attempt, error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def _flush(
        self,
        adapter: Adapter,
        batch: str,
        items: Iterable[Accepted | Rejection],
        report: IngestReport,
    ) -> None:
        partner = adapter.partner.value
        contract = self.topics.contract(partner)
        outputs: list[Output] = []
        rows: dict[str, int] = {}
        prints: dict[str, str] = {}
        conflicts: list[Rejection] = []
        for item in items:
            if isinstance(item, Accepted):
                eid, content = item.event.id, fingerprint(item.event, self.context)
                if eid in prints:  # the same record twice in one chunk
                    if prints[eid] == content:
                        report.duplicates.append(eid)
                    else:
                        conflicts.append(_conflict(item.record))
                    continue
                outputs.append(event_output(item.event, contract))
                rows[eid] = item.record
                prints[eid] = content
            else:
                outputs.append(letter_output(partner, adapter.feed, batch, item, self.topics.dlq))
                report.rejected.append(item)
        result = await self._publish(outputs, prints)
        report.accepted += [i for i in result.accepted if i in rows]
        report.duplicates += [i for i in result.duplicates if i in rows]
        conflicts += [_conflict(rows[i]) for i in result.conflicts if i in rows]
        if conflicts:
            # A changed record is never taken silently: a dead letter and a rejection per row.
            letters = [
                letter_output(partner, adapter.feed, batch, r, self.topics.dlq) for r in conflicts
            ]
            await self._publish(letters)
            report.rejected += conflicts


def _conflict(record: int) -> Rejection:
    return Rejection(record=record, reason=CONFLICTING_DUPLICATE, message=CONFLICT_MESSAGE)
