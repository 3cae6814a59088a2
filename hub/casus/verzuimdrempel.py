"""The 16-hour rule: more than 16 hours of unauthorised absence within 4 lesweken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from hub.casus.lesweken import Schoolkalender, week_start

DREMPEL_UREN = Decimal(16)
VENSTER_LESWEKEN = 4
#: The school files the DUO verzuimmelding within this many working days of the breach.
MELDTERMIJN_WERKDAGEN = 5


class Drempelvenster(BaseModel):
    """A window of lesweken whose unauthorised hours went over the threshold."""

    model_config = ConfigDict(frozen=True)

    van: dt.date = Field(description="Monday of the first lesweek of the window.")
    tot: dt.date = Field(description="Monday of the last lesweek of the window.")
    uren: Decimal


class VerzuimTeller(BaseModel):
    """Unauthorised hours per lesdag, kept only as long as a window can still see them."""

    model_config = ConfigDict(frozen=True)

    uren_per_dag: dict[dt.date, Decimal] = Field(default_factory=dict)
    gemeld: tuple[Drempelvenster, ...] = ()


def _window_hours(teller: VerzuimTeller, weeks: tuple[dt.date, ...]) -> Decimal:
    wanted = set(weeks)
    return sum(
        (h for day, h in teller.uren_per_dag.items() if week_start(day) in wanted), Decimal(0)
    )


def registreer(
    teller: VerzuimTeller, datum: dt.date, uren: Decimal, kalender: Schoolkalender
) -> tuple[VerzuimTeller, Drempelvenster | None]:
    """Add unauthorised hours on `datum`; return the breach to signal, once per breach.

    Every window of 4 lesweken that contains `datum` is checked, so a registration that arrives
    late still counts. A breach overlapping one already signalled is the same breach.
    """
    uren_per_dag = dict(teller.uren_per_dag)
    uren_per_dag[datum] = uren_per_dag.get(datum, Decimal(0)) + uren
    teller = teller.model_copy(update={"uren_per_dag": uren_per_dag})
    newest = max(uren_per_dag)
    # Windows ending in the week of `datum` or in one of the next 3 lesweken contain `datum`.
    ends: list[dt.date] = []
    monday = week_start(datum)
    while len(ends) < VENSTER_LESWEKEN and monday <= week_start(newest):
        if kalender.is_lesweek(monday):
            ends.append(monday)
        monday += dt.timedelta(weeks=1)
    breach: Drempelvenster | None = None
    for end in ends:
        weeks = kalender.lesweken_back(end, VENSTER_LESWEKEN)
        total = _window_hours(teller, weeks)
        if total > DREMPEL_UREN:
            window = Drempelvenster(van=min(weeks), tot=max(weeks), uren=total)
            if not any(w.van <= window.tot and window.van <= w.tot for w in teller.gemeld):
                breach = window
                break
    if breach is not None:
        teller = teller.model_copy(update={"gemeld": (*teller.gemeld, breach)})
    return _prune(teller, kalender), breach


def _prune(teller: VerzuimTeller, kalender: Schoolkalender) -> VerzuimTeller:
    """Forget hours and breaches that no window ending at the newest week can reach."""
    if not teller.uren_per_dag:
        return teller
    horizon = min(kalender.lesweken_back(max(teller.uren_per_dag), 2 * VENSTER_LESWEKEN))
    return VerzuimTeller(
        uren_per_dag={d: h for d, h in teller.uren_per_dag.items() if d >= horizon},
        gemeld=tuple(w for w in teller.gemeld if w.tot >= horizon),
    )


def meld_uiterlijk(ontdekt: dt.date, kalender: Schoolkalender) -> dt.date:
    """The last day on which the school must file the DUO verzuimmelding of a breach."""
    return kalender.add_werkdagen(ontdekt, MELDTERMIJN_WERKDAGEN)
