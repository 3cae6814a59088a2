"""The pure casus rules: lesweken, the 16-hour threshold, M@ZL, the thuiszitter clock, regie."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hub.casus import mazl, regie, termijn, verzuimdrempel
from hub.casus.lesweken import REGIO_MIDDEN, Schoolkalender, week_start

D = dt.date.fromisoformat
GEEN_VAKANTIE = Schoolkalender()


class TestSchoolkalender:
    def test_holiday_weeks_are_skipped_when_counting_back(self) -> None:
        # The week after herfstvakantie 2026 (17-25 Oct): 4 lesweken back skip the holiday week.
        weeks = REGIO_MIDDEN.lesweken_back(D("2026-10-28"), 4)
        assert weeks == (D("2026-10-26"), D("2026-10-12"), D("2026-10-05"), D("2026-09-28"))

    def test_lesdagen_exclude_weekends_holidays_and_free_days(self) -> None:
        assert REGIO_MIDDEN.lesdagen_between(D("2026-11-16"), D("2026-11-22")) == 5
        assert REGIO_MIDDEN.lesdagen_between(D("2026-10-19"), D("2026-10-23")) == 0
        assert not REGIO_MIDDEN.is_lesdag(D("2026-05-14"))  # Hemelvaart

    def test_werkdagen_skip_weekend_and_public_holidays(self) -> None:
        assert REGIO_MIDDEN.add_werkdagen(D("2026-11-20"), 5) == D("2026-11-27")
        assert REGIO_MIDDEN.add_werkdagen(D("2026-05-11"), 5) == D("2026-05-19")

    def test_week_start_is_monday(self) -> None:
        assert week_start(D("2026-11-22")) == D("2026-11-16")


class TestVerzuimdrempel:
    def register(
        self, teller: verzuimdrempel.VerzuimTeller, day: str, hours: int
    ) -> tuple[verzuimdrempel.VerzuimTeller, verzuimdrempel.Drempelvenster | None]:
        return verzuimdrempel.registreer(teller, D(day), Decimal(hours), GEEN_VAKANTIE)

    def test_exactly_16_hours_is_no_breach_17_is(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        for day in ("2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"):
            teller, breach = self.register(teller, day, 4)
            assert breach is None
        teller, breach = self.register(teller, "2026-11-24", 1)
        assert breach is not None
        assert breach.uren == Decimal(17)
        assert (breach.van, breach.tot) == (D("2026-11-02"), D("2026-11-23"))

    def test_one_breach_is_signalled_once(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, first = self.register(teller, "2026-11-02", 17)
        teller, second = self.register(teller, "2026-11-03", 5)
        teller, third = self.register(teller, "2026-11-10", 5)
        assert first is not None
        assert second is None
        assert third is None

    def test_hours_outside_four_lesweken_do_not_count(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, _ = self.register(teller, "2026-10-05", 10)
        teller, breach = self.register(teller, "2026-11-02", 10)
        assert breach is None

    def test_holiday_week_stretches_the_window(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, _ = verzuimdrempel.registreer(teller, D("2026-10-01"), Decimal(9), REGIO_MIDDEN)
        teller, breach = verzuimdrempel.registreer(
            teller, D("2026-10-28"), Decimal(9), REGIO_MIDDEN
        )
        assert breach is not None  # 5 calendar weeks apart, but within 4 lesweken

    def test_late_registration_counts_in_its_own_window(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, _ = self.register(teller, "2026-11-23", 2)
        teller, _ = self.register(teller, "2026-11-03", 10)
        teller, breach = self.register(teller, "2026-11-04", 7)
        assert breach is not None

    def test_windows_of_a_signalled_breach_are_skipped_a_later_window_still_counts(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, first = self.register(teller, "2026-11-02", 17)
        assert first is not None
        assert (first.van, first.tot) == (D("2026-10-12"), D("2026-11-02"))
        teller, none = self.register(teller, "2026-11-30", 9)
        assert none is None
        # Late: the windows ending 9, 16 and 23 Nov overlap the first breach (and are over 16
        # hours); the one ending 30 Nov does not, and holds 8 + 9 hours.
        teller, second = self.register(teller, "2026-11-10", 8)
        assert second is not None
        assert (second.van, second.tot, second.uren) == (D("2026-11-09"), D("2026-11-30"), 17)
        assert teller.gemeld == (first, second)

    def test_a_registration_inside_a_signalled_breach_gives_none(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        teller, first = self.register(teller, "2026-11-02", 17)
        teller, again = self.register(teller, "2026-10-20", 30)
        assert first is not None
        assert again is None
        assert teller.uren_per_dag == {D("2026-11-02"): 17, D("2026-10-20"): 30}
        assert teller.model_fields_set == {"uren_per_dag", "gemeld"}

    def test_state_stays_bounded(self) -> None:
        teller = verzuimdrempel.VerzuimTeller()
        day = D("2026-01-05")
        for _ in range(200):
            teller, _ = verzuimdrempel.registreer(teller, day, Decimal(1), GEEN_VAKANTIE)
            day += dt.timedelta(days=1)
        assert len(teller.uren_per_dag) <= 8 * 7

    def test_meld_uiterlijk_is_five_working_days(self) -> None:
        assert verzuimdrempel.meld_uiterlijk(D("2026-11-23"), GEEN_VAKANTIE) == D("2026-11-30")


class TestMazl:
    def test_fourth_report_within_12_lesweken_signals_once(self) -> None:
        verloop = mazl.Ziekteverloop()
        signals = []
        for day in ("2026-09-01", "2026-09-15", "2026-10-01", "2026-11-02", "2026-11-09"):
            verloop, signal = mazl.ziekmelding(verloop, D(day), GEEN_VAKANTIE)
            verloop, _ = mazl.herstelmelding(verloop, D(day) + dt.timedelta(1), GEEN_VAKANTIE)
            signals.append(signal)
        assert signals == [None, None, None, mazl.MazlReden.VAAK, None]

    def test_reports_spread_over_more_than_12_lesweken_do_not_signal(self) -> None:
        verloop = mazl.Ziekteverloop()
        for day in ("2026-01-05", "2026-02-16", "2026-03-30", "2026-05-11"):
            verloop, signal = mazl.ziekmelding(verloop, D(day), GEEN_VAKANTIE)
        assert signal is None

    def test_seven_sick_lesdagen_in_a_row_signal_on_tick(self) -> None:
        verloop, _ = mazl.ziekmelding(mazl.Ziekteverloop(), D("2026-11-16"), GEEN_VAKANTIE)
        verloop, signal = mazl.controleer(verloop, D("2026-11-23"), GEEN_VAKANTIE)  # 6 lesdagen
        assert signal is None
        verloop, signal = mazl.controleer(verloop, D("2026-11-24"), GEEN_VAKANTIE)
        assert signal is mazl.MazlReden.LANG
        verloop, signal = mazl.controleer(verloop, D("2026-11-30"), GEEN_VAKANTIE)
        assert signal is None

    def test_long_episode_seen_only_at_herstel_signals_then(self) -> None:
        verloop, _ = mazl.ziekmelding(mazl.Ziekteverloop(), D("2026-11-02"), GEEN_VAKANTIE)
        verloop, signal = mazl.herstelmelding(verloop, D("2026-11-12"), GEEN_VAKANTIE)
        assert signal is mazl.MazlReden.LANG
        assert verloop.ziek_sinds is None

    def test_short_episode_does_not_signal(self) -> None:
        verloop, _ = mazl.ziekmelding(mazl.Ziekteverloop(), D("2026-11-02"), GEEN_VAKANTIE)
        verloop, signal = mazl.herstelmelding(verloop, D("2026-11-05"), GEEN_VAKANTIE)
        assert signal is None


class TestTermijnklok:
    def test_deadline_is_three_calendar_months(self) -> None:
        assert termijn.plus_maanden(D("2026-11-30"), 3) == D("2027-02-28")
        assert termijn.Termijnklok(sinds=D("2026-09-01"), soort="x").deadline == D("2026-12-01")

    def test_warnings_then_expiry_each_once(self) -> None:
        klok = termijn.Termijnklok(sinds=D("2026-09-01"), soort="absoluut_verzuim")
        klok, moments = termijn.tik(klok, D("2026-09-20"))
        assert moments == []
        klok, moments = termijn.tik(klok, D("2026-10-28"))
        assert [m.dagen for m in moments] == [56]  # 28 passed unseen: one warning a day
        klok, moments = termijn.tik(klok, D("2026-10-29"))
        assert moments == []
        klok, moments = termijn.tik(klok, D("2026-12-02"))
        assert [(m.verstreken, m.dagen) for m in moments] == [(True, 92)]
        klok, moments = termijn.tik(klok, D("2027-01-02"))
        assert moments == []

    def test_configurable_warnings(self) -> None:
        klok = termijn.Termijnklok(sinds=D("2026-09-01"), soort="lrv")
        _, moments = termijn.tik(klok, D("2026-09-15"), waarschuwingen=(7, 14))
        assert [m.dagen for m in moments] == [14]

    def test_a_clock_that_catches_up_warns_once_a_day(self) -> None:
        klok = termijn.Termijnklok(sinds=D("2026-09-01"), soort="absoluut_verzuim")
        klok, moments = termijn.tik(klok, D("2026-11-20"))  # 80 days: 28, 56 and 77 all passed
        assert [(m.verstreken, m.dagen) for m in moments] == [(False, 77)]
        assert klok.gewaarschuwd == (28, 56, 77)
        klok, moments = termijn.tik(klok, D("2026-11-20"))
        assert moments == []


class TestRegie:
    @pytest.mark.parametrize(
        ("domeinen", "partner"),
        [
            ({"verzuim"}, "leerplicht"),
            ({"gezondheid"}, "jgz"),
            ({"opvoeden"}, "jgz"),
            ({"opvoeden", "leren"}, "buurtteam"),
            ({"gezin"}, "buurtteam"),
            ({"leren"}, "swv"),
            ({"gedrag"}, "swv"),
        ],
    )
    def test_routing_rule(self, domeinen: set[str], partner: str) -> None:
        assert regie.partner_voor(domeinen) >= {partner}

    def test_tie_break_prefers_leerplicht_then_buurtteam(self) -> None:
        betrokken = ["jgz", "swv", "buurtteam", "leerplicht"]
        chosen = regie.stel_regie_voor({"gezondheid", "leren", "gezin", "verzuim"}, betrokken)
        assert chosen is not None
        assert chosen[0] == "leerplicht"
        chosen = regie.stel_regie_voor({"gezondheid", "leren", "gezin"}, betrokken)
        assert chosen is not None
        assert chosen[0] == "buurtteam"
        assert "gezin" in chosen[1]

    def test_only_involved_partners_can_get_regie(self) -> None:
        chosen = regie.stel_regie_voor({"verzuim"}, ["jgz", "swv"])
        assert chosen is not None
        assert chosen[0] == "swv"
        assert "rangorde" in chosen[1]

    def test_nobody_involved_means_no_proposal(self) -> None:
        assert regie.stel_regie_voor({"verzuim"}, []) is None
