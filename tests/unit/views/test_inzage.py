"""Inzage: the parent's report, computed from the audit trail with locally made pseudonyms."""

from __future__ import annotations

import datetime as dt

from hub.events.privacy import VERWIJDERING_VERZOCHT
from hub.privacy.identifiers import parse_identifier
from hub.views.audit import AuditRecord
from hub.views.inzage import child_subjects, datum_nl, for_child, render
from hub.views.policy import load_policy
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics, transition
from hub.views.wire import decode_audit
from tests.unit.views.stream import BSNS, hub_pseudonym, keyring_for_tests, make_event, rich_stream

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
    for event in events:
        state, out = transition(POLICY, RING, TOPICS, states.get(event.subject), event, NOW)
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
        assert "versie 2026.11-1" in report

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
