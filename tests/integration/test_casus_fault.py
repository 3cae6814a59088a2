"""FAULT TESTS: the casus keeps exactly-once effect through a SIGKILL and a broker restart.

A stream of contract events for many children flows while (1) one of two `hub casus run`
processes in one consumer group is killed with SIGKILL, and (2) a dedicated broker is stopped
and started. At the end, the outputs on `casus.uit.v1` are compared per child with the pure
transition's outputs for the same events: every input had its effect once, none twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.bus import client, cloudevents
from hub.casus.config import CasusConfig
from hub.casus.runner import CasusRunner, ensure_topics
from hub.casus.topics import CasusTopics
from hub.events.envelope import Event
from hub.ops.launcher import LocalKafka
from tests.conftest import start_local_broker
from tests.integration.test_casus import QUICK_GROUP, collect
from tests.integration.test_processor_fault import written
from tests.unit.casus.scenario import Child, children, expected_ids, interleave

PARTITIONS = 12  # as in the registry
CONFIG = CasusConfig()  # what `hub casus run` uses


def bad_records(kids: list[Child], count: int) -> list[tuple[str, bytes, bytes, list[Any]]]:
    """Records of an event type nobody knows, for the school topic: each must be dead-lettered."""
    found = []
    for child in kids[:count]:
        rec = cloudevents.encode(child.events[0])
        headers = [
            (k, b"nl.onderwijsjeugd.school.onbekend.v1" if k == "ce_type" else v)
            for k, v in rec.headers
        ]
        found.append(("school", rec.key, rec.value, headers))
    return found


async def stream(
    bootstrap: str,
    prefix: str,
    events: list[Event[Any]],
    extra: list[tuple[str, bytes, bytes, list[Any]]],
    chunk: int = 10,
    pause: float = 0.1,
) -> None:
    """Send the events (and the extra raw records first) in acknowledged chunks."""
    producer = client.producer(bootstrap, request_timeout_ms=60_000)
    await producer.start()
    try:
        for partner, key, value, headers in extra:
            await producer.send_and_wait(
                f"{prefix}contract.{partner}.v1", value, key=key, headers=headers
            )
        for start in range(0, len(events), chunk):
            futures = []
            for event in events[start : start + chunk]:
                rec = cloudevents.encode(event)
                topic = f"{prefix}contract.{event.partner.value}.v1"
                futures.append(
                    await producer.send(topic, rec.value, key=rec.key, headers=list(rec.headers))
                )
            await asyncio.gather(*futures)
            await asyncio.sleep(pause)
    finally:
        await producer.stop()


def expected_total(kids: list[Child]) -> int:
    return sum(len(expected_ids(child.orders[0], CONFIG)) for child in kids)


def assert_exactly_once(got: list[Any], kids: list[Child]) -> dict[str, int]:
    """Per child, the output ids are exactly those of the model (for one allowed order)."""
    ids = [dict(r.headers)["ce_id"].decode() for r in got]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == [], f"{len(duplicates)} output ids appear more than once"
    per_child: dict[bytes, list[str]] = defaultdict(list)
    for record, event_id in zip(got, ids, strict=True):
        per_child[record.key].append(event_id)
    wrong = []
    for child in kids:
        seen = sorted(per_child.pop(child.kind.encode(), []))
        allowed = [sorted(expected_ids(order, CONFIG)) for order in child.orders]
        if seen not in allowed:
            wrong.append(child.kind[:8])
    assert wrong == [], f"children whose outputs differ from the model: {wrong}"
    assert per_child == {}, "outputs for children that sent nothing"
    return {"outputs": len(ids), "children": len(kids)}


async def start_app(
    bootstrap: str, prefix: str, group: str
) -> tuple[asyncio.subprocess.Process, str]:
    """`hub casus run` in a subprocess; return it and its ready line once it reports ready."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "casus", "run", "--group", group, "--tick-interval", "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_TOPIC_PREFIX": prefix,
            "PYTHONUNBUFFERED": "1",
        },
    )  # fmt: skip
    assert process.stdout is not None
    try:
        async with asyncio.timeout(90):
            while not (line := await process.stdout.readline()).startswith(b"casus: ready"):
                assert line, "hub casus run exited before it was ready"
    except BaseException:
        process.kill()
        await process.wait()
        raise
    _drains.add(asyncio.create_task(process.stdout.read()))
    return process, line.decode().strip()


