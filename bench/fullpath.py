"""The full hub path: contract event -> casus -> audience views, throughput and latency.

Both processors (the casus runner and the views projector, each a TransactionalProcessor with
one transactional producer per partition) run in this one Python process, like the raw
passthrough they are compared with. Throughput: once both processors own their partitions, the
clock runs from the first send of the pre-encoded events (the producer shares the process: about
a tenth of the time) until the projector has taken every contract event and casus output.
Latency: events are offered at a steady rate with their CloudEvents `time` set to the moment
of sending; a consumer on every audience topic measures arrival minus that time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bench import workload
from bench.harness import Figure, Results, percentiles
from hub.bus import client, cloudevents
from hub.bus.batching import send_batched
from hub.bus.processor import TransactionalProcessor
from hub.bus.records import Output
from hub.bus.scan import topic_partitions
from hub.bus.topics import create_registry_topics
from hub.casus.runner import CasusRunner, ensure_topics
from hub.casus.topics import CasusTopics
from hub.process import settle_heap
from hub.settings import HubSettings
from hub.views.reload import PolicyHolder
from hub.views.runner import create_state_topic, ensure_view_topics, projector
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics


@dataclass
class Hub:
    """A running casus runner and projector on their own topic prefix."""

    bootstrap: str
    prefix: str
    casus: CasusRunner
    views: TransactionalProcessor[ChildViews]

    async def counters(self) -> dict[str, int]:
        """Both processors' counters, awaitable like a replica process's."""
        return self.snapshot()

    def snapshot(self) -> dict[str, int]:
        """Both processors' counters (the same names a replica process reports)."""
        c, v = self.casus.processor.stats, self.views.stats
        return {
            "c": c.processed,
            "co": c.outputs,
            "v": v.processed,
            "vo": v.outputs,
            "tx": c.transactions + v.transactions,
            "dl": c.dead_letters + v.dead_letters,
        }

    async def settle(self, sent: int, base: dict[str, int], timeout: float) -> None:
        """Wait until both processors took `sent` events past `base` and every casus output."""
        await wait_until(lambda: taken(self.snapshot(), base, sent), timeout)


Counters = Callable[[], Awaitable[dict[str, int]]]
Settle = Callable[[int, dict[str, int]], Awaitable[None]]


def taken(now: dict[str, int], base: dict[str, int], sent: int) -> bool:
    """True when the casus took `sent` events past `base` and views those plus its outputs."""
    outputs = now["co"] - base["co"]
    return now["c"] - base["c"] >= sent and now["v"] - base["v"] >= sent + outputs


def school_topic(prefix: str) -> str:
    """The school's contract topic under `prefix` (the casus' first input)."""
    return CasusTopics.with_prefix(prefix).inputs[0]


async def create(bootstrap: str, prefix: str) -> None:
    """Every topic the casus and the projector need, under `prefix`."""
    await create_registry_topics(bootstrap, HubSettings(topic_prefix=prefix))
    await ensure_topics(bootstrap, CasusTopics.with_prefix(prefix))
    await create_state_topic(bootstrap, ViewTopics(prefix))
    # The school boards' view and key topics are not in the bare registry: the policy names them.
    from hub.views.policy import load_policy

    await ensure_view_topics(bootstrap, ViewTopics(prefix), load_policy().audiences())


#: Consumer options of the smoke run and of `--fast-start`: a read_committed hop otherwise
#: waits out the 500 ms fetch long-poll now and then, and a long session keeps a slow start
#: from expelling the member (measured in docs/bench.md).
FAST_START = {"fetch_max_wait_ms": 50, "session_timeout_ms": 60_000}


#: Seconds between the processors' start and the latency run (the session timeout plus margin).
SETTLE_SECONDS = 15


def views_processor(
    bootstrap: str, prefix: str, consumer_options: dict[str, Any] | None
) -> TransactionalProcessor[ChildViews]:
    """The projector as `hub views run` builds it, with extra consumer options when given."""
    extra = {"consumer_options": consumer_options} if consumer_options else {}
    return projector(bootstrap, workload.keyring(), PolicyHolder(), prefix=prefix, **extra)


