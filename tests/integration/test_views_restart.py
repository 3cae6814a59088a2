"""A restarted projector remembers bezwaar (compacted state) and sends no view twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import uuid
from pathlib import Path

import pytest

from hub.bus import client, cloudevents
from hub.bus.scan import read_to_end
from hub.events.casus import MATCH_GEVONDEN
from hub.events.envelope import Event
from hub.events.privacy import BEZWAAR_INGEDIEND
from hub.events.topics import physical_name, registry, topic_for_event
from hub.views.policy import DEFAULT_POLICY_PATH
from hub.views.project import view_id
from hub.views.reload import PolicyHolder
from hub.views.runner import create_state_topic, projector, run
from hub.views.transition import ViewTopics
from hub.views.wire import decode_view
from tests.unit.views.stream import hub_pseudonym, keyring_for_tests, make_event

pytestmark = pytest.mark.integration

OBJECTING_BSN, OTHER_BSN = "999990019", "111111110"


async def _send(bootstrap: str, prefix: str, events: list[Event[object]]) -> None:
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        for event in events:
            record = cloudevents.encode(event)
            topic = physical_name(topic_for_event(event.type, event.partner), prefix=prefix)
            await producer.send_and_wait(
                topic, record.value, key=record.key, headers=list(record.headers)
            )
    finally:
        await producer.stop()


async def _until_processed(processor: object, count: int) -> None:
    stats = processor.stats  # type: ignore[attr-defined]
    async with asyncio.timeout(30):
        while stats.processed < count:  # noqa: ASYNC110 - the stats are plain counters
            await asyncio.sleep(0.05)


async def test_bezwaar_survives_a_restart_and_resent_events_are_not_shared_twice(
    bootstrap: str,
) -> None:
    prefix = f"views-rs-{uuid.uuid4().hex[:8]}."
    await client.create_topics(
        bootstrap,
        [(physical_name(t.name, prefix=prefix), 1, t.config()) for t in registry().values()],
    )
    await create_state_topic(bootstrap, ViewTopics(prefix), 1)
    ring = keyring_for_tests()
    holder = PolicyHolder(None, ring)
    objecting = hub_pseudonym(OBJECTING_BSN, ring)
    other = hub_pseudonym(OTHER_BSN, ring)
    first_match = make_event(MATCH_GEVONDEN, other, ring, record="rs-m0")

    async with projector(bootstrap, ring, holder, prefix=prefix) as first:
        await _send(
            bootstrap,
            prefix,
            [make_event(BEZWAAR_INGEDIEND, objecting, ring, record="rs-b1"), first_match],
        )
        await _until_processed(first, 2)

    later = [
        make_event(MATCH_GEVONDEN, objecting, ring, record="rs-m1"),
        first_match,  # sent again: the same event id
        make_event(MATCH_GEVONDEN, other, ring, record="rs-m2"),
    ]
    async with projector(bootstrap, ring, holder, prefix=prefix) as second:
        await _send(bootstrap, prefix, later)
        await _until_processed(second, len(later))
        assert second.stats.duplicates == 1

    topic = ViewTopics(prefix).view("buurtteam")
    views = [decode_view(r.key, r.value, r.headers) async for r in read_to_end(bootstrap, [topic])]
    ids = [v.id for v in views]
    assert view_id("buurtteam", later[0].id) not in ids  # bezwaar for all, remembered
    assert ids.count(view_id("buurtteam", first_match.id)) == 1
    assert view_id("buurtteam", later[2].id) in ids


async def test_sighup_reloads_the_policy_of_a_running_projector(
    bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"views-hup-{uuid.uuid4().hex[:8]}."
    await client.create_topics(
        bootstrap,
        [(physical_name(t.name, prefix=prefix), 1, t.config()) for t in registry().values()],
    )
    await create_state_topic(bootstrap, ViewTopics(prefix), 1)
    path = tmp_path / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, path)
    holder = PolicyHolder(path, keyring_for_tests())
    started = asyncio.Event()
    # A long watch interval: only the signal can make the reload happen within the test.
    task = asyncio.create_task(
        run(
            bootstrap,
            keyring_for_tests(),
            holder,
            prefix=prefix,
            watch_interval=600,
            started=started,
        )
    )
    try:
        async with asyncio.timeout(30):
            await started.wait()
        path.write_text(path.read_text().replace('"2026.12-1"', '"2026.11-hup"'))
        os.kill(os.getpid(), signal.SIGHUP)
        async with asyncio.timeout(10):
            while holder.current.version != "2026.11-hup":  # noqa: ASYNC110 - a plain attribute
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
