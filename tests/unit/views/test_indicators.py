"""Indicators: counts per school and month with small cells suppressed, no child in them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from rich.console import Console

from hub.cli.indicators import table
from hub.events.casus import CASUS_GEOPEND, MATCH_GEVONDEN
from hub.events.envelope import Event
from hub.events.leerplicht import ONDERWIJSAANBOD_GESTART, THUISZITTER_GEMELD
from hub.events.school import INSCHRIJVING_GEREGISTREERD, ZORGSIGNAAL_AFGEGEVEN
from hub.views.indicators import ALLE_SCHOLEN, Indicator, Onderdrukking, Report, tally
from tests.unit.views.stream import keyring_for_tests, make_event

RING = keyring_for_tests()
PEILDATUM = dt.date(2026, 12, 31)


def _child(n: int) -> str:
    return hashlib.sha256(f"kind-{n}".encode()).hexdigest()


def _school(children: range, brin: str) -> list[Event[Any]]:
    events = []
    for n in children:
        child = _child(n)
        events.append(
            make_event(INSCHRIJVING_GEREGISTREERD, child, RING, record=f"i{n}", data={"brin": brin})
        )
        events.append(make_event(ZORGSIGNAAL_AFGEGEVEN, child, RING, record=f"z{n}"))
    return events


def _cells(report: Report, indicator: Indicator) -> dict[str, int | None]:
    return {c.brin: c.aantal for c in report.cellen if c.indicator is indicator}


class TestSuppression:
    def test_small_cell_and_the_cell_that_would_betray_it_are_hidden(self) -> None:
        events = _school(range(7), "11AA") + _school(range(7, 13), "22BB")
        events += _school(range(13, 15), "33CC")
        report = tally(events).report(PEILDATUM)
        cells = _cells(report, Indicator.SIGNALEN)
        assert cells == {"11AA": 7, "22BB": None, "33CC": None, ALLE_SCHOLEN: 15}

    def test_threshold_is_configurable(self) -> None:
        events = _school(range(7), "11AA") + _school(range(7, 10), "22BB")
        report = tally(events).report(PEILDATUM, min_cell=3)
        assert _cells(report, Indicator.SIGNALEN) == {"11AA": 7, "22BB": 3, ALLE_SCHOLEN: 10}

    def test_a_region_with_few_children_shows_nothing(self) -> None:
        report = tally(_school(range(3), "11AA")).report(PEILDATUM)
        assert all(c.aantal is None for c in report.cellen)
        assert all(c.onderdrukt for c in report.cellen)


class TestFigures:
    def test_thuiszitters_waiting_time_is_the_median_of_placed_children(self) -> None:
        events: list[Event[Any]] = []
        for n, days in enumerate([10, 20, 30, 40, 50]):
            child = _child(100 + n)
            datum = dt.date(2026, 10, 30)
            sinds = datum - dt.timedelta(days=days)
            events.append(
                make_event(
                    THUISZITTER_GEMELD,
                    child,
                    RING,
                    record=f"t{n}",
                    data={"sinds": sinds.isoformat()},
                )
            )
            events.append(
                make_event(
                    ONDERWIJSAANBOD_GESTART,
                    child,
                    RING,
                    record=f"a{n}",
                    data={"datum": datum.isoformat()},
                )
            )
        report = tally(events).report(PEILDATUM)
        placed = [c for c in report.cellen if c.indicator is Indicator.THUISZITTERS_GEPLAATST]
        assert sum(c.aantal or 0 for c in placed if c.brin == ALLE_SCHOLEN) == 5
        waits = [c.wachttijd_mediaan_dagen for c in placed if c.brin == ALLE_SCHOLEN]
        assert waits == [30.0]
        nieuw = [c for c in report.cellen if c.indicator is Indicator.THUISZITTERS_NIEUW]
        assert all(c.onderdrukt for c in nieuw)  # spread over three months: all small

    def test_open_cases_and_matches_are_counted(self) -> None:
        events = []
        for n in range(6):
            child = _child(200 + n)
            events.append(make_event(CASUS_GEOPEND, child, RING, record=f"c{n}"))
            events.append(make_event(MATCH_GEVONDEN, child, RING, record=f"m{n}"))
        report = tally(events).report(PEILDATUM)
        assert _cells(report, Indicator.CASUSSEN_OPEN)[ALLE_SCHOLEN] == 6
        assert _cells(report, Indicator.MATCHES)[ALLE_SCHOLEN] == 6

    def test_report_holds_no_pseudonym(self) -> None:
        events = _school(range(8), "11AA")
        text = tally(events).report(PEILDATUM).model_dump_json()
        assert not any(_child(n) in text for n in range(8))


class TestWhyHidden:
    def test_the_cell_hidden_to_protect_another_says_so(self) -> None:
        events = _school(range(7), "11AA") + _school(range(7, 13), "22BB")
        events += _school(range(13, 15), "33CC")
        cells = {
            c.brin: c.onderdrukt_reden
            for c in tally(events).report(PEILDATUM).cellen
            if c.indicator is Indicator.SIGNALEN
        }
        assert cells == {
            "11AA": None,
            "22BB": Onderdrukking.AANVULLEND,
            "33CC": Onderdrukking.KLEIN,
            ALLE_SCHOLEN: None,
        }

    def test_the_table_prints_onderdrukt_not_a_small_count_for_it(self) -> None:
        events = _school(range(300), "11AA") + _school(range(300, 700), "22BB")
        events += _school(range(700, 702), "33CC")
        rendered = io.StringIO()
        Console(file=rendered, width=200).print(table(tally(events).report(PEILDATUM)))
        rows = {
            line.split("│")[2].strip(): line.split("│")[4].strip()
            for line in rendered.getvalue().splitlines()
            if line.count("│") >= 5 and "signalen" in line
        }
        # 11AA's 300 is hidden so that the total minus 22BB does not reveal 33CC's 2.
        assert rows == {"11AA": "onderdrukt", "22BB": "400", "33CC": "<5", ALLE_SCHOLEN: "702"}
