"""The casus processor on the real broker: outputs, loket, the injected clock, DLQ, erasure."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Iterable
from typing import Any

from hub.bus import client, cloudevents
from hub.casus.loket import load_states, render_loket
from hub.casus.runner import CasusRunner, ensure_topics
from hub.casus.topics import CasusTopics
from hub.events import betrokkenheid as bt
from hub.events import leerplicht as lp
from hub.events import privacy, school
from hub.events.envelope import Event
from hub.events.vocab import ContactRol, Domein, Urgentie
from tests.unit.casus.helpers import CONFIG, D, ev, kind

#: Quick group timeouts; a short fetch wait, since the runtime's offset resets wait for it.
QUICK_GROUP = {
    "consumer_options": {
        "heartbeat_interval_ms": 300,
        "session_timeout_ms": 6000,
        "fetch_max_wait_ms": 20,
    }
}
#: Fewer partitions than the registry's 12 keep a processor start quick on a small machine.
PARTITIONS = 3


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def send(bootstrap: str, prefix: str, events: Iterable[Event[Any]]) -> None:
    """Produce events to their partners' contract topics in order, and wait for the acks."""
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        futures = []
        for event in events:
            rec = cloudevents.encode(event)
            topic = f"{prefix}contract.{event.partner.value}.v1"
            futures.append(
                await producer.send(topic, rec.value, key=rec.key, headers=list(rec.headers))
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str, topic: str, expected: int, timeout: float = 30.0, settle: float = 0.5
) -> list[Any]:
    """Committed records of `topic` until `expected` arrived and nothing more for `settle` s."""
    consumer = client.consumer(bootstrap, topic, isolation_level="read_committed")
    await consumer.start()
    got: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while len(got) < expected:
                for records in (await consumer.getmany(timeout_ms=300)).values():
                    got += records
        if settle:
            for records in (await consumer.getmany(timeout_ms=int(settle * 1000))).values():
                got += records
    finally:
        await consumer.stop()
    return got


