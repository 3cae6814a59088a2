"""The pure projection and transition: exactly what the policy allows, bezwaar, erasure, audit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from hub.events.casus import CASUS_GEWIST
from hub.events.privacy import BEZWAAR_INGEDIEND, VERWIJDERING_VERZOCHT
from hub.privacy.pseudonyms import audience_pseudonym_for
from hub.views.audit import AuditKind
from hub.views.policy import load_policy
from hub.views.project import project, view_id
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics, transition
from hub.views.wire import decode_audit, decode_view, encode_view
from tests.unit.views.oracle import expected_view, raw_policy
from tests.unit.views.stream import (
    BSNS,
    T0,
    hub_pseudonym,
    keyring_for_tests,
    make_event,
    rich_stream,
)

RING = keyring_for_tests()
POLICY = load_policy()
STREAM = rich_stream(RING)
TOPICS = ViewTopics("t.")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
ZORGSIGNAAL = "nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1"
INSCHRIJVING = "nl.onderwijsjeugd.school.inschrijving.geregistreerd.v1"
UITSCHRIJVING = "nl.onderwijsjeugd.school.uitschrijving.geregistreerd.v1"
MATCH = "nl.onderwijsjeugd.casus.match_gevonden.v1"
BOARD_A, BOARD_B = "schoolbestuur:41234", "schoolbestuur:52345"


@pytest.mark.parametrize("audience", POLICY.audiences())
def test_each_audience_sees_exactly_what_the_policy_allows(audience: str) -> None:
    raw = raw_policy()
    shown = 0
    for event in STREAM:
        view = project(POLICY, audience, event, RING)
        expected = expected_view(raw, audience, event)
        if expected is None:
            assert view is None, event.type
            continue
        assert view is not None, event.type
        assert view.data == expected, event.type
        assert view.subject == audience_pseudonym_for(
            POLICY.key_audience(audience), event.subject, RING
        )
        assert view.subject != event.subject
        assert view.id == view_id(audience, event.id) != event.id
        shown += 1
    assert shown > 0


def test_jgz_content_never_reaches_leerplicht() -> None:
    for event in STREAM:
        view = project(POLICY, "leerplicht", event, RING)
        if view is None:
            continue
        text = json.dumps(view.data)
        assert ".jgz." not in view.type
        assert "ziek" not in view.type
        assert "gezondheid" not in text
        assert "ziek" not in text
        assert "jgz" not in text.replace('"partner": "jgz"', "")
        assert "toelichting" not in text
        assert "opmerking" not in text


def test_two_audiences_know_the_same_child_by_different_pseudonyms() -> None:
    match = next(e for e in STREAM if e.type.endswith("match_gevonden.v1"))
    school = project(POLICY, "schoolbestuur:41234", match, RING)
    buurtteam = project(POLICY, "buurtteam", match, RING)
    assert school is not None
    assert buurtteam is not None
    assert school.subject != buurtteam.subject
    assert school.id != buurtteam.id


def test_encrypted_toelichting_goes_only_to_the_routed_partner() -> None:
    child = hub_pseudonym(BSNS[0], RING)
    event = make_event(ZORGSIGNAAL, child, RING, record="zs", data={"domein": "gezin"})
    received = {a: project(POLICY, a, event, RING) for a in POLICY.audiences()}
    with_text = {a for a, v in received.items() if v is not None and "toelichting" in v.data}
    assert with_text == {"buurtteam"}
    view = received["buurtteam"]
    assert view is not None
    assert view.data["toelichting"] == event.data.toelichting.model_dump(mode="json")


def test_view_record_round_trips() -> None:
    view = next(v for e in STREAM if (v := project(POLICY, "swv", e, RING)) is not None)
    key, value, headers = encode_view(view)
    assert decode_view(key, value, headers) == view


def _run(events: list[Any], state: ChildViews | None = None) -> tuple[ChildViews | None, list[Any]]:
    out: list[Any] = []
    for event in events:
        state, records = transition(POLICY, RING, TOPICS, state, event, NOW)
        out += records
    return state, out


class TestTransition:
    def test_every_view_record_has_its_audit_record(self) -> None:
        _, records = _run(STREAM)
        views = [r for r in records if r.topic.startswith("t.view.")]
        audits = [decode_audit(r.value) for r in records if r.topic == "t.audit.v1"]
        assert len(views) == len(audits) > 50
        by_view = {a.view_id: a for a in audits}
        for record in views:
            view = decode_view(record.key, record.value, record.headers)
            entry = by_view[view.id]
            assert entry.subject == view.subject
            assert entry.audience == view.audience
            assert entry.kind is AuditKind.VERSTREKKING
            assert entry.policy_sha256 == POLICY.sha256
            assert entry.legal_basis
            assert entry.purpose
            assert set(view.data) <= {f.split(".")[0] for f in (*entry.fields, *entry.encrypted)}

    def test_audit_never_holds_the_hub_pseudonym(self) -> None:
        hubs = {hub_pseudonym(b, RING) for b in BSNS}
        _, records = _run(STREAM)
        for record in records:
            assert record.key.decode() not in hubs or record.topic == TOPICS.datakeys
            assert not any(h in (record.value or b"").decode() for h in hubs)

    def test_bezwaar_stops_sharing_from_that_moment(self) -> None:
        child = hub_pseudonym(BSNS[0], RING)
        match = make_event("nl.onderwijsjeugd.casus.match_gevonden.v1", child, RING, record="m1")
        bezwaar = make_event(
            BEZWAAR_INGEDIEND, child, RING, record="b1", data={"partners": ["buurtteam"]}
        )
        later = make_event("nl.onderwijsjeugd.casus.match_gevonden.v1", child, RING, record="m2")
        enrolled, _ = _run([make_event(INSCHRIJVING, child, RING, record="i1")])  # at 12AB
        state, before = _run([match], enrolled)
        state, during = _run([bezwaar], state)
        state, after = _run([later], state)
        assert during == []
        assert {r.topic for r in before} == {
            "t.view.schoolbestuur.41234.v1",
            "t.view.buurtteam.v1",
            "t.audit.v1",
        }
        assert {r.topic for r in after} == {"t.view.schoolbestuur.41234.v1", "t.audit.v1"}
        assert state is not None
        assert state.objected("buurtteam")

    def test_bezwaar_for_all_stops_everything(self) -> None:
        child = hub_pseudonym(BSNS[1], RING)
        bezwaar = make_event(BEZWAAR_INGEDIEND, child, RING, record="b2")
        state, _ = _run([bezwaar])
        _, records = _run([e for e in STREAM if e.subject == child], state)
        assert records == []

    def test_verwijdering_shreds_the_key_tells_each_recipient_and_forgets(self) -> None:
        child = hub_pseudonym(BSNS[0], RING)
        events = [e for e in STREAM if e.subject == child]
        state, _records = _run(events)
        assert state is not None
        request = make_event(VERWIJDERING_VERZOCHT, child, RING, record="vw")
        new_state, erased = transition(POLICY, RING, TOPICS, state, request, NOW)
        assert new_state is None
        tombstones = [r for r in erased if r.topic == TOPICS.datakeys]
        assert [(t.key, t.value) for t in tombstones] == [(child.encode(), None)]
        notices = [
            decode_view(r.key, r.value, r.headers) for r in erased if r.topic.startswith("t.view.")
        ]
        assert {n.audience for n in notices} == set(state.ontvangers)
        assert all(n.type == CASUS_GEWIST for n in notices)
        audits = [decode_audit(r.value) for r in erased if r.topic == TOPICS.audit]
        assert {a.kind for a in audits} == {AuditKind.WISBERICHT}
        assert len(audits) == len(notices)

    def test_state_changes_only_when_a_new_audience_received(self) -> None:
        state, _ = _run(STREAM[:1])
        again, _ = _run(STREAM[:1], state)
        assert again is state

    def test_projection_is_quick(self) -> None:
        import time

        started = time.perf_counter()
        _run(STREAM)
        assert time.perf_counter() - started < 1.0


def test_view_time_is_the_event_time() -> None:
    for event in STREAM:
        view = project(POLICY, "leerplicht", event, RING)
        if view is not None:
            assert view.time == event.time >= T0


class TestSchoolBoards:
    """Each school board sees only the children its own schools reported."""

    def _views(self, records: list[Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for record in records:
            if record.topic.startswith("t.view.schoolbestuur."):
                view = decode_view(record.key, record.value, record.headers)
                out.setdefault(view.audience, []).append(view)
        return out

    def test_a_board_sees_a_child_only_after_its_own_school_reported_it(self) -> None:
        child = hub_pseudonym(BSNS[0], RING)
        state, records = _run([make_event(MATCH, child, RING, record="m0")])
        assert self._views(records) == {}  # no school of any board knows the child yet
        inschrijving = make_event(INSCHRIJVING, child, RING, record="i", data={"brin": "34CD"})
        state, _ = _run([inschrijving], state)
        assert state is not None
        assert state.scholen == ("34CD",)
        _, records = _run([make_event(MATCH, child, RING, record="m1")], state)
        assert set(self._views(records)) == {BOARD_B}

    def test_a_child_at_two_boards_reaches_both_under_different_pseudonyms(self) -> None:
        child = hub_pseudonym(BSNS[1], RING)
        events = [
            make_event(ZORGSIGNAAL, child, RING, record="zs", data={"brin": "12AC"}),
            make_event(
                "nl.onderwijsjeugd.school.verzuim.geregistreerd.v1",
                child,
                RING,
                record="vz",
                data={"brin": "34CD"},
            ),
            make_event(MATCH, child, RING, record="m2"),
        ]
        _, records = _run(events)
        views = self._views(records)
        assert set(views) == {BOARD_A, BOARD_B}
        (a,), (b,) = views[BOARD_A], views[BOARD_B]
        assert a.subject != b.subject != child
        assert a.id != b.id
        assert a.pseudonymkid == "audience-schoolbestuur-41234.v1"

    def test_an_uitschrijving_ends_the_link_and_only_the_schools_own_events_count(self) -> None:
        child = hub_pseudonym(BSNS[2], RING)
        enrolled, _ = _run([make_event(INSCHRIJVING, child, RING, record="i2")])
        left, _ = _run([make_event(UITSCHRIJVING, child, RING, record="u2")], enrolled)
        assert left is not None
        assert left.scholen == ()
        _, records = _run([make_event(MATCH, child, RING, record="m3")], left)
        assert self._views(records) == {}
        # An arrangement names a BRIN, but it is the SWV's event: it links the child to no board.
        arrangement = make_event(
            "nl.onderwijsjeugd.swv.arrangement.toegekend.v1", child, RING, record="a"
        )
        linked, _ = _run([arrangement])
        assert linked is None or linked.scholen == ()

    def test_a_bezwaar_against_the_school_covers_every_board(self) -> None:
        child = hub_pseudonym(BSNS[0], RING)
        events = [
            make_event(INSCHRIJVING, child, RING, record="i4"),
            make_event(BEZWAAR_INGEDIEND, child, RING, record="b4", data={"partners": ["school"]}),
            make_event(MATCH, child, RING, record="m4"),
        ]
        _, records = _run(events)
        assert self._views(records) == {}
