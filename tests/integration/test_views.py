"""The projector on the real broker: exactly the policy per audience, audit, bezwaar, erasure."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from typer.testing import CliRunner

from hub.bus import client, cloudevents
from hub.bus.datakeys import KafkaDataKeyStore
from hub.bus.processor import TransactionalProcessor
from hub.bus.scan import read_to_end
from hub.cli import app
from hub.events.casus import CASUS_GEWIST, MATCH_GEVONDEN
from hub.events.envelope import Event
from hub.events.privacy import BEZWAAR_INGEDIEND, TOESTEMMING_INGETROKKEN, VERWIJDERING_VERZOCHT
from hub.events.school import (
    INSCHRIJVING_GEREGISTREERD,
    VERZUIMMELDING_GEDAAN,
    ZORGSIGNAAL_AFGEGEVEN,
)
from hub.events.topics import physical_name, registry, topic_for_event, view_topic
from hub.events.vocab import Partner
from hub.privacy.audiencecrypt import AudienceKey, Opened, open_field
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import KeyRing, audience_key_name, parse_kid, write_key_file
from hub.privacy.pseudonyms import adapter_audience_pseudonym
from hub.settings import get_settings
from hub.views.audit import AuditKind, AuditRecord
from hub.views.indicators import INDICATORS, Report
from hub.views.policy import DEFAULT_POLICY_PATH, load_policy
from hub.views.project import ViewEvent, view_id
from hub.views.reload import PolicyHolder
from hub.views.runner import create_state_topic, ensure_view_topics, projector
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics
from hub.views.wire import decode_audit, decode_view
from tests.integration.conftest import Broker
from tests.pii import assert_no_pii
from tests.unit.views.oracle import expected_stream, raw_policy
from tests.unit.views.stream import (
    BSNS,
    NOTE,
    consent,
    hub_pseudonym,
    keyring_for_tests,
    make_event,
    recipient_private_for_tests,
    rich_stream,
)

pytestmark = pytest.mark.integration

#: More made-up BSNs passing the 11-proef, one per scenario so scenarios never share a child.
BEZWAAR_BSN, ERASE_BSN, RELOAD_BSN = "367418253", "209494177", "762984594"
CONSENT_BSN = "196137731"
AUDIENCE_NAMES = list(load_policy().audiences())
BOARD_A, BOARD_B = "schoolbestuur:41234", "schoolbestuur:52345"
#: Children of the school-board scenario: at a school of board A, of board B, of both.
AT_A_BSN, AT_B_BSN, AT_BOTH_BSN = "391107756", "814502234", "129836576"
PARTITIONS = 2


@dataclass
class Views:
    """A running projector on its own prefixed topics, and what it wrote."""

    bootstrap: str
    prefix: str
    ring: KeyRing
    holder: PolicyHolder
    processor: TransactionalProcessor[ChildViews]
    sent: int = 0
    stream: list[Event[Any]] = field(default_factory=list)

    @property
    def topics(self) -> ViewTopics:
        return ViewTopics(self.prefix)

    async def send(self, events: list[Event[Any]]) -> None:
        """Produce events to their contract or casus topic; wait until all were processed."""
        producer = client.producer(self.bootstrap)
        await producer.start()
        try:
            futures = []
            for event in events:
                record = cloudevents.encode(event)
                topic = physical_name(
                    topic_for_event(event.type, event.partner), prefix=self.prefix
                )
                futures.append(
                    await producer.send(
                        topic, record.value, key=record.key, headers=list(record.headers)
                    )
                )
            await asyncio.gather(*futures)
        finally:
            await producer.stop()
        self.sent += len(events)
        await until(lambda: self.processor.stats.processed >= self.sent)

    async def views(self, audience: str) -> list[ViewEvent]:
        """Every committed record on the audience's view topic, decoded."""
        topic = self.topics.view(audience)
        return [
            decode_view(r.key, r.value, r.headers)
            async for r in read_to_end(self.bootstrap, [topic], timeout=30)
        ]

    async def keys(self, audience: str) -> dict[str, AudienceKey]:
        """The audience's key topic as its subscriber loads it: the last record per subject."""
        table: dict[str, AudienceKey] = {}
        async for r in read_to_end(self.bootstrap, [self.topics.keys(audience)], timeout=30):
            if r.value is None:
                table.pop(r.key.decode(), None)
            else:
                table[r.key.decode()] = AudienceKey.model_validate_json(r.value)
        return table

    def open(
        self, audience: str, view: ViewEvent, name: str, keys: dict[str, AudienceKey]
    ) -> Opened:
        """One field opened as the audience does, with its own private key only."""
        key_audience = self.holder.current.key_audience(audience)
        private = {
            self.ring.recipient_key(key_audience).kid: recipient_private_for_tests(key_audience)
        }
        return open_field(
            view.data[name],
            keys.get(view.subject),
            private,
            audience=audience,
            subject=view.subject,
            view_id=view.id,
            field=name,
        )

    async def audit(self) -> list[tuple[bytes, AuditRecord]]:
        """Every committed audit record with its key."""
        return [
            (r.key, decode_audit(r.value))
            async for r in read_to_end(self.bootstrap, [self.topics.audit], timeout=30)
        ]


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for `condition` without sleeping longer than needed."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the stats are plain counters
            await asyncio.sleep(0.05)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def views(
    kafka_broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Views]:
    """One projector for the module, fed the rich stream once."""
    bootstrap = kafka_broker.bootstrap
    prefix = f"views-{uuid.uuid4().hex[:8]}."
    # The registry's topics with its configs, but two partitions each: the processor takes one
    # task per partition, and a dozen of them only slow the start on a two-core machine.
    await client.create_topics(
        bootstrap,
        [
            (physical_name(t.name, prefix=prefix), min(t.partitions, PARTITIONS), t.config())
            for t in registry().values()
        ],
    )
    await create_state_topic(bootstrap, ViewTopics(prefix), PARTITIONS)
    await ensure_view_topics(bootstrap, ViewTopics(prefix), AUDIENCE_NAMES, PARTITIONS)
    policy_file = tmp_path_factory.mktemp("policy") / "policy.yaml"
    shutil.copy(DEFAULT_POLICY_PATH, policy_file)
    ring = keyring_for_tests()
    holder = PolicyHolder(policy_file, ring)
    processor = projector(bootstrap, ring, holder, prefix=prefix)
    async with processor:
        await processor.wait_ready()
        running = Views(bootstrap, prefix, ring, holder, processor)
        # The school's events first, then the other partners', then the casus outputs: the
        # projector reads each from its own topic, in no order between topics, and a school
        # board's view depends on which of its schools reported the child before.
        stream = rich_stream(ring)
        phases = [
            [e for e in stream if e.partner is Partner.SCHOOL],
            [e for e in stream if e.partner not in (Partner.SCHOOL, Partner.HUB)],
            [e for e in stream if e.partner is Partner.HUB],
        ]
        for phase in phases:
            running.stream += phase
            await running.send(phase)
        yield running


