"""Issue 15 on the real broker: audiences share no value, each opens only its own notes, and an
erasure reaches every topic (transport truncated, compacted topics compacted, notes shredded)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from hub.bus import client, cloudevents
from hub.bus.scan import list_topics, read_to_end, topic_partitions
from hub.demo import KIND_A, KIND_C, scenario
from hub.events.days import local_date
from hub.events.envelope import new_event
from hub.events.privacy import VerwijderingVerzocht
from hub.events.topics import (
    AUDIENCES,
    DAY_MS,
    Cleanup,
    contract_topic,
    physical_name,
    registry,
    view_keys_topic,
    view_topic,
)
from hub.events.vocab import Partner
from hub.privacy.audiencecrypt import AudienceKey, open_field
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import (
    KeyRing,
    audience_keys_dir,
    init_keyring,
    read_keyring,
    recipient_key_name,
    recipient_private_name,
)
from hub.privacy.pseudonyms import audience_pseudonym_for, pseudonymise
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings
from hub.views.policy import load_policy
from hub.views.wire import decode_view
from tests.integration.conftest import Broker

pytestmark = pytest.mark.integration

AUDIENCE_NAMES = [a.value for a in AUDIENCES]
#: Short segments so that the log cleaner compacts within seconds in the test, as production
#: does within `max.compaction.lag.ms` (one day).
FAST_SEGMENTS = {"segment.ms": "500", "min.cleanable.dirty.ratio": "0.01"}


@dataclass
class Running:
    """A hub that has processed the demo workload."""

    hub: Hub
    prefix: str
    ring: KeyRing
    key_dir: Path

    @property
    def bootstrap(self) -> str:
        return self.hub.bootstrap

    def name(self, logical: str) -> str:
        return physical_name(logical, prefix=self.prefix)

    def private_keys(self, audience: str) -> dict[str, bytes]:
        """What the audience alone holds: its X25519 private keys, by the hub's key id."""
        key_audience = self.hub.policies.current.key_audience(audience)  # type: ignore[union-attr]
        own = audience_keys_dir(self.key_dir) / recipient_key_name(key_audience).removeprefix(
            "recipient-"
        )
        ring = read_keyring(own, {})
        return {
            f"{recipient_key_name(key_audience)}.v{k.version}": k.material
            for k in ring.versions(recipient_private_name(key_audience))
        }

    async def records(self, logical: str) -> list[Any]:
        return [r async for r in read_to_end(self.bootstrap, [self.name(logical)], timeout=60)]

    async def key_table(self, audience: str) -> dict[str, AudienceKey]:
        table: dict[str, AudienceKey] = {}
        for r in await self.records(view_keys_topic(audience)):
            if r.value is None:
                table.pop(r.key.decode(), None)
            else:
                table[r.key.decode()] = AudienceKey.model_validate_json(r.value)
        return table

    async def settle(self) -> None:
        """Wait until both processors have been idle for a moment."""
        stats = self.hub.processor_stats()
        last, quiet = -1, 0
        async with asyncio.timeout(120):
            while quiet < 15:
                now = sum(s.processed for s in stats.values() if s is not None)
                quiet = quiet + 1 if now == last else 0
                last = now
                await asyncio.sleep(0.1)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def running(
    kafka_broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    bootstrap = kafka_broker.bootstrap
    prefix = f"aud-{uuid.uuid4().hex[:8]}."
    key_dir = tmp_path_factory.mktemp("ring") / "keys"
    init_keyring(key_dir)
    ring = read_keyring(key_dir, {})
    # The compacted topics first, with short segments (the hub leaves existing topics alone).
    await client.create_topics(
        bootstrap,
        [
            (physical_name(t.name, prefix=prefix), t.partitions, {**t.config(), **FAST_SEGMENTS})
            for t in registry().values()
            if t.cleanup is Cleanup.COMPACT
        ],
    )
    settings = HubSettings(
        kafka_bootstrap_servers=bootstrap,
        key_dir=key_dir,
        state_dir=tmp_path_factory.mktemp("state"),
        topic_prefix=prefix,
    )
    options = HubOptions(http=False, tick_interval=0, transport_sweep_interval=0)
    async with Hub(settings, options, ring=ring) as hub:
        assert hub.ingest is not None
        today = local_date(options.clock())
        for post in scenario(today):
            await hub.ingest.ingest(post.partner, post.feed, post.body, post.content_type)
        # Another child with a note, to show that an erasure leaves it alone.
        other = {
            "record_id": "zs-c",
            "bsn": KIND_C,
            "datum": today.isoformat(),
            "domein": "gedrag",
            "urgentie": "normaal",
            "toelichting": "Komt vaak te laat; mentor zoekt contact.",
        }
        body = (json.dumps(other) + "\n").encode()
        await hub.ingest.ingest("school", "zorgsignaal", body, "application/x-ndjson")
        done = Running(hub, prefix, ring, key_dir)
        await done.settle()
        yield done


def _values(record: Any, out: set[str]) -> None:
    if record.key is not None:
        out.add(record.key.decode("utf-8", "replace"))
    out |= {v.decode("utf-8", "replace") for _, v in record.headers}
    if record.value is not None:
        _leaves(json.loads(record.value), out)


def _leaves(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for v in value.values():
            _leaves(v, out)
    elif isinstance(value, list):
        for v in value:
            _leaves(v, out)
    elif value is not None:
        out.add(str(value))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:\d{2})?)?")


