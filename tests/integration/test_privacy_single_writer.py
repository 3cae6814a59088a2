"""Issue 15.4 and 15.5 on the real broker: one writer of data keys, and a KEK that can retire."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from hub.bus import client, cloudevents
from hub.bus.datakeys import KafkaDataKeyStore, rewrap_all
from hub.bus.processor import TransactionalProcessor
from hub.bus.scan import read_to_end
from hub.events.envelope import new_event
from hub.events.privacy import VerwijderingVerzocht
from hub.events.topics import DATAKEYS, physical_name, registry, view_keys_topic, view_topic
from hub.events.vocab import Partner
from hub.privacy.audiencecrypt import AudienceKey, open_field
from hub.privacy.fieldcrypt import WrappedDataKey, unwrap_data_key
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import KEK, Key, KeyRing, new_key_material
from hub.privacy.pseudonyms import pseudonymise
from hub.settings import HubSettings
from hub.views.policy import DEFAULT_POLICY_PATH
from hub.views.reload import PolicyHolder
from hub.views.runner import create_state_topic, projector
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics
from hub.views.wire import decode_view
from hub.web.ingest import IngestOptions, ingest_service
from tests.integration.conftest import Broker
from tests.unit.views.stream import keyring_for_tests, recipient_private_for_tests

pytestmark = pytest.mark.integration

PARTITIONS = 2
CHILD = "367418253"  # made up, passes the 11-proef
OTHER = "209494177"


@dataclass
class Bus:
    bootstrap: str
    prefix: str
    ring: KeyRing
    settings: HubSettings

    def name(self, logical: str) -> str:
        return physical_name(logical, prefix=self.prefix)

    async def records(self, logical: str) -> list[Any]:
        return [r async for r in read_to_end(self.bootstrap, [self.name(logical)], timeout=60)]


@pytest_asyncio.fixture(loop_scope="session")
async def bus(kafka_broker: Broker, tmp_path: Path) -> AsyncIterator[Bus]:
    bootstrap = kafka_broker.bootstrap
    prefix = f"sw-{uuid.uuid4().hex[:8]}."
    await client.create_topics(
        bootstrap,
        [
            (physical_name(t.name, prefix=prefix), min(t.partitions, PARTITIONS), t.config())
            for t in registry().values()
        ],
    )
    await create_state_topic(bootstrap, ViewTopics(prefix), PARTITIONS)
    settings = HubSettings(topic_prefix=prefix, key_dir=tmp_path / "keys")
    yield Bus(bootstrap, prefix, keyring_for_tests(), settings)


def _signal(number: int, bsn: str) -> bytes:
    note = {
        "record_id": f"zs-{bsn}-{number}",
        "bsn": bsn,
        "datum": "2026-11-20",
        "domein": "gezin",
        "urgentie": "normaal",
        "toelichting": f"Notitie {number}: moeder vraagt om een gesprek.",
    }
    return (json.dumps(note) + "\n").encode()


async def _ingest_on_both(bus: Bus, numbers: range, bsn: str = CHILD) -> None:
    """Two ingest replicas (own producers, own transactional ids) take turns with notes."""
    async with (
        ingest_service(
            bus.settings,
            bootstrap=bus.bootstrap,
            ring=bus.ring,
            options=IngestOptions(transactional_id=f"{bus.prefix}ingest-a", create_topics=False),
        ) as first,
        ingest_service(
            bus.settings,
            bootstrap=bus.bootstrap,
            ring=bus.ring,
            options=IngestOptions(transactional_id=f"{bus.prefix}ingest-b", create_topics=False),
        ) as second,
    ):
        await asyncio.gather(
            *(
                (first if n % 2 else second).ingest(
                    "school", "zorgsignaal", _signal(n, bsn), "application/x-ndjson"
                )
                for n in numbers
            )
        )


async def _erase(bus: Bus, hub: str) -> None:
    request = new_event(
        VerwijderingVerzocht(verzoek_id="VW-SW", datum=dt.date(2026, 11, 21)),
        partner=Partner.SCHOOL,
        organisation="12AB",
        system="las",
        source_record_id=f"vw-{uuid.uuid4().hex[:6]}",
        subject=hub,
        pseudonymkid=bus.ring.pseudonym_key().kid,
        time=dt.datetime.now(dt.UTC),
    )
    record = cloudevents.encode(request)
    producer = client.producer(bus.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            bus.name("contract.school.v1"),
            record.value,
            key=record.key,
            headers=list(record.headers),
        )
    finally:
        await producer.stop()


async def _until_processed(views: TransactionalProcessor[ChildViews], count: int) -> None:
    async with asyncio.timeout(60):
        while views.stats.processed < count:  # noqa: ASYNC110 - a plain counter
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the commit markers reach every partition a moment later


def _projector(bus: Bus, tmp: Path) -> TransactionalProcessor[ChildViews]:
    policy = tmp / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, policy)
    return projector(bus.bootstrap, bus.ring, PolicyHolder(policy, bus.ring), prefix=bus.prefix)


async def _notes(bus: Bus) -> list[str]:
    """Every note on the buurtteam's view, opened as the buurtteam does."""
    table: dict[str, AudienceKey] = {}
    for r in await bus.records(view_keys_topic("buurtteam")):
        if r.value is None:
            table.pop(r.key.decode(), None)
        else:
            table[r.key.decode()] = AudienceKey.model_validate_json(r.value)
    private = {bus.ring.recipient_key("buurtteam").kid: recipient_private_for_tests("buurtteam")}
    shown = []
    for r in await bus.records(view_topic("buurtteam")):
        view = decode_view(r.key, r.value, r.headers)
        if "toelichting" in view.data:
            shown.append(
                open_field(
                    view.data["toelichting"],
                    table.get(view.subject),
                    private,
                    audience="buurtteam",
                    subject=view.subject,
                    view_id=view.id,
                    field="toelichting",
                ).shown
            )
    return shown