@pytest.mark.parametrize("audience", AUDIENCE_NAMES)
async def test_each_audience_receives_exactly_what_the_policy_allows(
    views: Views, audience: str
) -> None:
    raw = raw_policy()
    expected = {
        view_id(audience, e.id): data for e, data in expected_stream(raw, audience, views.stream)
    }
    received = {v.id: v for v in await views.views(audience) if v.type != CASUS_GEWIST}
    stream_ids = {view_id(audience, e.id) for e in views.stream}
    received = {k: v for k, v in received.items() if k in stream_ids}
    # The rich stream's school is 12AB: board B's schools never report its children.
    assert expected or audience == BOARD_B, "the rich stream must give every audience something"
    assert set(received) == set(expected)
    keys = await views.keys(audience)
    for key, view in received.items():
        # Notes arrive re-encrypted for this audience: compare what the audience opens.
        data = dict(view.data)
        want = dict(expected[key])
        for name, value in view.data.items():
            if isinstance(value, dict) and value.get("alg"):
                opened = views.open(audience, view, name, keys)
                assert opened.outcome == "open", (view.type, name)
                data[name] = opened.text
                want[name] = f"{NOTE} ({name})"
        assert data == want, view.type
        assert view.audience == audience


async def test_jgz_content_never_reaches_leerplicht(views: Views) -> None:
    for view in await views.views("leerplicht"):
        assert ".jgz." not in view.type
        assert "ziek" not in view.type
        text = str(view.data)
        assert "gezondheid" not in text
        assert "toelichting" not in text