_drains: set[asyncio.Task[bytes]] = set()


class TestSigkill:
    async def test_two_instances_one_killed_mid_stream_every_input_once(
        self, bootstrap: str, unique: str
    ) -> None:
        prefix = f"f{unique}."
        topics = CasusTopics.with_prefix(prefix)
        await ensure_topics(bootstrap, topics, partitions=PARTITIONS)
        kids = children(40, 10, run=unique)
        events = interleave(kids)
        bad = bad_records(kids, 3)
        total = expected_total(kids)
        group = f"casus-{unique}"
        t0 = time.monotonic()

        def phase(name: str) -> None:
            print(f"\n{time.monotonic() - t0:6.1f}s {name}", flush=True)

        first, ready_first = await start_app(bootstrap, prefix, group)
        second: asyncio.subprocess.Process | None = None
        try:
            phase(ready_first)
            second, ready_second = await start_app(bootstrap, prefix, group)
            phase(ready_second)
            # The group shares the partitions: the second instance got half of them.
            owned = ready_second.removeprefix("casus: ready, tasks ")
            assert len(json.loads(owned)) == PARTITIONS // 2
            producing = asyncio.create_task(stream(bootstrap, prefix, events, bad))
            await collect(bootstrap, topics.uit, total // 3, settle=0, timeout=60)
            streaming = not producing.done()
            phase(f"a third done, kill (stream still flowing: {streaming})")
            first.send_signal(signal.SIGKILL)
            await first.wait()
            await producing
            phase("all sent")
            got = await collect(bootstrap, topics.uit, total, timeout=90, settle=1.5)
            phase("all collected")
            letters = await collect(bootstrap, topics.dlq, len(bad), settle=0.5, timeout=90)
            second.send_signal(signal.SIGTERM)
            assert await second.wait() == 0
        finally:
            for process in (first, second):
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()
        figures = assert_exactly_once(got, kids)
        assert len(letters) == len(bad)
        assert {dict(r.headers)["hub_dlq_reason"] for r in letters} == {b"unknown_type"}
        in_log = await written(bootstrap, topics.uit, PARTITIONS)
        print(
            f"\nSIGKILL: {len(events)} events + {len(bad)} bad in, {figures['outputs']} outputs "
            f"committed, {total} expected, {len(letters)} dead letters, "
            f"{in_log - len(got)} aborted records left by the kill, "
            f"stream flowing at the kill: {streaming}"
        )


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker of this module's own, so stopping it harms no other test."""
    local = start_local_broker(Path(tmp_path_factory.mktemp("casus-kafka")))
    try:
        yield local
    finally:
        local.down()


class TestBrokerRestart:
    async def test_exactly_once_when_the_broker_restarts_mid_stream(
        self, own_broker: LocalKafka, unique: str
    ) -> None:
        instance = own_broker.instance()
        assert instance is not None
        bootstrap = instance.bootstrap
        prefix = f"r{unique}."
        topics = CasusTopics.with_prefix(prefix)
        await ensure_topics(bootstrap, topics, partitions=PARTITIONS)
        kids = children(30, 8, run=unique)
        events = interleave(kids)
        total = expected_total(kids)
        runner = CasusRunner(
            bootstrap,
            topics,
            config=CONFIG,
            app_id=f"casus-{unique}",
            tick_interval=0,
            **QUICK_GROUP,
        )
        t0 = time.monotonic()
        async with runner:
            producing = asyncio.create_task(stream(bootstrap, prefix, events, [], pause=0.3))
            await collect(bootstrap, topics.uit, total // 4, settle=0, timeout=60)
            down_at = time.monotonic() - t0
            await asyncio.to_thread(own_broker.down)
            await asyncio.to_thread(own_broker.up, 120)
            up_at = time.monotonic() - t0
            await producing
            sent_at = time.monotonic() - t0
            got = await collect(bootstrap, topics.uit, total, timeout=90, settle=1.5)
        figures = assert_exactly_once(got, kids)
        stats = runner.processor.stats
        print(
            f"\nbroker restart: {len(events)} events in, {figures['outputs']} outputs committed, "
            f"{total} expected, aborts={stats.aborts} transactions={stats.transactions}; "
            f"broker down at {down_at:.1f}s, up at {up_at:.1f}s, last event sent at {sent_at:.1f}s"
        )
