"""The fault tests' scenario is itself checked: it exercises the rules it is meant to."""

from __future__ import annotations

from hub.casus.config import CasusConfig
from hub.casus.transition import Tick, transition, volgende_moment
from tests.unit.casus.helpers import short
from tests.unit.casus.scenario import children, expected_ids, interleave


class TestScenario:
    def test_every_child_produces_outputs_and_pairs_differ_by_order(self) -> None:
        config = CasusConfig()
        kids = children(10, 2)
        for child in kids:
            ids = [expected_ids(order, config) for order in child.orders]
            assert all(ids), child.kind
            assert len(set(ids[0])) == len(ids[0])
        pair = kids[-1]
        first, second = (expected_ids(o, config) for o in pair.orders)
        assert len(first) == len(second)
        assert set(first) != set(second)

    def test_it_exercises_signals_match_regie_and_erasure(self) -> None:
        config = CasusConfig()
        seen: set[str] = set()
        for child in children(10, 1):
            state = None
            for event in child.orders[0]:
                state, uit = transition(state, event, config)
                seen.update(short(uit))
        assert {
            "geopend",
            "verzuimdrempel.overschreden",
            "zorgwekkend_ziekteverzuim.gesignaleerd",
            "regie.aanvaard",
            "match_gevonden",
            "gewist",
        } <= seen

    def test_interleave_keeps_each_childs_order(self) -> None:
        kids = children(5, 0)
        stream = interleave(kids)
        for child in kids:
            mine = [e for e in stream if e.subject == child.kind]
            assert mine == child.events

    def test_output_ids_are_unique_across_children(self) -> None:
        config = CasusConfig()
        ids = [i for child in children(20, 4) for i in expected_ids(child.orders[0], config)]
        assert len(ids) == len(set(ids))


class TestVolgendeMoment:
    def test_a_tick_at_the_next_moment_always_changes_the_case(self) -> None:
        config = CasusConfig()
        checked = 0
        for child in children(10, 2):
            state = None
            for event in child.orders[0]:
                state, _ = transition(state, event, config)
            for _ in range(8):  # follow each case through its next moments
                if state is None:
                    break
                due = volgende_moment(state, config)
                if due is None:
                    break
                before = state
                state, _ = transition(state, Tick(due), config)
                assert state != before, child.kind[:8]
                checked += 1
        assert checked >= 20