async def hub_cli(bootstrap: str, prefix: str, *args: str) -> str:
    """Run `hub <args>` against the test broker and topic prefix; return its stdout."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        stdout=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_TOPIC_PREFIX": prefix,
            "COLUMNS": "200",
        },
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


def types(records: Iterable[Any]) -> list[str]:
    """The short casus types of output records, in log order."""
    found = []
    for r in records:
        event = cloudevents.decode(r.key, r.value, list(r.headers))
        found.append(".".join(event.type.split(".")[3:-1]))
    return found


async def casus_topics(bootstrap: str, unique: str) -> CasusTopics:
    topics = CasusTopics.with_prefix(f"c{unique}.")
    await ensure_topics(bootstrap, topics, partitions=PARTITIONS)
    return topics


def zorgsignaal(child: str, day: str = "2026-11-17") -> Event[Any]:
    data = school.ZorgsignaalAfgegeven(datum=D(day), domein=Domein.GEDRAG, urgentie=Urgentie.HOOG)
    return ev(data, "school", f"zs-{day}", day, child)


def jgz_gestart(child: str, day: str = "2026-11-18") -> Event[Any]:
    data = bt.BetrokkenheidGestart(
        domein=Domein.GEZONDHEID, contactrol=ContactRol.JEUGDARTS, sinds=D(day)
    )
    return ev(data, "jgz", f"bg-{day}", day, child)


class TestCasusOnKafka:
    async def test_match_and_regie_flow_to_casus_uit_and_the_loket(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = await casus_topics(bootstrap, unique)
        child = kind(unique)
        runner = CasusRunner(
            bootstrap,
            topics,
            config=CONFIG,
            app_id=f"casus-{unique}",
            tick_interval=0,
            **QUICK_GROUP,
        )
        async with runner:
            await send(bootstrap, f"c{unique}.", [zorgsignaal(child)])
            await collect(bootstrap, topics.uit, 1, settle=0)
            await send(bootstrap, f"c{unique}.", [jgz_gestart(child)])
            got = await collect(bootstrap, topics.uit, 4)
        assert types(got) == [
            "geopend",
            "partner_aangesloten",
            "match_gevonden",
            "regie.voorgesteld",
        ]
        assert {r.key for r in got} == {child.encode()}
        states = await load_states(bootstrap, topics.state)
        assert [p.value for p in states[child].actieve_partners()] == ["school", "jgz"]
        table = render_loket(states.values(), dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
        assert table.row_count == 1
        shown = await hub_cli(bootstrap, f"c{unique}.", "casus", "show")
        assert child[:12] in shown
        assert "jgz? (voorgesteld, routeringsregel)" in shown

    async def test_the_clock_ticks_from_an_injected_clock_and_survives_a_restart(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = await casus_topics(bootstrap, unique)
        child = kind(unique)
        clock = FakeClock(dt.datetime(2026, 9, 20, tzinfo=dt.UTC))
        gemeld = lp.ThuiszitterGemeld(
            soort=lp.ThuiszitterSoort.LANGDURIG_RELATIEF_VERZUIM, sinds=D("2026-09-14")
        )

        def runner() -> CasusRunner:
            return CasusRunner(
                bootstrap,
                topics,
                config=CONFIG,
                clock=clock,
                app_id=f"casus-{unique}",
                tick_interval=0,
                **QUICK_GROUP,
            )

        async with runner() as first:
            await send(
                bootstrap, f"c{unique}.", [ev(gemeld, "leerplicht", "tz", "2026-09-15", child)]
            )
            await collect(bootstrap, topics.uit, 1, settle=0)
            assert await first.tick_once() == 0  # nothing due yet
            clock.now = dt.datetime(2026, 10, 12, 7, tzinfo=dt.UTC)  # 28 days
            assert await first.tick_once() == 1
            got = await collect(bootstrap, topics.uit, 2, settle=0)
            assert types(got)[-1] == "thuiszitter_termijn.waarschuwing"
        clock.now = dt.datetime(2026, 12, 15, 7, tzinfo=dt.UTC)  # past the deadline
        async with runner() as second:
            assert await second.tick_once() == 1
            got = await collect(bootstrap, topics.uit, 3)
        # A clock that catches up after a restart signals once that day: the expiry, not the
        # warnings it slept through (tests/unit/casus/test_rules.py).
        assert types(got) == [
            "geopend",
            "thuiszitter_termijn.waarschuwing",
            "thuiszitter_termijn.verstreken",
        ]

    async def test_unknown_type_goes_to_the_dlq_and_the_stream_goes_on(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = await casus_topics(bootstrap, unique)
        child = kind(unique)
        bad = cloudevents.encode(zorgsignaal(child, "2026-11-16"))
        headers = [
            (k, b"nl.onderwijsjeugd.school.onbekend.v1" if k == "ce_type" else v)
            for k, v in bad.headers
        ]
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(
                f"c{unique}.contract.school.v1", bad.value, key=bad.key, headers=headers
            )
        finally:
            await producer.stop()
        await send(bootstrap, f"c{unique}.", [zorgsignaal(child)])
        async with CasusRunner(
            bootstrap,
            topics,
            config=CONFIG,
            app_id=f"casus-{unique}",
            tick_interval=0,
            **QUICK_GROUP,
        ):
            out = await collect(bootstrap, topics.uit, 1)
            letters = await collect(bootstrap, topics.dlq, 1)
        assert types(out) == ["geopend"]
        assert len(letters) == 1
        assert dict(letters[0].headers)["hub_dlq_reason"] == b"unknown_type"
        assert b"onbekend" in letters[0].value

    async def test_erasure_tombstones_state_and_data_key_and_emits_gewist(
        self, bootstrap: str, unique: str
    ) -> None:
        topics = await casus_topics(bootstrap, unique)
        child = kind(unique)
        erase = privacy.VerwijderingVerzocht(verzoek_id="VW-9", datum=D("2026-11-20"))
        async with CasusRunner(
            bootstrap,
            topics,
            config=CONFIG,
            app_id=f"casus-{unique}",
            tick_interval=0,
            **QUICK_GROUP,
        ):
            await send(
                bootstrap,
                f"c{unique}.",
                [zorgsignaal(child), ev(erase, "school", "vw", "2026-11-20", child)],
            )
            out = await collect(bootstrap, topics.uit, 2)
            keys = await collect(bootstrap, topics.datakeys, 1)
        assert types(out) == ["geopend", "gewist"]
        assert [(r.key, r.value) for r in keys] == [(child.encode(), None)]
        assert child not in await load_states(bootstrap, topics.state)