def _vocabulary(value: str, policy_version: str) -> bool:
    """Public vocabulary: types, schema URIs, sources, enum words, BRIN, dates, the policy."""
    return (
        value.startswith(("nl.onderwijsjeugd.", "https://", "/partners/", "application/"))
        or re.fullmatch(r"[a-z0-9_ ]+|[0-9]{2}[A-Z]{2}|\d+(\.\d+)?", value) is not None
        or _DATE.fullmatch(value) is not None
        or value == policy_version
    )


async def test_no_two_audiences_share_a_value_of_eight_bytes(running: Running) -> None:
    version = running.hub.policies.current.version  # type: ignore[union-attr]
    per: dict[str, set[str]] = {}
    for audience in AUDIENCE_NAMES:
        values: set[str] = set()
        for logical in (view_topic(audience), view_keys_topic(audience)):
            for record in await running.records(logical):
                _values(record, values)
        per[audience] = {v for v in values if len(v.encode()) >= 8}
    assert sum(1 for v in per.values() if v) >= 4, "the workload must reach most audiences"
    for a, b in combinations(AUDIENCE_NAMES, 2):
        shared = sorted(v for v in per[a] & per[b] if not _vocabulary(v, version))
        assert not shared, (a, b, shared)


async def test_each_audience_opens_its_own_notes_and_no_other(running: Running) -> None:
    opened: dict[str, int] = {}
    for audience in AUDIENCE_NAMES:
        keys = await running.key_table(audience)
        mine = running.private_keys(audience)
        others = {
            kid: key
            for other in AUDIENCE_NAMES
            if other != audience
            for kid, key in running.private_keys(other).items()
        }
        for record in await running.records(view_topic(audience)):
            view = decode_view(record.key, record.value, record.headers)
            for name, value in view.data.items():
                if not (isinstance(value, dict) and "ct" in value):
                    continue
                where = {"audience": audience, "subject": view.subject, "view_id": view.id}
                own = open_field(value, keys.get(view.subject), mine, **where, field=name)
                assert own.outcome == "open", (audience, name)
                assert own.text
                theirs = open_field(value, keys.get(view.subject), others, **where, field=name)
                assert (theirs.outcome, theirs.text) == ("niet voor deze ontvanger", None)
                opened[audience] = opened.get(audience, 0) + 1
    # The demo's zorgsignalen: behaviour to the SWV, family to the buurtteam, each with a note.
    assert opened.get("swv", 0) >= 1
    assert opened.get("buurtteam", 0) >= 1


async def test_view_topics_keep_what_the_policy_grants(running: Running) -> None:
    policy = load_policy()
    admin = client.admin(running.bootstrap)
    await admin.start()
    try:
        from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

        for audience in AUDIENCE_NAMES:
            want = max(g.retention_days for g in policy.grants[audience].values())
            (answer,) = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, running.name(view_topic(audience)))]
            )
            configs = {e[0]: e[1] for e in answer.resources[0][4]}
            assert configs["retention.ms"] == str(want * DAY_MS), audience
    finally:
        await admin.close()
    assert max(g.retention_days for g in policy.grants["gemeente"].values()) == 365