async def test_two_audiences_know_the_child_by_different_keys(views: Views) -> None:
    identifier = parse_identifier("bsn", BSNS[0])
    regional = views.ring.pseudonym_key()
    subjects = {}
    for audience, key_audience in ((BOARD_A, BOARD_A), ("buurtteam", "buurtteam")):
        # What the partner's own adapter computes for a child it knows.
        own = adapter_audience_pseudonym(
            identifier, regional, views.ring.current(audience_key_name(key_audience))
        )
        mine = [v for v in await views.views(audience) if v.subject == own]
        assert mine, audience
        subjects[audience] = own
    assert subjects[BOARD_A] != subjects["buurtteam"]
    assert hub_pseudonym(BSNS[0], views.ring) not in subjects.values()


async def test_every_view_record_has_its_audit_record(views: Views) -> None:
    audit = {record.view_id: (key, record) for key, record in await views.audit()}
    total = 0
    for audience in AUDIENCE_NAMES:
        for view in await views.views(audience):  # a school board's topic among them
            key, record = audit[view.id]
            assert key == view.subject.encode()
            assert record.subject == view.subject
            assert record.audience == audience
            assert record.view_topic == view_topic(audience)
            assert record.policy_version == view.policyversion
            assert len(record.policy_sha256) == 64
            assert record.legal_basis
            total += 1
    assert total == len(audit)


async def test_bezwaar_stops_sharing_from_that_moment(views: Views) -> None:
    child = hub_pseudonym(BEZWAAR_BSN, views.ring)
    inschrijving = make_event(INSCHRIJVING_GEREGISTREERD, child, views.ring, record="bz-i")
    before = make_event(MATCH_GEVONDEN, child, views.ring, record="bz-m1")
    await views.send([inschrijving, before])
    bezwaar = make_event(
        BEZWAAR_INGEDIEND, child, views.ring, record="bz-1", data={"partners": ["buurtteam"]}
    )
    await views.send([bezwaar])
    after = make_event(MATCH_GEVONDEN, child, views.ring, record="bz-m2")
    await views.send([after])
    buurtteam = {v.id for v in await views.views("buurtteam")}
    school = {v.id for v in await views.views(BOARD_A)}
    assert view_id("buurtteam", before.id) in buurtteam
    assert view_id("buurtteam", after.id) not in buurtteam
    assert {view_id(BOARD_A, before.id), view_id(BOARD_A, after.id)} <= school


async def test_each_school_board_sees_only_its_own_children(views: Views) -> None:
    """Board A (12AB, 12AC) and board B (34CD) each read their own topic; a child at both
    appears on both under different pseudonyms; the board's own adapter recognises them."""
    children = {bsn: hub_pseudonym(bsn, views.ring) for bsn in (AT_A_BSN, AT_B_BSN, AT_BOTH_BSN)}
    school_events = [
        (AT_A_BSN, INSCHRIJVING_GEREGISTREERD, "12AB"),
        (AT_B_BSN, ZORGSIGNAAL_AFGEGEVEN, "34CD"),
        (AT_BOTH_BSN, VERZUIMMELDING_GEDAAN, "12AC"),
        (AT_BOTH_BSN, INSCHRIJVING_GEREGISTREERD, "34CD"),
    ]
    events = [
        make_event(kind, children[bsn], views.ring, record=f"sb-{n}", data={"brin": brin})
        for n, (bsn, kind, brin) in enumerate(school_events)
    ]
    # A match about each child, addressed to the school (and to the buurtteam).
    matches = {
        bsn: make_event(MATCH_GEVONDEN, child, views.ring, record=f"sb-m-{n}")
        for n, (bsn, child) in enumerate(children.items())
    }
    await views.send(events)  # the schools report first; the casus derives from them later
    await views.send(list(matches.values()))
    regional = views.ring.pseudonym_key()
    seen: dict[str, dict[str, str]] = {}
    for board in (BOARD_A, BOARD_B):
        key = views.ring.current(audience_key_name(board))
        own = {
            bsn: adapter_audience_pseudonym(parse_identifier("bsn", bsn), regional, key)
            for bsn in children
        }
        records = await views.views(board)
        mine = {
            v.subject for v in records if v.id in {view_id(board, m.id) for m in matches.values()}
        }
        seen[board] = {bsn: p for bsn, p in own.items() if p in mine}
        # Nothing about a child the board's schools never reported, from this or any scenario.
        assert not {v.subject for v in records} & {own[b] for b in children} - set(
            seen[board].values()
        )
        assert all(v.audience == board for v in records)
        assert all(v.pseudonymkid == f"{audience_key_name(board)}.v1" for v in records)
    assert set(seen[BOARD_A]) == {AT_A_BSN, AT_BOTH_BSN}
    assert set(seen[BOARD_B]) == {AT_B_BSN, AT_BOTH_BSN}
    assert seen[BOARD_A][AT_BOTH_BSN] != seen[BOARD_B][AT_BOTH_BSN]
    hubs = set(children.values())
    assert not hubs & ({*seen[BOARD_A].values()} | {*seen[BOARD_B].values()})


