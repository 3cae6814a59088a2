"""Forged producers on the real broker: an event that claims a producer its topic does not have
is a dead letter with reason `forged_producer` at every consumer, never an effect."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from hub.bus import client, cloudevents
from hub.bus.dlq import DeadLetter
from hub.bus.processor import TransactionalProcessor
from hub.bus.scan import read_to_end
from hub.casus.runner import CasusRunner
from hub.casus.topics import CasusTopics
from hub.events.casus import CASUS_GEWIST, MATCH_GEVONDEN, THUISZITTER_TERMIJN_VERSTREKEN
from hub.events.envelope import Event
from hub.events.jgz import MAZL_CONSULT_GEHOUDEN
from hub.events.privacy import VERWIJDERING_VERZOCHT
from hub.events.school import ZORGSIGNAAL_AFGEGEVEN
from hub.events.topics import (
    CASUS_UIT,
    DATAKEYS,
    DLQ,
    contract_topic,
    physical_name,
    registry,
    topic_for_event,
)
from hub.events.vocab import Partner
from hub.privacy.keyring import KeyRing
from hub.views.policy import DEFAULT_POLICY_PATH
from hub.views.project import ViewEvent, view_id
from hub.views.reload import PolicyHolder
from hub.views.runner import create_state_topic, projector
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics
from hub.views.wire import decode_view
from tests.integration.conftest import Broker
from tests.unit.casus.helpers import CONFIG
from tests.unit.views.stream import hub_pseudonym, keyring_for_tests, make_event

pytestmark = pytest.mark.integration

#: Made-up BSNs passing the 11-proef, one per scenario.
ERASE_BSN, ESCALATE_BSN, JGZ_BSN, HUB_REQUEST_BSN = (
    "391107756",
    "129836576",
    "189343916",
    "294559905",
)
PARTITIONS = 2
QUICK_GROUP = {
    "consumer_options": {
        "heartbeat_interval_ms": 300,
        "session_timeout_ms": 6000,
        "fetch_max_wait_ms": 20,
    }
}


@dataclass
class Hub:
    """A projector and a casus processor on their own prefixed topics."""

    bootstrap: str
    prefix: str
    ring: KeyRing
    views: TransactionalProcessor[ChildViews]
    casus: CasusRunner
    sent: int = 0

    def name(self, logical: str) -> str:
        return physical_name(logical, prefix=self.prefix)

    async def send(self, pairs: list[tuple[str, Event[Any]]]) -> None:
        """Produce each event to the logical topic given with it; wait until both processed it."""
        producer = client.producer(self.bootstrap)
        await producer.start()
        try:
            futures = []
            for logical, event in pairs:
                record = cloudevents.encode(event)
                futures.append(
                    await producer.send(
                        self.name(logical),
                        record.value,
                        key=record.key,
                        headers=list(record.headers),
                    )
                )
            await asyncio.gather(*futures)
        finally:
            await producer.stop()
        self.sent += len(pairs)
        contract = sum(1 for logical, _ in pairs if logical != CASUS_UIT)
        self.casus_expected = getattr(self, "casus_expected", 0) + contract
        async with asyncio.timeout(30):
            while (  # noqa: ASYNC110 - the stats are plain counters
                self.views.stats.processed < self.sent
                or self.casus.processor.stats.processed < self.casus_expected
            ):
                await asyncio.sleep(0.05)

    async def genuine(self, events: list[Event[Any]]) -> None:
        """Send events where their producer writes them."""
        await self.send([(topic_for_event(e.type, e.partner), e) for e in events])

    async def view(self, audience: str) -> list[ViewEvent]:
        return [
            decode_view(r.key, r.value, r.headers)
            async for r in read_to_end(
                self.bootstrap, [ViewTopics(self.prefix).view(audience)], timeout=30
            )
        ]

    async def dead_letters(self) -> list[DeadLetter]:
        return [
            DeadLetter.model_validate(json.loads(r.value))
            async for r in read_to_end(self.bootstrap, [self.name(DLQ)], timeout=30)
            if r.value is not None
        ]

    async def datakey_tombstones(self, child: str, expect: int = 0) -> int:
        """Tombstones of the child's data key; waits a moment for `expect` of them.

        A transaction's commit returns before its markers reach every partition, so a
        read_committed reader may see its records a moment later.
        """
        found = 0
        for _ in range(50):
            found = len(
                [
                    r
                    async for r in read_to_end(self.bootstrap, [self.name(DATAKEYS)], timeout=30)
                    if r.key == child.encode() and r.value is None
                ]
            )
            if found >= expect:
                break
            await asyncio.sleep(0.1)
        return found


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def hub(kafka_broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Hub]:
    """A projector and a casus processor for the module."""
    bootstrap = kafka_broker.bootstrap
    prefix = f"forged-{uuid.uuid4().hex[:8]}."
    await client.create_topics(
        bootstrap,
        [
            (physical_name(t.name, prefix=prefix), min(t.partitions, PARTITIONS), t.config())
            for t in registry().values()
        ],
    )
    await create_state_topic(bootstrap, ViewTopics(prefix), PARTITIONS)
    policy_file = tmp_path_factory.mktemp("policy") / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, policy_file)
    ring = keyring_for_tests()
    holder = PolicyHolder(policy_file, ring)
    views = projector(bootstrap, ring, holder, prefix=prefix)
    casus = CasusRunner(
        bootstrap,
        CasusTopics.with_prefix(prefix),
        config=CONFIG,
        app_id=f"{prefix}casus",
        tick_interval=0,
        **QUICK_GROUP,
    )
    async with views, casus:
        await views.wait_ready()
        yield Hub(bootstrap, prefix, ring, views, casus)


def _forged_letters(letters: list[DeadLetter], event: Event[Any]) -> list[DeadLetter]:
    return [d for d in letters if d.event_id == event.id and d.reason == "forged_producer"]


async def test_a_casus_gewist_from_the_school_topic_erases_nothing(hub: Hub) -> None:
    child = hub_pseudonym(ERASE_BSN, hub.ring)
    signal = make_event(
        ZORGSIGNAAL_AFGEGEVEN, child, hub.ring, record="fg-zs", data={"domein": "gezin"}
    )
    await hub.genuine([signal])
    forged = make_event(CASUS_GEWIST, child, hub.ring, record="fg-gewist")
    assert forged.partner is Partner.HUB
    await hub.send([(contract_topic(Partner.SCHOOL), forged)])

    assert await hub.datakey_tombstones(child) == 0
    buurtteam = await hub.view("buurtteam")
    assert view_id("buurtteam", signal.id) in {v.id for v in buurtteam}
    assert not [v for v in buurtteam if v.type == CASUS_GEWIST]
    letters = _forged_letters(await hub.dead_letters(), forged)
    # Both consumers of the school's topic refuse it: the projector and the casus processor.
    assert sorted(d.stage for d in letters) == ["casus", "views"]
    # Later genuine events still flow for the child: the forgery changed no state.
    after = make_event(
        ZORGSIGNAAL_AFGEGEVEN, child, hub.ring, record="fg-zs2", data={"domein": "gezin"}
    )
    await hub.genuine([after])
    assert view_id("buurtteam", after.id) in {v.id for v in await hub.view("buurtteam")}


async def test_a_forged_escalation_never_reaches_the_gemeente(hub: Hub) -> None:
    child = hub_pseudonym(ESCALATE_BSN, hub.ring)
    forged = make_event(THUISZITTER_TERMIJN_VERSTREKEN, child, hub.ring, record="fg-tz")
    await hub.send([(contract_topic(Partner.LEERPLICHT), forged)])
    assert view_id("gemeente", forged.id) not in {v.id for v in await hub.view("gemeente")}
    assert sorted(d.stage for d in _forged_letters(await hub.dead_letters(), forged)) == [
        "casus",
        "views",
    ]


async def test_a_jgz_event_on_the_school_topic_never_reaches_the_school(hub: Hub) -> None:
    child = hub_pseudonym(JGZ_BSN, hub.ring)
    forged = make_event(MAZL_CONSULT_GEHOUDEN, child, hub.ring, record="fg-mazl")
    assert forged.partner is Partner.JGZ
    await hub.send([(contract_topic(Partner.SCHOOL), forged)])
    board = "schoolbestuur:41234"
    assert view_id(board, forged.id) not in {v.id for v in await hub.view(board)}
    assert sorted(d.stage for d in _forged_letters(await hub.dead_letters(), forged)) == [
        "casus",
        "views",
    ]


async def test_a_hub_request_is_believed_only_from_the_hubs_own_topic(hub: Hub) -> None:
    child = hub_pseudonym(HUB_REQUEST_BSN, hub.ring)
    match = make_event(MATCH_GEVONDEN, child, hub.ring, record="fg-m1")
    await hub.genuine([match])
    request = make_event(VERWIJDERING_VERZOCHT, child, hub.ring, record="fg-vw")
    hub_request = request.model_copy(
        update={"partner": Partner.HUB, "source": "/partners/hub/regio/loket"}
    )
    await hub.send([(contract_topic(Partner.SWV), hub_request)])
    assert await hub.datakey_tombstones(child) == 0
    assert _forged_letters(await hub.dead_letters(), hub_request)
    # The same request from the hub's own topic is believed.
    await hub.send([(CASUS_UIT, hub_request)])
    assert await hub.datakey_tombstones(child, expect=1) == 1