def _subjects(identifier: str, ring: KeyRing, running: Running) -> set[str]:
    """Every pseudonym of a child: the hub's and each audience's."""
    hub = pseudonymise(parse_identifier("bsn", identifier), ring).value
    policy = running.hub.policies.current  # type: ignore[union-attr]
    return {hub} | {
        audience_pseudonym_for(policy.key_audience(a), hub, ring) for a in AUDIENCE_NAMES
    }


def _mentions(record: Any, subjects: set[str]) -> bool:
    text = (record.key or b"").decode("utf-8", "replace")
    text += "".join(v.decode("utf-8", "replace") for _, v in record.headers)
    text += (record.value or b"").decode("utf-8", "replace")
    return any(s in text for s in subjects)


async def test_erasure_reaches_every_topic(running: Running) -> None:
    erased = _subjects(KIND_A, running.ring, running)
    kept = _subjects(KIND_C, running.ring, running)
    hub_a = pseudonymise(parse_identifier("bsn", KIND_A), running.ring).value
    request = new_event(
        VerwijderingVerzocht(verzoek_id="VW-15", datum=dt.date.today()),
        partner=Partner.SCHOOL,
        organisation="12AB",
        system="las",
        source_record_id="vw-15",
        subject=hub_a,
        pseudonymkid=running.ring.pseudonym_key().kid,
        time=dt.datetime.now(dt.UTC),
    )
    record = cloudevents.encode(request)
    producer = client.producer(running.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            running.name(contract_topic(Partner.SCHOOL)),
            record.value,
            key=record.key,
            headers=list(record.headers),
        )
    finally:
        await producer.stop()
    await running.settle()
    assert await running.hub.sweep_transport() > 0

    compacted = [
        running.name(t.name)
        for t in registry().values()
        if t.cleanup is Cleanup.COMPACT and not t.name.startswith("adapter.")
    ]
    await _compact(running.bootstrap, compacted, erased)

    topics = [t for t in await list_topics(running.bootstrap) if t.startswith(running.prefix)]
    views = {running.name(view_topic(a)): a for a in AUDIENCE_NAMES}
    tables = {a: await running.key_table(a) for a in AUDIENCE_NAMES}
    everything: dict[str, bytes] = {}
    for audience in AUDIENCE_NAMES:
        everything |= running.private_keys(audience)
    audit = running.name("audit.v1")
    others_open = 0
    for name in topics:
        async for r in read_to_end(running.bootstrap, [name], timeout=60):
            if name in views:
                view = decode_view(r.key, r.value, r.headers)
                for field, value in view.data.items():
                    if not (isinstance(value, dict) and "ct" in value):
                        continue
                    opened = open_field(
                        value,
                        tables[view.audience].get(view.subject),
                        everything,
                        audience=view.audience,
                        subject=view.subject,
                        view_id=view.id,
                        field=field,
                    )
                    if view.subject in erased:
                        # No note of the erased child opens, whoever holds which key; its
                        # plain facts stay until the audience's retention (docs/privacy.md).
                        assert (opened.outcome, opened.text) == ("gewist", None), (name, field)
                    else:
                        assert opened.outcome == "open", (name, field)
                        others_open += 1
                continue
            if name == audit:
                continue  # the accountability log: who received what and why, never content
            if r.value is not None:
                assert not _mentions(r, erased), (name, r.partition, r.offset)
    assert others_open >= 1  # the other child's note still opens
    states = await running.records("casus.state.v1")
    assert any(r.value is not None and r.key.decode() in kept for r in states)


async def _compact(bootstrap: str, topics: list[str], erased: set[str]) -> None:
    """Roll every partition's segment, then wait until the cleaner removed the erased records."""
    await asyncio.sleep(1.0)
    partitions = await topic_partitions(bootstrap, topics)
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        for tp in partitions:
            await producer.send_and_wait(
                tp.topic, None, key=b"segment-roll", partition=tp.partition
            )
    finally:
        await producer.stop()
    async with asyncio.timeout(180):
        while True:
            left = [
                (r.topic, r.offset)
                async for r in read_to_end(bootstrap, topics, timeout=60)
                if r.value is not None and _mentions(r, erased)
            ]
            if not left:
                return
            await asyncio.sleep(2.0)