@asynccontextmanager
async def running(
    bootstrap: str, prefix: str, consumer_options: dict[str, Any] | None = None
) -> AsyncIterator[Hub]:
    """Start casus and views on `prefix` (topics must exist); stop them afterwards."""
    casus = CasusRunner(
        bootstrap,
        CasusTopics.with_prefix(prefix),
        tick_interval=0,
        app_id=f"{prefix}hub-casus",
        consumer_options=consumer_options,
    )
    views = views_processor(bootstrap, prefix, consumer_options)
    await asyncio.gather(casus.start(), views.start())
    try:
        await views.wait_ready()
        settle_heap()  # as the hub's runtime does once its processors are ready
        yield Hub(bootstrap, prefix, casus, views)
    finally:
        await asyncio.gather(casus.stop(), views.stop(), return_exceptions=True)


async def produce(bootstrap: str, topic: str, records: list[cloudevents.KafkaRecord]) -> float:
    """Produce pre-encoded records as fast as possible; return records per second."""
    producer = client.producer(bootstrap, linger_ms=10)
    await producer.start()
    try:
        start = time.perf_counter()
        for first in range(0, len(records), 5000):
            chunk = [
                Output(topic, r.key, r.value, r.headers) for r in records[first : first + 5000]
            ]
            await asyncio.gather(*await send_batched(producer, chunk))
        return len(records) / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    """Poll `condition()` every 20 ms until true; TimeoutError after `timeout` seconds."""
    # Polling: the processors' counters have no event to await, and 20 ms is below any figure.
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def throughput(hub: Hub, records: list[cloudevents.KafkaRecord]) -> dict[str, float]:
    """Events per second through casus and views, end to end, from the first send."""
    base = await hub.counters()
    start = time.perf_counter()
    await produce(hub.bootstrap, school_topic(hub.prefix), records)
    await hub.settle(len(records), base, timeout=max(120.0, len(records) / 200))
    elapsed = time.perf_counter() - start
    end = await hub.counters()
    return {
        "rate": len(records) / elapsed,
        "casus_outputs": end["co"] - base["co"],
        "view_outputs": end["vo"] - base["vo"],
        "transactions": end["tx"] - base["tx"],
        "dead_letters": end["dl"] - base["dl"],
    }


def audience_topics(prefix: str) -> list[str]:
    """The view topic of every audience the shipped policy serves under `prefix`."""
    from hub.views.policy import load_policy

    return [ViewTopics(prefix).view(a) for a in load_policy().audiences()]


async def offered_latency(
    bootstrap: str,
    prefix: str,
    rate: int,
    seconds: float,
    kids: int,
    *,
    counters: Counters,
    settled: Settle,
) -> dict[str, float]:
    """p50/p95/p99 (ms) from an event's time to its views' arrival, at `rate` events/s."""
    stream = workload.Stream(workload.children(kids, workload.keyring(), start=300_000_000))
    total = int(rate * seconds)
    base = await counters()
    samples: list[float] = []
    via_casus: list[float] = []
    sink = client.consumer(bootstrap, group_id=None, isolation_level="read_committed")
    await sink.start()
    tps = await topic_partitions(bootstrap, audience_topics(prefix))
    sink.assign(tps)  # by assignment: no group to join
    await sink.seek_to_end(*tps)
    for tp in tps:
        await sink.position(tp)
    done = asyncio.Event()

    async def drain() -> None:
        while not done.is_set():
            batches = await sink.getmany(timeout_ms=100)
            now = time.time_ns()
            for records in batches.values():
                for r in records:
                    headers = dict(r.headers)
                    sent = dt.datetime.fromisoformat(headers["ce_time"].decode())
                    ms = (now - sent.timestamp() * 1e9) / 1e6
                    samples.append(ms)
                    if headers["ce_type"].startswith(b"nl.onderwijsjeugd.casus."):
                        via_casus.append(ms)

    receiver = asyncio.create_task(drain())
    producer = client.producer(bootstrap, linger_ms=0)
    await producer.start()
    school = school_topic(prefix)
    try:
        interval = 1.0 / rate
        start = time.perf_counter()
        for i in range(total):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            rec = cloudevents.encode(stream.event(i, dt.datetime.now(dt.UTC)))
            await producer.send(school, rec.value, key=rec.key, headers=list(rec.headers))
        await producer.flush()
        offered = total / (time.perf_counter() - start)
        await settled(total, base)
        await asyncio.sleep(0.5)  # the sink reads what the last transaction committed
    finally:
        done.set()
        await asyncio.gather(receiver, return_exceptions=True)
        await producer.stop()
        await sink.stop()
    result = dict(percentiles(samples))
    result["casus_p99"] = percentiles(via_casus)["p99"] if via_casus else 0.0
    result["samples"] = len(samples)
    result["casus_samples"] = len(via_casus)
    result["offered"] = offered
    return result


