"""Figures for the gemeente and the SWV without children in them: counts with small cells hidden.

A pure fold over contract and casus events: per school (BRIN) and month, how many signals,
matches, opened cases and new thuiszitters, and how long thuiszitters waited for an education
offer; open cases and waiting thuiszitters as of a date. Cells under `min_cell` are suppressed,
and a second cell is suppressed where one hidden cell could be recovered from the region total.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub.events.betrokkenheid import BETROKKENHEID_GESTART
from hub.events.casus import CASUS_GEOPEND, CASUS_GESLOTEN, CASUS_GEWIST, MATCH_GEVONDEN
from hub.events.envelope import Event
from hub.events.leerplicht import ONDERWIJSAANBOD_GESTART, THUISZITTER_GEMELD
from hub.events.school import VERZUIMMELDING_GEDAAN, ZORGSIGNAAL_AFGEGEVEN
from hub.events.topics import INDICATORS

__all__ = ["INDICATORS", "MIN_CELL", "Cell", "Indicator", "Report", "Tally", "suppress", "tally"]


#: Default smallest count that may be shown.
MIN_CELL = 5

#: The cell that sums every school of the region.
ALLE_SCHOLEN = "alle"
ONBEKEND = "onbekend"

SIGNAL_TYPES = frozenset({ZORGSIGNAAL_AFGEGEVEN, VERZUIMMELDING_GEDAAN, BETROKKENHEID_GESTART})


class Indicator(StrEnum):
    """What a cell counts."""

    SIGNALEN = "signalen"
    MATCHES = "matches"
    CASUSSEN_GEOPEND = "casussen_geopend"
    CASUSSEN_OPEN = "casussen_open"
    THUISZITTERS_NIEUW = "thuiszitters_nieuw"
    THUISZITTERS_WACHTEND = "thuiszitters_wachtend"
    THUISZITTERS_GEPLAATST = "thuiszitters_geplaatst"


class Onderdrukking(StrEnum):
    """Why a cell is hidden: too small itself, or hidden so a total does not give one away."""

    KLEIN = "klein"
    AANVULLEND = "aanvullend"


#: (indicator, brin, periode).
CellKey = tuple[Indicator, str, str]


class Cell(BaseModel):
    """One published figure; `aantal` None means suppressed (fewer than `min_cell`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: Indicator
    brin: str
    periode: str
    aantal: int | None
    wachttijd_mediaan_dagen: float | None = None
    onderdrukt: bool = False
    #: Why it is hidden: `klein` (under min_cell) or `aanvullend` (any size, hidden so that
    #: the region total does not reveal a small cell).
    onderdrukt_reden: Onderdrukking | None = None


class Report(BaseModel):
    """All cells as of a date, with the suppression threshold used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    peildatum: dt.date
    min_cell: int
    cellen: tuple[Cell, ...]


@dataclass
class _Child:
    brin: str = ONBEKEND
    casus_open: bool = False
    thuis_sinds: dt.date | None = None


@dataclass
class Tally:
    """The running fold: per child a little state, per cell a count and waiting times."""

    children: dict[str, _Child] = field(default_factory=dict)
    counts: dict[CellKey, int] = field(default_factory=lambda: defaultdict(int))
    waits: dict[CellKey, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, event: Event[Any]) -> None:
        """Fold one event in."""
        child = self.children.setdefault(event.subject, _Child())
        data = event.data
        brin = getattr(data, "brin", None)
        if isinstance(brin, str) and event.type.startswith("nl.onderwijsjeugd.school."):
            child.brin = brin
        periode = event.time.strftime("%Y-%m")
        if event.type in SIGNAL_TYPES:
            self._count(Indicator.SIGNALEN, child.brin, periode)
        elif event.type == MATCH_GEVONDEN:
            self._count(Indicator.MATCHES, child.brin, periode)
        elif event.type == CASUS_GEOPEND:
            child.casus_open = True
            self._count(Indicator.CASUSSEN_GEOPEND, child.brin, periode)
        elif event.type in (CASUS_GESLOTEN, CASUS_GEWIST):
            child.casus_open = False
            if event.type == CASUS_GEWIST:
                self.children.pop(event.subject, None)
        elif event.type == THUISZITTER_GEMELD:
            child.thuis_sinds = data.sinds
            self._count(Indicator.THUISZITTERS_NIEUW, child.brin, data.sinds.strftime("%Y-%m"))
        elif event.type == ONDERWIJSAANBOD_GESTART and child.thuis_sinds is not None:
            key = (Indicator.THUISZITTERS_GEPLAATST, child.brin, data.datum.strftime("%Y-%m"))
            self.counts[key] += 1
            self.waits[key].append((data.datum - child.thuis_sinds).days)
            child.thuis_sinds = None

    def _count(self, indicator: Indicator, brin: str, periode: str) -> None:
        self.counts[(indicator, brin, periode)] += 1

    def report(self, peildatum: dt.date, min_cell: int = MIN_CELL) -> Report:
        """Every cell with totals per period and both suppression steps applied."""
        counts = dict(self.counts)
        waits = {k: list(v) for k, v in self.waits.items()}
        now = peildatum.strftime("%Y-%m")
        for child in self.children.values():
            if child.casus_open:
                key = (Indicator.CASUSSEN_OPEN, child.brin, now)
                counts[key] = counts.get(key, 0) + 1
            if child.thuis_sinds is not None:
                key = (Indicator.THUISZITTERS_WACHTEND, child.brin, now)
                counts[key] = counts.get(key, 0) + 1
                waits.setdefault(key, []).append((peildatum - child.thuis_sinds).days)
        totals: dict[CellKey, int] = defaultdict(int)
        total_waits: dict[CellKey, list[int]] = defaultdict(list)
        for (indicator, _, periode), n in counts.items():
            totals[(indicator, ALLE_SCHOLEN, periode)] += n
        for (indicator, _, periode), w in waits.items():
            total_waits[(indicator, ALLE_SCHOLEN, periode)] += w
        return Report(
            peildatum=peildatum,
            min_cell=min_cell,
            cellen=tuple(
                sorted(
                    suppress(counts, waits, min_cell) + suppress(totals, total_waits, min_cell),
                    key=lambda c: (c.indicator.value, c.periode, c.brin),
                )
            ),
        )


def _cell(
    key: CellKey, n: int, waits: dict[CellKey, list[int]], reden: Onderdrukking | None
) -> Cell:
    indicator, brin, periode = key
    wait = waits.get(key)
    hidden = reden is not None
    return Cell(
        indicator=indicator,
        brin=brin,
        periode=periode,
        aantal=None if hidden else n,
        wachttijd_mediaan_dagen=None if hidden or not wait else float(statistics.median(wait)),
        onderdrukt=hidden,
        onderdrukt_reden=reden,
    )


def suppress(
    counts: dict[CellKey, int],
    waits: dict[CellKey, list[int]],
    min_cell: int,
) -> list[Cell]:
    """Cells with small counts hidden; where one cell alone is hidden in a (indicator, period)
    group, the next smallest is hidden too, so the total does not give it away."""
    hidden = {k: Onderdrukking.KLEIN for k, n in counts.items() if 0 < n < min_cell}
    groups: dict[tuple[Indicator, str], list[CellKey]] = defaultdict(list)
    for key in counts:
        groups[(key[0], key[2])].append(key)
    for keys in groups.values():
        small = [k for k in keys if k in hidden]
        if len(small) == 1 and len(keys) > 1:
            shown = sorted((k for k in keys if k not in hidden), key=counts.__getitem__)
            hidden[shown[0]] = Onderdrukking.AANVULLEND
    return [_cell(k, n, waits, hidden.get(k)) for k, n in counts.items() if n > 0]


def tally(events: Iterable[Event[Any]]) -> Tally:
    """Fold a whole stream."""
    result = Tally()
    for event in events:
        result.add(event)
    return result