async def test_consent_based_sharing_waits_for_consent_and_stops_at_its_withdrawal(
    views: Views,
) -> None:
    child = hub_pseudonym(CONSENT_BSN, views.ring)
    health = {"domein": "gezondheid"}
    before = make_event(ZORGSIGNAAL_AFGEGEVEN, child, views.ring, record="ts-zs1", data=health)
    await views.send([before])
    given = consent(child, views.ring, record="ts-1")
    during = make_event(ZORGSIGNAAL_AFGEGEVEN, child, views.ring, record="ts-zs2", data=health)
    await views.send([given, during])
    withdrawn = make_event(
        TOESTEMMING_INGETROKKEN,
        child,
        views.ring,
        record="ti-1",
        data={"doel": "delen_met_partners"},
    )
    after = make_event(ZORGSIGNAAL_AFGEGEVEN, child, views.ring, record="ts-zs3", data=health)
    await views.send([withdrawn, after])
    jgz = {v.id for v in await views.views("jgz")}
    assert view_id("jgz", before.id) not in jgz  # no consent yet
    assert view_id("jgz", during.id) in jgz
    assert view_id("jgz", after.id) not in jgz  # withdrawn
    disclosed = {r.event_id for _, r in await views.audit() if r.audience == "jgz"}
    assert during.id in disclosed
    assert not {before.id, after.id} & disclosed


async def test_verwijdering_makes_earlier_encrypted_fields_unreadable(views: Views) -> None:
    child = hub_pseudonym(ERASE_BSN, views.ring)
    signal = make_event(
        ZORGSIGNAAL_AFGEGEVEN, child, views.ring, record="erase-zs-1", data={"domein": "gezin"}
    )
    await views.send([signal])
    mine = [v for v in await views.views("buurtteam") if v.id == view_id("buurtteam", signal.id)]
    assert len(mine) == 1
    opened = views.open("buurtteam", mine[0], "toelichting", await views.keys("buurtteam"))
    assert opened.text == f"{NOTE} (toelichting)"
    stored = KafkaDataKeyStore(views.bootstrap, views.topics.datakeys)
    await stored.load()
    assert stored.get(child) is not None

    await views.send([make_event(VERWIJDERING_VERZOCHT, child, views.ring, record="vw-1")])
    after = views.open("buurtteam", mine[0], "toelichting", await views.keys("buurtteam"))
    assert (after.outcome, after.text) == ("gewist", None)
    await stored.load()
    assert stored.get(child) is None
    notices = [
        v
        for v in await views.views("buurtteam")
        if v.type == CASUS_GEWIST and v.subject == mine[0].subject
    ]
    assert len(notices) == 1
    erasures = [r for _, r in await views.audit() if r.kind is AuditKind.WISBERICHT]
    assert notices[0].id in {r.view_id for r in erasures}
    # Nobody else received anything about this child, so nobody else gets a notice.
    assert {r.audience for r in erasures if r.view_id == notices[0].id} == {"buurtteam"}


