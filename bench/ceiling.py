"""The raw-Kafka ceiling: aiokafka produce, passthrough and latency, nothing of the hub."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
import time
import uuid
from typing import Any

from bench import workload
from bench.harness import Figure, Results, fresh_topics, percentiles
from hub.bus import client, eos, processor
from hub.bus.batching import send_batched
from hub.bus.records import Output

_TEMPLATE = workload.contract_record()


def sample_record(i: int) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """A contract event exactly as the hub carries it: the registry example of
    `verzuim.geregistreerd`, binary mode (ten headers), with a key and id of its own."""
    key = hashlib.sha256(i.to_bytes(8, "big")).hexdigest().encode()
    event_id = str(uuid.UUID(bytes=key[:16], version=4)).encode()
    headers = [
        (name, key if name == "ce_subject" else event_id if name == "ce_id" else value)
        for name, value in _TEMPLATE.headers
    ]
    return key, _TEMPLATE.value, headers


async def fill(bootstrap: str, topic: str, count: int) -> float:
    """Produce `count` sample records as fast as the producer allows; return records per second."""
    producer = client.producer(bootstrap, linger_ms=10)
    await producer.start()
    try:
        start = time.perf_counter()
        for first in range(0, count, 5000):
            chunk = [
                Output(topic, *sample_record(i)) for i in range(first, min(count, first + 5000))
            ]
            await asyncio.gather(*await send_batched(producer, chunk))
        return count / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def passthrough(
    bootstrap: str, source: str, target: str, count: int, *, transactional: bool
) -> float:
    """Read `count` records from `source` and write them to `target`; return records per second.

    The transactional variant commits each fetched batch with its offsets in one transaction,
    which is what the hub's exactly-once processors pay for. Records go out one aiokafka batch
    per partition (`send_batched`), the way the hub's processors produce: the ceiling is what
    aiokafka does at its best, not a per-record `send` the hub no longer pays.
    """
    group = f"ceiling-{secrets.token_hex(4)}"
    extra: dict[str, Any] = {"transactional_id": group} if transactional else {}
    producer = client.producer(bootstrap, linger_ms=5, **extra)
    consumer = client.consumer(bootstrap, source, group_id=group, max_poll_records=2000)
    await producer.start()
    await consumer.start()
    moved = 0
    try:
        start = time.perf_counter()
        while moved < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
            if not batches:
                continue
            offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
            outputs = [
                Output(target, r.key, r.value, tuple(r.headers))
                for records in batches.values()
                for r in records
            ]
            if transactional:
                async with producer.transaction():
                    await asyncio.gather(*await send_batched(producer, outputs))
                    await producer.send_offsets_to_transaction(offsets, group)
            else:
                await asyncio.gather(*await send_batched(producer, outputs))
                await consumer.commit(offsets)
            moved += sum(len(records) for records in batches.values())
        return moved / (time.perf_counter() - start)
    finally:
        await consumer.stop()
        await producer.stop()


async def latency(
    bootstrap: str,
    partitions: int,
    rate: int,
    seconds: float,
    *,
    transactional: bool = False,
    hops: int = 1,
) -> dict[str, float]:
    """Offer `rate` records/s through raw passthroughs; p50/p95/p99 from send to arrival (ms).

    The transactional variant commits each fetched batch with its offsets in one transaction,
    with the client settings of the hub's processors (`hub.bus.processor`). With `hops=2` two
    such passthroughs run one after the other, as the hub's casus and projector do: the floor
    under the hub's own latency.
    """
    topics = await fresh_topics(bootstrap, partitions, *(f"lat-{i}" for i in range(hops + 1)))
    source, target = topics[0], topics[-1]
    total = int(rate * seconds)
    samples: list[float] = []

    async def forward(source: str, target: str) -> None:
        group = f"lat-{secrets.token_hex(4)}"
        extra: dict[str, Any] = {}
        if transactional:
            eos.shorten_concurrent_transactions_backoff()
            extra = {"transactional_id": group, "retry_backoff_ms": processor.RETRY_BACKOFF_MS}
        producer = client.producer(bootstrap, linger_ms=0, **extra)
        consumer = client.consumer(bootstrap, source, group_id=group)
        await producer.start()
        await consumer.start()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=100)
                if not batches:
                    continue
                outputs = [
                    Output(target, r.key, r.value, tuple(r.headers))
                    for records in batches.values()
                    for r in records
                ]
                if transactional:
                    offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
                    async with producer.transaction():
                        await asyncio.gather(*await send_batched(producer, outputs))
                        await producer.send_offsets_to_transaction(offsets, group)
                else:
                    await send_batched(producer, outputs)
                    await consumer.commit()
        finally:
            await consumer.stop()
            await producer.stop()

    async def sink() -> None:
        consumer = client.consumer(bootstrap, target, group_id=f"sink-{secrets.token_hex(4)}")
        await consumer.start()
        try:
            while len(samples) < total:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    now = time.time_ns()
                    for r in records:
                        sent = int(dict(r.headers)["bench_sent_ns"])
                        samples.append((now - sent) / 1e6)
        finally:
            await consumer.stop()

    forwarders = [asyncio.create_task(forward(a, b)) for a, b in itertools.pairwise(topics)]
    receiver = asyncio.create_task(sink())
    await asyncio.sleep(1.0)  # let both join their groups before the clock starts
    producer = client.producer(bootstrap, linger_ms=0)
    await producer.start()
    try:
        interval = 1.0 / rate
        start = time.perf_counter()
        for i in range(total):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            key, value, headers = sample_record(i)
            headers.append(("bench_sent_ns", str(time.time_ns()).encode()))
            await producer.send(source, value, key=key, headers=headers)
        await producer.flush()
        await asyncio.wait_for(receiver, timeout=60)
    finally:
        await producer.stop()
        for forwarder in forwarders:
            forwarder.cancel()
        await asyncio.gather(*forwarders, return_exceptions=True)
    return percentiles(samples)


async def measure(bootstrap: str, results: Results) -> None:
    """Measure the raw ceilings into `results`."""
    count, partitions = results.sizes["events"], results.sizes["partitions"]
    raw_in, raw_out, tx_out = await fresh_topics(bootstrap, partitions, "in", "out", "txout")
    results.add(Figure("raw.produce", await fill(bootstrap, raw_in, count), "events/s"))
    results.add(
        Figure(
            "raw.passthrough",
            await passthrough(bootstrap, raw_in, raw_out, count, transactional=False),
            "events/s",
            note="consume + produce + commit, at least once",
        )
    )
    results.add(
        Figure(
            "raw.passthrough.transactional",
            await passthrough(bootstrap, raw_in, tx_out, count, transactional=True),
            "events/s",
            note="one transaction per fetched batch, offsets inside",
        )
    )
    results.relate("raw.passthrough.transactional", "raw.passthrough")
    rate, seconds = results.sizes["rate"], results.sizes["latency_seconds"]
    for kind, transactional, hops, note in (
        ("", False, 1, ""),
        (".transactional", True, 1, ", one transaction per batch"),
        (".transactional2", True, 2, ", two transactional hops in a row (the hub's shape)"),
    ):
        lat = await latency(
            bootstrap, partitions, rate, seconds, transactional=transactional, hops=hops
        )
        for name, value in lat.items():
            results.add(Figure(f"raw.latency{kind}.{name}", value, "ms", note=f"at {rate}/s{note}"))
