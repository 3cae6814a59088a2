"""Replay: how long rebuilding all casus state takes from a topic of (by default) 1,000,000 events.

Two ways to rebuild, both measured:

- `replay.restore` is what the hub does on every start and rebalance: the casus processor reads
  its compacted changelog `casus.state` back (TaskState.restore, one pydantic decode per record).
  The topic is filled with one changelog record per event, the worst case before compaction
  has run (after compaction there is one record per child). This is the figure for the target.
- `replay.reprocess` re-runs the pure transition over the contract events themselves, which is
  needed only when the rules change (a new casus version over the history). It uses the
  processor's own decode and transition without writing anything back: a lower bound on what a
  rebuild tool costs.

The million records are made from one child's real events and real states (twenty school days),
copied for 50,000 children by swapping the pseudonym in the pre-encoded bytes, so filling the
topics costs only the producer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bench import workload
from bench.harness import Figure, Results
from hub.bus import client
from hub.bus.dedup import DEDUP_HEADER, DedupWindow
from hub.bus.handler import PydanticCodec
from hub.bus.records import InRecord
from hub.bus.scan import topic_partitions
from hub.casus.config import CasusConfig
from hub.casus.handler import decode_input
from hub.casus.runner import CasusRunner
from hub.casus.state import CasusState
from hub.casus.topics import CasusTopics
from hub.casus.transition import transition

ROUNDS = 20
Record = tuple[bytes, bytes | None, list[tuple[str, bytes]]]


def templates() -> tuple[str, list[Record], list[Record]]:
    """One child's `ROUNDS` input records and the changelog record after each of them."""
    child = workload.children(1, workload.keyring(), start=400_000_000)[0]
    inputs = list(workload.Stream([child]).records(ROUNDS))
    codec = PydanticCodec(CasusState)
    config = CasusConfig()
    topics = CasusTopics.with_prefix("")
    state: CasusState | None = None
    window = DedupWindow()
    changelog: list[Record] = []
    for i, rec in enumerate(inputs):
        record = InRecord(topics.inputs[0], 0, i, rec.key, rec.value, rec.headers)
        event = decode_input(record, topics)
        state, _ = transition(state, event, config)
        window = window.add(str(record.event_id))
        value = codec.encode(state) if state is not None else None
        changelog.append((rec.key, value, [(DEDUP_HEADER, window.encode())]))
    records: list[Record] = [(r.key, r.value, list(r.headers)) for r in inputs]
    return child, records, changelog


def copies(template: list[Record], child: str, kids: list[str]) -> Any:
    """The template's records for every child, round by round (as a school day comes in)."""
    old = child.encode()
    for _key, value, headers in template:
        for kid in kids:
            new = kid.encode()
            yield (
                new,
                value.replace(old, new) if value is not None else None,
                [(n, new if v == old else v) for n, v in headers],
            )


async def fill(bootstrap: str, topic: str, records: Any) -> tuple[int, float]:
    """Produce pre-encoded records as fast as possible: (count, seconds)."""
    producer = client.producer(bootstrap, linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    count = 0
    try:
        start = time.perf_counter()
        pending = []
        for key, value, headers in records:
            pending.append(await producer.send(topic, value, key=key, headers=headers))
            count += 1
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return count, time.perf_counter() - start
    finally:
        await producer.stop()


async def restore(
    bootstrap: str, topics: CasusTopics, consumer_options: dict[str, Any] | None = None
) -> tuple[float, int]:
    """Start the casus processor on a filled state topic: (seconds until ready, keys restored)."""
    runner = CasusRunner(
        bootstrap,
        topics,
        tick_interval=0,
        app_id=f"bench-replay-{topics.tick}",
        consumer_options=consumer_options,
    )
    start = time.perf_counter()
    await runner.processor.start()
    try:
        await runner.processor.wait_ready()
        return time.perf_counter() - start, runner.processor.stats.restored_keys
    finally:
        await runner.processor.stop()


async def reprocess(bootstrap: str, topics: CasusTopics, count: int) -> float:
    """Read `count` contract events and re-run the transition over them: seconds taken."""
    consumer = client.consumer(bootstrap, group_id=None, max_partition_fetch_bytes=4 << 20)
    await consumer.start()
    config = CasusConfig()
    states: dict[bytes | None, Any] = {}
    seen = 0
    try:
        tps = await topic_partitions(bootstrap, [topics.inputs[0]])
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        start = time.perf_counter()
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for r in records:
                    record = InRecord(r.topic, r.partition, r.offset, r.key, r.value, r.headers)
                    event = decode_input(record, topics)
                    states[r.key], _ = transition(states.get(r.key), event, config)
                    seen += 1
        return time.perf_counter() - start
    finally:
        await consumer.stop()


async def measure(bootstrap: str, results: Results) -> None:
    """Fill the casus topics with `replay` events and rebuild the state both ways."""
    from bench.fullpath import FAST_START, create

    total = results.sizes["replay"]
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    await create(bootstrap, prefix)
    topics = CasusTopics.with_prefix(prefix)
    child, inputs, changelog = templates()
    kids = workload.children(max(1, total // ROUNDS), workload.keyring())
    count, seconds = await fill(bootstrap, topics.state, copies(changelog, child, kids))
    results.add(Figure("replay.fill", count / seconds, "records/s", note="pre-encoded state"))
    options = FAST_START if results.sizes["fast_start"] else None
    elapsed, keys = await restore(bootstrap, topics, options)
    note = f"casus.state changelog of {count:,} records, {keys:,} read back"
    results.add(Figure("replay.restore", elapsed, "s", note=note))
    results.add(Figure("replay.restore.rate", count / elapsed, "records/s", note="start to ready"))
    count, _ = await fill(bootstrap, topics.inputs[0], copies(inputs, child, kids))
    elapsed = await reprocess(bootstrap, topics, count)
    note = f"decode + transition over {count:,} contract events, no writes"
    results.add(Figure("replay.reprocess", elapsed, "s", note=note))
    results.add(Figure("replay.reprocess.rate", count / elapsed, "events/s", note="one core"))