async def test_a_bad_policy_file_is_refused_and_the_last_good_one_stays(views: Views) -> None:
    path = views.holder.path
    assert path is not None
    good = views.holder.current
    path.write_text(
        path.read_text().replace("fields: [melding_id, status, datum]", "fields: [naam")
    )
    assert views.holder.poll() is False
    assert views.holder.current is good
    assert views.holder.last_problems
    child = hub_pseudonym(RELOAD_BSN, views.ring)
    first = make_event(VERZUIMMELDING_GEDAAN, child, views.ring, record="rl-1")
    await views.send([first])
    grant = (
        "      school.verzuimmelding.gedaan.v1:\n        fields: [brin, vestiging, melding_id, "
        "verzuimsoort, datum, periode_van, periode_tot,\n                 lesuren_ongeoorloofd]\n"
    )
    text = DEFAULT_POLICY_PATH.read_text()
    assert grant in text
    path.write_text(text.replace(grant, "").replace('"2026.12-1"', '"2026.11-2"'))
    assert views.holder.poll() is True
    assert views.holder.current.version == "2026.11-2"
    second = make_event(VERZUIMMELDING_GEDAAN, child, views.ring, record="rl-2")
    await views.send([second])
    leerplicht = {v.id: v for v in await views.views("leerplicht")}
    assert leerplicht[view_id("leerplicht", first.id)].policyversion == "2026.12-1"
    assert view_id("leerplicht", second.id) not in leerplicht
    shutil.copy(DEFAULT_POLICY_PATH, path)
    assert views.holder.poll() is True


async def test_hub_inzage_reports_a_childs_disclosures_without_sending_the_bsn(
    views: Views, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for kid in views.ring.kids():
        name, version = parse_kid(kid)
        write_key_file(tmp_path, name, version, views.ring.get(kid).material)
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_TOPIC_PREFIX", views.prefix)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", views.bootstrap)
    get_settings.cache_clear()
    try:
        # The command runs its own event loop, so it runs in a thread as it would in a shell.
        result, objected = [
            await asyncio.to_thread(
                CliRunner().invoke, app, ["inzage", "--stdin"], input=f"{bsn}\n"
            )
            for bsn in (BSNS[1], BEZWAAR_BSN)
        ]
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Inzage: welke informatie over uw kind is gedeeld" in result.output
    assert "gedeeld met 6 partners" in result.output
    assert "Het buurtteam" in result.output
    assert "Bezwaar: er is geen bezwaar tegen het delen vastgelegd." in result.output
    assert BSNS[1] not in result.stdout
    # The child of the bezwaar test objected to the buurtteam (read from views.state.v1).
    assert objected.exit_code == 0, objected.output
    assert "bezwaar gemaakt tegen het delen met deze partner:\n- het buurtteam\n" in (
        objected.output
    )
    assert BEZWAAR_BSN not in objected.stdout


async def test_hub_indicators_counts_without_children_and_publishes(
    views: Views, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_TOPIC_PREFIX", views.prefix)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", views.bootstrap)
    get_settings.cache_clear()
    try:
        args = ["indicators", "--json", "--publish", "--min-cell", "2", "--peildatum", "2026-12-31"]
        result = await asyncio.to_thread(CliRunner().invoke, app, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = Report.model_validate_json(result.stdout)
    cells = {(c.indicator.value, c.brin): c for c in report.cellen}
    # The two children of the rich stream had 8 signals each (scenario children add more).
    total = cells[("signalen", "alle")]
    assert total.aantal is not None
    assert total.aantal >= 2 * 8
    matches = cells[("matches", "alle")].aantal
    assert matches is not None
    assert matches >= len([e for e in views.stream if e.type == MATCH_GEVONDEN])
    assert not any(hub_pseudonym(b, views.ring) in result.output for b in BSNS)
    published = [
        r async for r in read_to_end(views.bootstrap, [views.prefix + INDICATORS], timeout=30)
    ]
    assert len(published) == len(report.cellen)


async def test_hub_pii_scan_finds_nothing_on_the_projectors_topics(
    views: Views, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics = await _prefixed(views)
    assert views.topics.audit in topics
    assert views.topics.view("jgz") in topics
    await assert_no_pii(views.bootstrap, topics)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", views.bootstrap)
    get_settings.cache_clear()
    try:
        args = ["pii", "scan", *(a for t in topics for a in ("--topic", t))]
        result = await asyncio.to_thread(CliRunner().invoke, app, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "0 finding(s)" in result.output


async def _prefixed(views: Views) -> list[str]:
    from hub.bus.scan import list_topics

    return [t for t in await list_topics(views.bootstrap) if t.startswith(views.prefix)]
