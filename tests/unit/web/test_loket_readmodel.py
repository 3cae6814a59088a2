"""The read model folds one audience's view records only; changes resume from Last-Event-ID."""

from __future__ import annotations

import asyncio

from hub.views.project import erasure_notice, project
from hub.web.changes import Changes
from hub.web.readmodel import ReadModel
from tests.unit.views.stream import BSNS, hub_pseudonym
from tests.unit.web.loket_fixtures import NOW, POLICY, RING, loket_stream, subject_of


def model_for(audience: str) -> ReadModel:
    model = ReadModel(audience)
    for event in loket_stream():
        view = project(POLICY, audience, event, RING)
        if view is not None:
            model.apply(view)
    return model


class TestReadModel:
    def test_a_view_of_another_audience_is_ignored(self) -> None:
        model = ReadModel("leerplicht")
        view = project(POLICY, "jgz", loket_stream()[0], RING)
        assert view is not None
        assert not model.apply(view)
        assert model.cases == {}

    def test_a_view_record_seen_twice_counts_once(self) -> None:
        model = ReadModel("leerplicht")
        view = project(POLICY, "leerplicht", loket_stream()[0], RING)
        assert view is not None
        assert model.apply(view)
        assert not model.apply(view)
        assert len(model.cases[view.subject].signalen) == 1

    def test_match_regie_and_clock_are_folded(self) -> None:
        case = model_for("leerplicht").cases[subject_of("leerplicht")]
        assert set(case.betrokkenen) == {"leerplicht", "jgz"}
        assert case.betrokkenen["jgz"].contactrol == "jeugdarts"
        assert case.regie is not None
        assert (case.regie.partner, case.regie.status) == ("leerplicht", "voorgesteld")
        assert case.klok is not None
        assert case.klok.resterend(NOW.date()) == 24

    def test_signals_page_newest_first(self) -> None:
        case = model_for("jgz").cases[subject_of("jgz")]
        times = [s.time for s in case.pagina(0, 2)]
        assert times == sorted(times, reverse=True)
        assert len(case.pagina(1, 2)) == len(case.signalen) - 2

    def test_an_erasure_notice_removes_the_case(self) -> None:
        model = model_for("leerplicht")
        hub = hub_pseudonym(BSNS[0], RING)
        notice = erasure_notice(POLICY, "leerplicht", hub, RING, trigger_id="x", when=NOW)
        assert model.apply(notice)
        assert model.get(subject_of("leerplicht")) is None


class TestChanges:
    def test_resume_after_a_known_id_replays_what_was_missed(self) -> None:
        changes = Changes()
        first = changes.add("a", "t")
        changes.add("b", "t")
        seq = changes.resume_from(changes.event_id(first))
        assert seq == 1
        assert [c.subject for c in changes.since(seq)] == ["b"]

    def test_an_id_of_another_process_cannot_be_resumed(self) -> None:
        changes = Changes()
        changes.add("a", "t")
        assert changes.resume_from("deadbeef-1") is None
        assert changes.resume_from(None) == 1

    def test_an_id_older_than_the_ring_cannot_be_resumed(self) -> None:
        changes = Changes(keep=2)
        first = changes.add("a", "t")
        for name in "bcd":
            changes.add(name, "t")
        assert changes.resume_from(changes.event_id(first)) is None

    async def test_a_waiting_stream_wakes_on_a_change(self) -> None:
        changes = Changes()
        waiting = asyncio.create_task(changes.wait(0, timeout=5))
        await asyncio.sleep(0)
        changes.add("a", "t")
        assert [c.subject for c in await waiting] == ["a"]
