"""The casus transition: one case per child, match, regie, clocks, derived signals, privacy."""

from __future__ import annotations

import dataclasses

import pytest

from hub.casus.state import CasusState, Status
from hub.casus.transition import NotForCasus, transition, volgende_moment
from hub.events import betrokkenheid as bt
from hub.events import buurtteam as bu
from hub.events import casus as cs
from hub.events import leerplicht as lp
from hub.events import privacy, school
from hub.events.days import day_start
from hub.events.vocab import ContactRol, Domein, Partner
from tests.unit.casus.helpers import CONFIG, D, ev, kind, run, short, tick


def gestart(partner: str, domein: str, rol: str, day: str, rec: str | None = None) -> object:
    data = bt.BetrokkenheidGestart(domein=Domein(domein), contactrol=ContactRol(rol), sinds=D(day))
    return ev(data, partner, rec or f"bg-{partner}-{domein}-{day}", day)


def beeindigd(partner: str, domein: str, rol: str, day: str, reden: str = "afgerond") -> object:
    data = bt.BetrokkenheidBeeindigd(
        domein=Domein(domein), contactrol=ContactRol(rol), datum=D(day), reden=bt.EindeReden(reden)
    )
    return ev(data, partner, f"be-{partner}-{domein}-{day}-{reden}", day)


def zorgsignaal(domein: str, day: str) -> object:
    data = school.ZorgsignaalAfgegeven(
        datum=D(day), domein=Domein(domein), urgentie=school.Urgentie.NORMAAL
    )
    return ev(data, "school", f"zs-{domein}-{day}", day)


def verzuim(day: str, uren: float, soort: str = "ongeoorloofd") -> object:
    data = school.VerzuimGeregistreerd(
        datum=D(day), lesuren=uren, soort=school.VerzuimSoort(soort), brin="12AB"
    )
    return ev(data, "school", f"vz-{day}-{soort}", day)


def ziek(day: str) -> object:
    return ev(school.ZiekmeldingGedaan(ziek_vanaf=D(day)), "school", f"zk-{day}", day)


def thuiszitter(day: str, soort: str = "langdurig_relatief_verzuim") -> object:
    data = lp.ThuiszitterGemeld(soort=lp.ThuiszitterSoort(soort), sinds=D(day))
    return ev(data, "leerplicht", f"tz-{day}", day)


def aanbod(day: str) -> object:
    data = lp.OnderwijsaanbodGestart(datum=D(day), soort=lp.AanbodSoort.MAATWERK)
    return ev(data, "leerplicht", f"ab-{day}", day)


class TestOneCasePerChild:
    def test_first_signal_opens_the_case_and_records_the_involvement(self) -> None:
        state, out = run([gestart("jgz", "gezondheid", "jeugdarts", "2026-11-02")])
        assert short(out) == ["geopend"]
        assert state is not None
        assert state.status is Status.OPEN
        (b,) = state.betrokkenheden
        assert (b.partner, b.domein, b.contactrol, b.sinds) == (
            Partner.JGZ,
            Domein.GEZONDHEID,
            ContactRol.JEUGDARTS,
            D("2026-11-02"),
        )

    def test_same_partner_same_domain_updates_without_a_new_intake(self) -> None:
        state, out = run(
            [
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-05"),
                gestart("jgz", "gezondheid", "jeugdverpleegkundige", "2026-11-02", rec="other"),
            ]
        )
        assert short(out) == ["geopend"]
        assert state is not None
        (b,) = state.betrokkenheden
        assert b.contactrol is ContactRol.JEUGDVERPLEEGKUNDIGE
        assert b.sinds == D("2026-11-02")

    def test_raw_registrations_keep_counters_but_open_no_case(self) -> None:
        state, out = run([verzuim("2026-11-16", 2), verzuim("2026-11-17", 3, "geoorloofd")])
        assert out == []
        assert state is not None
        assert state.status is Status.GEEN

    def test_a_fact_about_an_unknown_child_keeps_nothing(self) -> None:
        data = school.InschrijvingGeregistreerd(
            ingangsdatum=D("2026-08-24"), onderwijssoort=school.Onderwijssoort.VO
        )
        assert run([ev(data, "school", "in-1", "2026-08-24")]) == (None, [])


