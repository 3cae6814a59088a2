"""Inzage: the parent's report, computed from the audit trail with locally made pseudonyms."""

from __future__ import annotations

import datetime as dt

from hub.events.privacy import BEZWAAR_INGEDIEND, VERWIJDERING_VERZOCHT
from hub.privacy.identifiers import parse_identifier
from hub.views.audit import AuditRecord
from hub.views.inzage import (
    bezwaar_of,
    child_hub_pseudonyms,
    child_subjects,
    datum_nl,
    for_child,
    render,
)
from hub.views.policy import load_policy
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics, transition
from hub.views.wire import decode_audit
from tests.unit.views.stream import (
    BSNS,
    crypto_for_tests,
    hub_pseudonym,
    keyring_for_tests,
    make_event,
    rich_stream,
)

RING = keyring_for_tests()
POLICY = load_policy()
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TOPICS = ViewTopics()


def _audit(erase: bool = False) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    states: dict[str, ChildViews | None] = {}
    events = rich_stream(RING)
    if erase:
        child = hub_pseudonym(BSNS[0], RING)
        events.append(make_event(VERWIJDERING_VERZOCHT, child, RING, record="vw"))
    crypto = crypto_for_tests(RING)
    for event in events:
        state, out = transition(POLICY, RING, TOPICS, states.get(event.subject), event, NOW, crypto)
        states[event.subject] = state
        records += [decode_audit(r.value) for r in out if r.topic == TOPICS.audit]
    return records


class TestInzage:
    def test_only_the_childs_own_records_are_found(self) -> None:
        records = _audit()
        subjects = child_subjects(parse_identifier("bsn", BSNS[0]), RING)
        mine = for_child(records, subjects)
        other = for_child(records, child_subjects(parse_identifier("bsn", BSNS[1]), RING))
        assert mine
        assert len(mine) == len(other)
        assert not {r.view_id for r in mine} & {r.view_id for r in other}
        assert len(mine) + len(other) == len(records)

    def test_report_is_plain_dutch_and_names_partners_bases_and_dates(self) -> None:
        records = _audit()
        mine = for_child(records, child_subjects(parse_identifier("bsn", BSNS[0]), RING))
        report = render(mine, NOW.date(), POLICY)
        assert report.startswith("Inzage: welke informatie over uw kind is gedeeld")
        assert "gedeeld met 6 partners" in report
        assert "Het buurtteam" in report
        assert "Op grond van: Leerplichtwet 1969" in report
        assert (
            "een zorgsignaal van school. Gedeeld: datum, onderwerp, urgentie, toelichting" in report
        )
        assert datum_nl(NOW.date()) == "23 november 2026"
        assert "23 november 2026: " in report
        assert "versie 2026.12-1" in report

    def test_report_holds_no_identifier_and_no_pseudonym(self) -> None:
        records = _audit()
        subjects = child_subjects(parse_identifier("bsn", BSNS[0]), RING)
        report = render(for_child(records, subjects), NOW.date())
        assert BSNS[0] not in report
        assert not any(s in report for s in subjects)
        assert hub_pseudonym(BSNS[0], RING) not in report

    def test_erasure_is_reported(self) -> None:
        records = _audit(erase=True)
        mine = for_child(records, child_subjects(parse_identifier("bsn", BSNS[0]), RING))
        report = render(mine, NOW.date())
        assert "Wissing: op 23 november 2026 zijn de gegevens van uw kind gewist" in report

    def test_nothing_shared(self) -> None:
        report = render([], NOW.date())
        assert "is geen informatie over uw kind gedeeld" in report


def _state_after(*partners: tuple[str, ...]) -> ChildViews | None:
    """The projector's state of the first child after its stream and one bezwaar per tuple."""
    child = hub_pseudonym(BSNS[0], RING)
    state: ChildViews | None = None
    events = [e for e in rich_stream(RING, children=1)]
    for n, audiences in enumerate(partners):
        data = {"partners": list(audiences), "datum": f"2026-11-2{n}"}
        events.append(make_event(BEZWAAR_INGEDIEND, child, RING, record=f"bz-{n}", data=data))
    for event in events:
        state, _ = transition(POLICY, RING, TOPICS, state, event, NOW)
    return state


class TestBezwaar:
    def test_the_state_is_found_under_the_childs_hub_pseudonym(self) -> None:
        hubs = child_hub_pseudonyms(parse_identifier("bsn", BSNS[0]), RING)
        assert hubs == {hub_pseudonym(BSNS[0], RING)}
        assert hub_pseudonym(BSNS[1], RING) not in hubs

    def test_no_bezwaar_is_said_plainly(self) -> None:
        state = _state_after()
        assert state is not None
        report = render([], NOW.date(), bezwaar=bezwaar_of([state]))
        assert "Bezwaar: er is geen bezwaar tegen het delen vastgelegd." in report

    def test_bezwaar_for_some_partners_names_them_and_the_date(self) -> None:
        state = _state_after(("buurtteam",), ("jgz",))
        assert state is not None
        records = for_child(_audit(), child_subjects(parse_identifier("bsn", BSNS[0]), RING))
        report = render(records, NOW.date(), POLICY, bezwaar_of([state]))
        assert "Bezwaar: u heeft op 20 november 2026 bezwaar gemaakt tegen het delen met deze" in (
            report
        )
        assert "- het buurtteam\n" in report
        assert "- de jeugdgezondheidszorg (jeugdarts of jeugdverpleegkundige)\n" in report
        assert "- de leerplichtambtenaar" not in report
        assert "Met de andere partners mag informatie nog gedeeld worden" in report
        assert report.index("Bezwaar:") > report.index("Het buurtteam")

    def test_bezwaar_for_all_partners(self) -> None:
        state = _state_after(())
        assert state is not None
        report = render([], NOW.date(), bezwaar=bezwaar_of([state]))
        assert "niets meer over uw kind gedeeld, met geen enkele partner" in report
        assert "- het buurtteam" not in report

    def test_states_under_two_key_versions_are_merged(self) -> None:
        old = ChildViews(bezwaar=("jgz",), bezwaar_sinds=dt.date(2026, 10, 1))
        new = ChildViews(bezwaar=("swv",), bezwaar_sinds=dt.date(2026, 11, 1))
        merged = bezwaar_of([new, old])
        assert merged.bezwaar == ("jgz", "swv")
        assert merged.bezwaar_sinds == dt.date(2026, 10, 1)
        assert not bezwaar_of([]).objected("jgz")

    def test_without_the_state_the_paragraph_is_left_out(self) -> None:
        assert "Bezwaar:" not in render([], NOW.date())
