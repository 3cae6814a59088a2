"""A short casus demo for `hub demo`: sample partner events, the processor, a clock, the loket."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from rich.table import Table

from hub.bus import client, cloudevents
from hub.casus.loket import load_states, render_loket
from hub.casus.runner import CasusRunner, ensure_topics
from hub.casus.topics import CasusTopics
from hub.events import betrokkenheid as bt
from hub.events import leerplicht as lp
from hub.events import school
from hub.events.envelope import Event, Payload, new_event
from hub.events.vocab import ContactRol, Domein, Partner, Urgentie

D = dt.date.fromisoformat


def _event(data: Payload, partner: Partner, record: str, day: str, child: str) -> Event[Any]:
    return new_event(
        data,
        partner=partner,
        organisation="demo",
        system="demo",
        source_record_id=record,
        subject=child,
        pseudonymkid="demo",
        time=dt.datetime.combine(D(day), dt.time(9), tzinfo=dt.UTC),
    )


def sample_events(run_key: bytes) -> list[Event[Any]]:
    """Three children: a match with regie, a thuiszitter, and 16 hours of verzuim."""
    a, b, c = (hmac.new(run_key, n, hashlib.sha256).hexdigest() for n in (b"a", b"b", b"c"))
    events = [
        _event(
            school.ZorgsignaalAfgegeven(
                datum=D("2026-11-16"), domein=Domein.GEDRAG, urgentie=Urgentie.NORMAAL
            ),
            Partner.SCHOOL,
            "zs-1",
            "2026-11-16",
            a,
        ),
        _event(
            bt.BetrokkenheidGestart(
                domein=Domein.GEZIN, contactrol=ContactRol.GEZINSCOACH, sinds=D("2026-11-17")
            ),
            Partner.BUURTTEAM,
            "bt-1",
            "2026-11-17",
            a,
        ),
        _event(
            lp.ThuiszitterGemeld(
                soort=lp.ThuiszitterSoort.LANGDURIG_RELATIEF_VERZUIM, sinds=D("2026-09-14")
            ),
            Partner.LEERPLICHT,
            "tz-1",
            "2026-09-15",
            b,
        ),
    ]
    for i, day in enumerate(["2026-11-02", "2026-11-04", "2026-11-09", "2026-11-11", "2026-11-16"]):
        events.append(
            _event(
                school.VerzuimGeregistreerd(
                    datum=D(day), lesuren=3.5, soort=school.VerzuimSoort.ONGEOORLOOFD, brin="12AB"
                ),
                Partner.SCHOOL,
                f"vz-{i}",
                day,
                c,
            )
        )
    return events


async def run_casus_demo(
    bootstrap: str, prefix: str, say: Callable[[str], None], today: dt.datetime | None = None
) -> Table:
    """Send the sample events, run the processor, tick once at `today`; return the loket."""
    run = secrets.token_hex(4)
    topics = CasusTopics.with_prefix(f"{prefix}demo-{run}.")
    await ensure_topics(bootstrap, topics, partitions=1)
    now = today or dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    runner = CasusRunner(
        bootstrap,
        topics,
        clock=lambda: now,
        app_id=f"casus-demo-{run}",
        tick_interval=0,
        consumer_options={"fetch_max_wait_ms": 50},
    )
    events = sample_events(secrets.token_bytes(32))
    async with runner:
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            for event in events:
                rec = cloudevents.encode(event)
                await producer.send_and_wait(
                    topics.contract(event.partner.value),
                    rec.value,
                    key=rec.key,
                    headers=list(rec.headers),
                )
                say(f"{event.partner.value} → casus: {event.type.split('.')[-3]}")
        finally:
            await producer.stop()
        await _until(lambda: runner.processor.stats.processed >= len(events))
        ticks = await runner.tick_once()
        say(f"clock at {now.date()}: {ticks} case(s) due")
        await _until(lambda: runner.processor.stats.processed >= len(events) + ticks)
    states = await load_states(bootstrap, topics.state)
    return render_loket(states.values(), now)


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - a counter of the runtime, no event to await
            await asyncio.sleep(0.05)