class TestMatch:
    def test_second_partner_joins_and_both_are_told_once(self) -> None:
        state, out = run(
            [
                zorgsignaal("gedrag", "2026-11-17"),
                gestart("buurtteam", "gezin", "gezinscoach", "2026-11-18"),
            ]
        )
        assert short(out) == [
            "geopend",
            "partner_aangesloten",
            "match_gevonden",
            "regie.voorgesteld",
        ]
        match = out[2].data
        assert isinstance(match, cs.MatchGevonden)
        assert set(match.adressaten) == {Partner.SCHOOL, Partner.BUURTTEAM}
        assert match.nieuw.partner is Partner.BUURTTEAM
        assert {b.partner for b in match.betrokkenen} == {Partner.SCHOOL, Partner.BUURTTEAM}
        # Fact only: partner and contact role; nothing else travels.
        assert set(match.nieuw.model_dump()) == {"partner", "contactrol"}
        assert state is not None
        assert state.gematcht == ("buurtteam|school",)

    def test_third_partner_makes_new_pairs_and_a_rejoin_no_second_match(self) -> None:
        _, out = run(
            [
                zorgsignaal("gedrag", "2026-11-17"),
                gestart("buurtteam", "gezin", "gezinscoach", "2026-11-18"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-19"),
                beeindigd("jgz", "gezondheid", "jeugdarts", "2026-11-20"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-23"),
            ]
        )
        matches = [u.data for u in out if isinstance(u.data, cs.MatchGevonden)]
        assert len(matches) == 2
        assert set(matches[1].adressaten) == {Partner.SCHOOL, Partner.BUURTTEAM, Partner.JGZ}


class TestRegie:
    @pytest.mark.parametrize(
        ("first", "second", "expected"),
        [
            (
                ("school", "verzuim", "intern_begeleider"),
                ("leerplicht", "verzuim", "leerplichtambtenaar"),
                "leerplicht",
            ),
            (
                ("school", "gezondheid", "intern_begeleider"),
                ("jgz", "gezondheid", "jeugdarts"),
                "jgz",
            ),
            (
                ("school", "gezin", "intern_begeleider"),
                ("buurtteam", "gezin", "gezinscoach"),
                "buurtteam",
            ),
            (("school", "leren", "intern_begeleider"), ("swv", "leren", "consulent"), "swv"),
            # Tie-break: verzuim and gezin both apply; leerplicht ranks first.
            (
                ("buurtteam", "gezin", "gezinscoach"),
                ("leerplicht", "verzuim", "leerplichtambtenaar"),
                "leerplicht",
            ),
        ],
    )
    def test_routing_rule_proposes(
        self, first: tuple[str, str, str], second: tuple[str, str, str], expected: str
    ) -> None:
        state, out = run([gestart(*first, "2026-11-02"), gestart(*second, "2026-11-03")])
        proposals = [u.data for u in out if isinstance(u.data, cs.RegieVoorgesteld)]
        assert [p.partner.value for p in proposals] == [expected]
        assert state is not None
        assert state.regie.voorgesteld == Partner(expected)

    def test_accept_hand_over_and_give_back(self) -> None:
        base = [
            zorgsignaal("gedrag", "2026-11-17"),
            gestart("buurtteam", "gezin", "gezinscoach", "2026-11-18"),
        ]
        state, out = run(
            [
                *base,
                gestart("buurtteam", "gezin", "casusregisseur", "2026-11-19", rec="acc"),
                gestart("swv", "leren", "casusregisseur", "2026-11-20"),
            ]
        )
        assert short(out)[-4:] == [
            "regie.aanvaard",
            "partner_aangesloten",
            "match_gevonden",
            "regie.overgedragen",
        ]
        assert state is not None
        assert state.regie.aanvaard is Partner.SWV
        state, out = run(
            [beeindigd("swv", "leren", "casusregisseur", "2026-11-25", "overgedragen")], state
        )
        assert short(out) == ["regie.voorgesteld"]
        assert state is not None
        assert state.regie.aanvaard is None
        assert state.regie.nodig_sinds == D("2026-11-25")
        assert Partner.SWV in state.actieve_partners()

    def test_no_accepted_regie_after_the_waiting_time_signals_once(self) -> None:
        state, _ = run(
            [
                zorgsignaal("gedrag", "2026-11-17"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-18"),
            ]
        )
        assert state is not None
        assert volgende_moment(state, CONFIG) == day_start(D("2026-11-28"))
        state, out = run([tick("2026-11-27")], state)
        assert out == []
        state, out = run([tick("2026-11-28"), tick("2026-11-29")], state)
        assert short(out) == ["regie.ontbreekt"]
        data = out[0].data
        assert isinstance(data, cs.RegieOntbreekt)
        assert data.termijn_dagen == 10
        assert data.voorgesteld is Partner.JGZ

    def test_waiting_time_is_configurable(self) -> None:
        config = dataclasses.replace(CONFIG, regie_termijn_dagen=3)
        _state, out = run(
            [
                zorgsignaal("gedrag", "2026-11-17"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-18"),
                tick("2026-11-21"),
            ],
            config=config,
        )
        assert short(out)[-1] == "regie.ontbreekt"


class TestThuiszitterKlok:
    def test_warnings_and_expiry_once_each_addressed_right(self) -> None:
        state, out = run([thuiszitter("2026-09-14")])
        assert short(out) == ["geopend"]
        days = [
            "2026-10-11",
            "2026-10-12",
            "2026-10-13",
            "2026-11-09",
            "2026-11-30",
            "2026-12-14",
            "2026-12-20",
        ]
        state, out = run([tick(d) for d in days], state)
        assert short(out) == [
            "thuiszitter_termijn.waarschuwing",
            "thuiszitter_termijn.waarschuwing",
            "thuiszitter_termijn.waarschuwing",
            "thuiszitter_termijn.verstreken",
        ]
        last = out[-1].data
        assert isinstance(last, cs.ThuiszitterTermijnVerstreken)
        assert last.deadline == D("2026-12-14")
        assert set(last.adressaten) == {Partner.LEERPLICHT, Partner.SWV, Partner.GEMEENTE}
        first = out[0].data
        assert isinstance(first, cs.ThuiszitterTermijnWaarschuwing)
        assert set(first.adressaten) == {Partner.LEERPLICHT, Partner.SWV}
        assert first.resterende_dagen == (D("2026-12-14") - D("2026-10-12")).days

    def test_the_clock_survives_a_restart_of_the_processor(self) -> None:
        state, _ = run([thuiszitter("2026-09-14"), tick("2026-10-12")])
        assert state is not None
        restored = CasusState.model_validate_json(state.model_dump_json())
        assert restored == state
        assert volgende_moment(restored, CONFIG) == day_start(D("2026-11-09"))
        _, out = run([tick("2026-12-14")], restored)
        # Two warnings and the deadline passed unseen: one signal, the one that matters now.
        assert short(out) == ["thuiszitter_termijn.verstreken"]

    def test_an_offer_stops_the_clock(self) -> None:
        state, out = run([thuiszitter("2026-09-14"), aanbod("2026-10-01"), tick("2026-12-20")])
        assert short(out) == ["geopend"]
        assert state is not None
        assert state.thuiszitten.klok is None

    def test_an_offer_seen_before_the_report_starts_no_clock(self) -> None:
        state, out = run([aanbod("2026-10-01"), thuiszitter("2026-09-14"), tick("2026-12-20")])
        assert short(out) == ["geopend"]
        assert state is not None
        assert state.thuiszitten.klok is None

    def test_warning_points_are_configurable(self) -> None:
        config = dataclasses.replace(CONFIG, termijn_waarschuwingen=(7,))
        _, out = run(
            [thuiszitter("2026-09-14"), tick("2026-09-21"), tick("2026-10-12")], config=config
        )
        assert short(out)[1:] == ["thuiszitter_termijn.waarschuwing"]


class TestDerivedSignals:
    def test_more_than_16_hours_in_4_lesweken_once_per_breach(self) -> None:
        days = [("2026-11-02", 5), ("2026-11-09", 6), ("2026-11-16", 5), ("2026-11-17", 1)]
        state, out = run([verzuim(d, h) for d, h in days])
        assert short(out) == ["geopend", "verzuimdrempel.overschreden"]
        signal = out[1].data
        assert isinstance(signal, cs.VerzuimdrempelOverschreden)
        assert signal.lesuren_ongeoorloofd == 17
        assert signal.melden_uiterlijk == D("2026-11-24")  # 5 working days after the breach
        assert set(signal.adressaten) == {Partner.SCHOOL, Partner.LEERPLICHT}
        assert signal.brin == "12AB"
        _, more = run([verzuim("2026-11-18", 4)], state)
        assert more == []

    def test_fourth_sick_report_in_12_weeks(self) -> None:
        _, out = run([ziek(d) for d in ("2026-09-07", "2026-10-05", "2026-11-02", "2026-11-16")])
        assert short(out) == ["geopend", "zorgwekkend_ziekteverzuim.gesignaleerd"]
        data = out[1].data
        assert isinstance(data, cs.ZorgwekkendZiekteverzuim)
        assert data.criterium is cs.MazlCriterium.VAAK
        assert set(data.adressaten) == {Partner.SCHOOL, Partner.JGZ}

    def test_seven_sick_lesdagen_in_a_row_found_by_the_clock(self) -> None:
        state, out = run([ziek("2026-11-16")])
        assert out == []
        assert state is not None
        assert volgende_moment(state, CONFIG) == day_start(D("2026-11-24"))
        state, out = run([tick("2026-11-23"), tick("2026-11-24"), tick("2026-11-25")], state)
        assert short(out) == ["geopend", "zorgwekkend_ziekteverzuim.gesignaleerd"]
        data = out[1].data
        assert isinstance(data, cs.ZorgwekkendZiekteverzuim)
        assert data.criterium is cs.MazlCriterium.LANG


class TestClosingAndRetention:
    def test_closes_after_the_grace_period_and_reopens_on_a_new_signal(self) -> None:
        state, _ = run(
            [
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-02"),
                beeindigd("jgz", "gezondheid", "jeugdarts", "2026-11-10"),
            ]
        )
        assert state is not None
        assert state.leeg_sinds == D("2026-11-10")
        state, out = run([tick("2026-12-07")], state)
        assert out == []
        state, out = run([tick("2026-12-08")], state)
        assert short(out) == ["gesloten"]
        assert state is not None
        assert state.status is Status.GESLOTEN
        state, out = run([zorgsignaal("gedrag", "2027-01-11")], state)
        assert short(out) == ["geopend"]
        assert state is not None
        assert state.status is Status.OPEN

    def test_a_case_opened_by_a_derived_signal_alone_closes_after_the_grace_period(self) -> None:
        days = [("2026-11-02", 6), ("2026-11-09", 6), ("2026-11-16", 6)]
        state, _ = run([verzuim(d, h) for d, h in days])
        assert state is not None
        assert state.leeg_sinds == D("2026-11-16")
        _, out = run([tick("2026-12-14")], state)
        assert short(out) == ["gesloten"]

    def test_a_running_clock_keeps_the_case_open(self) -> None:
        _, out = run([thuiszitter("2026-09-14"), tick("2026-10-01")])
        assert "gesloten" not in short(out)

    def test_archived_after_two_years_then_erased(self) -> None:
        state, _ = run([zorgsignaal("gedrag", "2026-11-17")])
        state, out = run([tick("2028-11-15")], state)
        assert out == []
        state, out = run([tick("2028-11-16")], state)  # 730 days after the last signal
        assert short(out) == ["gearchiveerd"]
        assert state is not None
        assert state.status is Status.GEARCHIVEERD
        assert state.bewaren_tot == D("2031-11-17")
        state, out = run([tick("2031-11-17")], state)
        assert short(out) == ["gewist"]
        assert state is None

    def test_erased_when_the_child_turns_23(self) -> None:
        data = school.InschrijvingGeregistreerd(
            ingangsdatum=D("2026-08-24"),
            onderwijssoort=school.Onderwijssoort.MBO,
            geboortejaar=2004,
        )
        state, _ = run(
            [zorgsignaal("leren", "2026-09-01"), ev(data, "school", "in-1", "2026-09-02")]
        )
        assert state is not None
        assert volgende_moment(state, CONFIG) == day_start(D("2027-01-01"))
        state, out = run([tick("2027-01-01")], state)
        assert short(out) == ["gewist"]
        gewist = out[0].data
        assert isinstance(gewist, cs.CasusGewist)
        assert gewist.reden is cs.WisReden.LEEFTIJD_23
        assert state is None


class TestPrivacy:
    def test_erasure_request_erases_now(self) -> None:
        state, _ = run([zorgsignaal("gedrag", "2026-11-17")])
        data = privacy.VerwijderingVerzocht(verzoek_id="VW-1", datum=D("2026-11-21"))
        state, out = run([ev(data, "school", "vw-1", "2026-11-21")], state)
        assert state is None
        assert short(out) == ["gewist"]

    def test_an_event_after_erasure_starts_afresh_without_the_old_facts(self) -> None:
        state, _ = run(
            [
                zorgsignaal("gedrag", "2026-11-17"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-18"),
            ]
        )
        erase = privacy.VerwijderingVerzocht(verzoek_id="VW-1", datum=D("2026-11-21"))
        state, _ = run([ev(erase, "school", "vw-1", "2026-11-21")], state)
        state, out = run([gestart("buurtteam", "gezin", "gezinscoach", "2026-11-23")], state)
        assert short(out) == ["geopend"]
        assert state is not None
        assert state.actieve_partners() == [Partner.BUURTTEAM]

    def test_bezwaar_is_recorded_and_the_casus_keeps_working(self) -> None:
        data = privacy.BezwaarIngediend(
            verzoek_id="BZ-1", datum=D("2026-11-20"), partners=(Partner.SWV,)
        )
        state, _out = run(
            [zorgsignaal("gedrag", "2026-11-17"), ev(data, "school", "bz-1", "2026-11-20")]
        )
        assert state is not None
        assert [b.verzoek_id for b in state.bezwaren] == ["BZ-1"]
        assert state.bezwaren[0].partners == (Partner.SWV,)
        _, more = run([gestart("jgz", "gezondheid", "jeugdarts", "2026-11-21")], state)
        assert "match_gevonden" in short(more)


class TestOddCases:
    def test_a_duplicate_event_has_no_second_effect(self) -> None:
        first = gestart("jgz", "gezondheid", "jeugdarts", "2026-11-02")
        second = gestart("school", "gedrag", "intern_begeleider", "2026-11-03")
        state, out = run([first, second, second, first])
        assert short(out).count("match_gevonden") == 1
        assert short(out).count("geopend") == 1
        assert state is not None
        assert len(state.gezien) == 2

    def test_the_seen_ids_are_bounded(self) -> None:
        config = dataclasses.replace(CONFIG, gezien_max=3)
        state, _ = run(
            [zorgsignaal("gedrag", f"2026-11-{d:02d}") for d in range(2, 10)], config=config
        )
        assert state is not None
        assert len(state.gezien) == 3

    def test_an_end_that_never_started_has_no_effect(self) -> None:
        state, out = run([beeindigd("jgz", "gezondheid", "jeugdarts", "2026-11-10")])
        assert out == []
        assert state is not None
        assert state.status is Status.GEEN
        assert state.actieve_partners() == []

    def test_a_start_older_than_a_seen_end_stays_ended(self) -> None:
        state, out = run(
            [
                zorgsignaal("gedrag", "2026-11-02"),
                beeindigd("jgz", "gezondheid", "jeugdarts", "2026-11-10"),
                gestart("jgz", "gezondheid", "jeugdarts", "2026-11-03"),
            ]
        )
        assert "match_gevonden" not in short(out)
        assert state is not None
        assert state.actieve_partners() == [Partner.SCHOOL]

    def test_a_casus_output_is_no_input(self) -> None:
        data = cs.CasusGesloten(datum=D("2026-11-02"), reden=cs.SluitReden.AFGEROND)
        with pytest.raises(NotForCasus):
            transition(None, ev(data, "hub", "x", "2026-11-02"), CONFIG)

    def test_a_tick_without_a_case_does_nothing(self) -> None:
        assert run([tick("2030-01-01")]) == (None, [])

    def test_buurtteam_end_ends_every_domain(self) -> None:
        start = bu.HulptrajectGestart(datum=D("2026-11-02"), domein=Domein.OPVOEDEN)
        end = bu.HulptrajectBeeindigd(datum=D("2026-11-20"), reden=bu.TrajectEinde.AFGEROND)
        state, _ = run(
            [ev(start, "buurtteam", "h1", "2026-11-02"), ev(end, "buurtteam", "h2", "2026-11-20")]
        )
        assert state is not None
        assert state.actieve_partners() == []
        assert state.leeg_sinds == D("2026-11-20")

    def test_child_key_is_the_subject(self) -> None:
        state, _ = run([zorgsignaal("gedrag", "2026-11-17")])
        assert state is not None
        assert state.kind == kind()


class TestImmutability:
    """A step copies the state once and changes only its own copy."""

    def inputs(self) -> list[object]:
        return [
            verzuim("2026-11-02", 5),
            zorgsignaal("gedrag", "2026-11-03"),
            gestart("jgz", "gezondheid", "jeugdarts", "2026-11-04"),
            thuiszitter("2026-11-05"),
            ziek("2026-11-06"),
            beeindigd("jgz", "gezondheid", "jeugdarts", "2026-11-09"),
            tick("2026-12-20"),
            aanbod("2027-01-04"),
            tick("2027-03-01"),
        ]

    def test_the_input_state_is_never_changed(self) -> None:
        state = None
        for inp in self.inputs():
            before = state.model_dump_json() if state is not None else None
            fields_before = set(state.model_fields_set) if state is not None else None
            new, _ = transition(state, inp, CONFIG)  # type: ignore[arg-type]
            if state is not None:
                assert state.model_dump_json() == before
                assert state.model_fields_set == fields_before
            state = new
        assert state is not None

    def test_a_step_with_many_changes_marks_every_changed_field_as_set(self) -> None:
        # Opening a case sets field after field in one step: all of them count as set, as
        # when each change was a copy of its own.
        state, _ = run([verzuim("2026-11-02", 5)])
        assert state is not None
        assert state.verzuim.model_fields_set == {"uren_per_dag", "gemeld"}
        new, out = transition(state, zorgsignaal("gedrag", "2026-11-03"), CONFIG)  # type: ignore[arg-type]
        assert short(out) == ["geopend"]
        assert new is not None
        assert new.model_fields_set - state.model_fields_set == {
            "betrokkenheden",
            "bewaren_tot",
            "geopend",
            "gesloten",
            "laatste_signaal",
            "leeg_sinds",
            "signalen",
            "status",
        }
        assert CasusState.model_validate_json(new.model_dump_json()) == new

    def test_a_step_without_a_change_returns_the_same_state(self) -> None:
        state, _ = run([zorgsignaal("gedrag", "2026-11-03")])
        assert state is not None
        again, out = transition(state, tick("2026-11-04"), CONFIG)
        assert out == []
        assert again is state