async def latency(hub: Hub, rate: int, seconds: float, kids: int) -> dict[str, float]:
    """Latency through the in-process casus and views (`offered_latency`)."""
    return await offered_latency(
        hub.bootstrap,
        hub.prefix,
        rate,
        seconds,
        kids,
        counters=hub.counters,
        settled=lambda sent, base: hub.settle(sent, base, timeout=120),
    )


def report(
    results: Results, stem: str, tp: dict[str, float], lat: dict[str, float], shape: str
) -> None:
    """Add `stem`.fullpath and `stem`.latency.p* with their ratios to the raw ceiling."""
    note = (
        f"{shape}; {tp['casus_outputs']:.0f} casus outputs, "
        f"{tp['view_outputs']:.0f} view/audit records, {tp['transactions']:.0f} transactions"
    )
    if tp.get("dead_letters"):
        note += f", {tp['dead_letters']:.0f} dead letters"
    results.add(Figure(f"{stem}.fullpath", tp["rate"], "events/s", note=note))
    have = {f.name for f in results.figures}
    if "raw.passthrough" in have:
        results.relate(f"{stem}.fullpath", "raw.passthrough")
    note = f"{shape}, at {lat['offered']:.0f}/s offered, {lat['samples']:.0f} view records"
    for name in ("p50", "p95", "p99"):
        results.add(Figure(f"{stem}.latency.{name}", lat[name], "ms", note=note))
        if f"raw.latency.{name}" in have:
            results.relate(f"{stem}.latency.{name}", f"raw.latency.{name}", lower_is_better=True)


async def measure(bootstrap: str, results: Results) -> None:
    """Measure the full path into `results`, relative to the raw passthrough and latency."""
    sizes = results.sizes
    count = sizes["events"]
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    await create(bootstrap, prefix)
    options = FAST_START if sizes["fast_start"] else None
    started = time.perf_counter()
    async with running(bootstrap, prefix, options) as hub:
        results.add(
            Figure(
                "hub.start",
                time.perf_counter() - started,
                "s",
                note="casus + views own 12 partitions each" + (" (fast start)" if options else ""),
            )
        )
        # Steady state: past the rebalance a start longer than the session timeout brings.
        await asyncio.sleep(0 if sizes["smoke"] else SETTLE_SECONDS)
        lat = await latency(
            hub, sizes["rate"], sizes["latency_seconds"], max(1, sizes["children"] // 5)
        )
        # Built only now, so the latency run does not carry a hundred thousand live records.
        stream = workload.Stream(workload.children(sizes["children"], workload.keyring()))
        tp = await throughput(hub, list(stream.records(count)))
    report(results, "hub", tp, lat, "casus+views, one process")
    results.add(
        Figure(
            "hub.latency.casus.p99",
            lat["casus_p99"],
            "ms",
            note=f"only views of casus outputs ({lat['casus_samples']:.0f})",
        )
    )
