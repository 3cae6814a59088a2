"""FAULT TEST: SIGKILL a processor mid-stream, start another; every input has its effect once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiokafka.structs import TopicPartition

from hub.bus import client
from tests.integration.bus_helpers import Topics, counts_per_key, inputs, read_all
from tests.integration.processor_app import make_processor


async def start_app(bootstrap: str, app_id: str, topics: Topics) -> asyncio.subprocess.Process:
    """Run tests.integration.processor_app in a subprocess; return once it owns partitions."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.processor_app",
        "--bootstrap", bootstrap,
        "--app-id", app_id,
        "--source", topics.source,
        "--state", topics.state,
        "--dlq", topics.dlq,
        "--out", topics.out,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            while (line := await process.stdout.readline()).strip() != b"ready":
                assert line, "the processor exited before it was ready"
    except BaseException:
        process.kill()
        await process.wait()
        raise
    # Keep reading its log lines, so a full pipe never blocks it.
    _drains.add(asyncio.create_task(process.stdout.read()))
    return process


_drains: set[asyncio.Task[bytes]] = set()


async def written(bootstrap: str, topic: str, partitions: int) -> int:
    """How many data records the log holds, committed or not (aborted ones included)."""
    consumer = client.consumer(bootstrap, isolation_level="read_uncommitted")
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        count = 0
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            count += sum(len(r) for r in (await consumer.getmany(timeout_ms=500)).values())
        return count
    finally:
        await consumer.stop()


async def stream(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes, str]], pause: float = 0.02
) -> None:
    """Send records in small acknowledged chunks, so processing overlaps with producing."""
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        for start in range(0, len(records), 50):
            chunk = records[start : start + 50]
            futures = [
                await producer.send(topic, v, key=k, headers=[("ce_id", e.encode())])
                for k, v, e in chunk
            ]
            await asyncio.gather(*futures)
            await asyncio.sleep(pause)
    finally:
        await producer.stop()


def assert_exactly_once(
    got: list[tuple[bytes | None, bytes | None]], sent: list[tuple[bytes, bytes, str]]
) -> None:
    """Per key the outputs are 1..n in order, and carry the inputs in order: no gap, no repeat."""
    per_key = counts_per_key(got)
    assert len(got) == len(sent)
    for key, counts in per_key.items():
        expected = [v for k, v, _ in sent if k == key]
        assert counts == list(range(1, len(expected) + 1))
    assert set(per_key) == {k for k, _, _ in sent}


class TestSigkill:
    async def test_killed_processor_is_replaced_without_loss_or_duplicate(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 3)
        app = f"app-{unique}"
        sent = inputs(3000, keys=11)
        first = await start_app(bootstrap, app, topics)
        second: asyncio.subprocess.Process | None = None
        producing = asyncio.create_task(stream(bootstrap, topics.source, sent))
        try:
            # Kill once a good part of the stream has been processed and committed.
            await read_all(bootstrap, topics.out, 800, settle=0)
            first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL
            second = await start_app(bootstrap, app, topics)
            await producing
            got = await read_all(bootstrap, topics.out, len(sent), timeout=60)
            second.send_signal(signal.SIGTERM)
            assert await second.wait() == 0
        finally:
            producing.cancel()
            for process in (first, second):
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()
        assert_exactly_once(got, sent)
        # What the kill left behind: outputs of the open transaction, aborted by the fencing.
        aborted = await written(bootstrap, topics.out, 3) - len(got)
        print(f"SIGKILL: {len(sent)} inputs, {len(got)} committed outputs, {aborted} aborted")

    async def test_a_graceful_stop_and_restart_continues_exactly(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = Topics.named(unique)
        await topics.create(bootstrap, 2)
        sent = inputs(600, keys=5)
        producing = asyncio.create_task(stream(bootstrap, topics.source, sent))
        async with make_processor(bootstrap, f"app-{unique}", *vars(topics).values()):
            await read_all(bootstrap, topics.out, 200, settle=0)
        async with make_processor(bootstrap, f"app-{unique}", *vars(topics).values()):
            await producing
            got = await read_all(bootstrap, topics.out, len(sent))
        assert_exactly_once(got, sent)