async def test_two_ingest_replicas_and_an_erasure_never_share_or_reuse_a_key(
    bus: Bus, tmp_path: Path
) -> None:
    hub = pseudonymise(parse_identifier("bsn", CHILD), bus.ring).value
    # The edge makes no data key: notes are sealed to the intake key.
    await _ingest_on_both(bus, range(0, 6))
    assert await bus.records(DATAKEYS) == []
    views = _projector(bus, tmp_path)
    async with views:
        await views.wait_ready()
        await _until_processed(views, 6)
        await _erase(bus, hub)
        await _until_processed(views, 7)
        await _ingest_on_both(bus, range(6, 12))
        await _until_processed(views, 13)

    history = [(r.key.decode(), r.value) for r in await bus.records(DATAKEYS)]
    mine = [v for k, v in history if k == hub]
    # One key, its tombstone, one new key: never two live keys for the child.
    assert [v is None for v in mine] == [False, True, False]
    first, second = (WrappedDataKey.model_validate_json(v) for v in mine if v is not None)
    assert first.kid != second.kid
    shown = await _notes(bus)
    assert shown.count("gewist") == 6
    assert sorted(s for s in shown if s != "gewist") == sorted(
        f"Notitie {n}: moeder vraagt om een gesprek." for n in range(6, 12)
    )


async def test_kek_rotation_rewraps_every_live_key_and_a_backup_stays_erased(
    bus: Bus, tmp_path: Path
) -> None:
    hub = pseudonymise(parse_identifier("bsn", CHILD), bus.ring).value
    other = pseudonymise(parse_identifier("bsn", OTHER), bus.ring).value
    views = _projector(bus, tmp_path)
    async with views:
        await views.wait_ready()
        await _ingest_on_both(bus, range(0, 2))
        await _ingest_on_both(bus, range(0, 2), bsn=OTHER)
        await _until_processed(views, 4)
        await _erase(bus, hub)
        await _until_processed(views, 5)
    # The backup: every record of the data-key topic as it is now (old keys and tombstones).
    backup = [(r.key, r.value) for r in await bus.records(DATAKEYS)]
    assert any(k == hub.encode() and v is not None for k, v in backup)

    retired = bus.ring.kek()
    rotated = KeyRing(
        [*(bus.ring.get(k) for k in bus.ring.kids()), Key(KEK, 2, new_key_material())]
    )
    result = await rewrap_all(bus.bootstrap, bus.name(DATAKEYS), rotated)
    assert result.retired == (retired.kid,)
    assert result.rewrapped == 1  # the other child's key; the erased child has none
    live = KafkaDataKeyStore(bus.bootstrap, bus.name(DATAKEYS))
    await live.load()
    assert {r.kek for r in live.records.values()} == {"kek.v2"}
    # The old KEK can go: the live topic opens with the new one alone.
    without_old = KeyRing(rotated.get(k) for k in rotated.kids() if k != retired.kid)
    assert unwrap_data_key(live.records[other], without_old)
    assert hub not in live.records

    # Restore the backup into a fresh topic, in its order, and read it with the retired KEK.
    restored = bus.name(DATAKEYS).replace(DATAKEYS, "datakeys-restored.v1")
    await client.create_topics(bus.bootstrap, [(restored, 1, {"cleanup.policy": "compact"})])
    producer = client.producer(bus.bootstrap)
    await producer.start()
    try:
        for key, value in backup:
            await producer.send_and_wait(restored, value, key=key, partition=0)
    finally:
        await producer.stop()
    store = KafkaDataKeyStore(bus.bootstrap, restored)
    await store.load()
    # Tombstones win: the erased child's key does not come back, the other's still opens.
    assert hub not in store.records
    assert unwrap_data_key(store.records[other], bus.ring)
