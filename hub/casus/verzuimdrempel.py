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
_EEN_WEEK = dt.timedelta(weeks=1)


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


def _window_hours(per_dag: list[tuple[dt.date, Decimal]], weeks: tuple[dt.date, ...]) -> Decimal:
    """The hours of the days (given with their week) that fall in `weeks`, in the days' order."""
    wanted = set(weeks)
    return sum((h for week, h in per_dag if week in wanted), Decimal(0))


def registreer(
    teller: VerzuimTeller, datum: dt.date, uren: Decimal, kalender: Schoolkalender
) -> tuple[VerzuimTeller, Drempelvenster | None]:
    """Add unauthorised hours on `datum`; return the breach to signal, once per breach.

    Every window of 4 lesweken that contains `datum` is checked, so a registration that arrives
    late still counts. A breach overlapping one already signalled is the same breach.
    """
    uren_per_dag = dict(teller.uren_per_dag)
    uren_per_dag[datum] = uren_per_dag.get(datum, Decimal(0)) + uren
    newest = max(uren_per_dag)
    # Windows ending in the week of `datum` or in one of the next 3 lesweken contain `datum`.
    ends: list[dt.date] = []
    monday = week_start(datum)
    last = week_start(newest)
    while len(ends) < VENSTER_LESWEKEN and monday <= last:
        if kalender.is_lesweek(monday):
            ends.append(monday)
        monday += _EEN_WEEK
    breach: Drempelvenster | None = None
    per_dag: list[tuple[dt.date, Decimal]] | None = None
    for end in ends:
        weeks = kalender.lesweken_back(end, VENSTER_LESWEKEN)
        van, tot = min(weeks), max(weeks)
        if any(w.van <= tot and van <= w.tot for w in teller.gemeld):
            continue  # part of a breach already signalled: its hours need no counting
        if per_dag is None:
            # Each day's week once, not per window; sums keep the days' order (exact Decimal).
            per_dag = [(week_start(day), h) for day, h in uren_per_dag.items()]
        total = _window_hours(per_dag, weeks)
        if total > DREMPEL_UREN:
            breach = Drempelvenster(van=van, tot=tot, uren=total)
            break
    gemeld = teller.gemeld if breach is None else (*teller.gemeld, breach)
    return _prune(uren_per_dag, gemeld, newest, kalender), breach


def _prune(
    uren_per_dag: dict[dt.date, Decimal],
    gemeld: tuple[Drempelvenster, ...],
    newest: dt.date,
    kalender: Schoolkalender,
) -> VerzuimTeller:
    """Forget hours and breaches that no window ending at the newest week can reach."""
    horizon = min(kalender.lesweken_back(newest, 2 * VENSTER_LESWEKEN))
    return VerzuimTeller(
        uren_per_dag={d: h for d, h in uren_per_dag.items() if d >= horizon},
        gemeld=tuple(w for w in gemeld if w.tot >= horizon),
    )


def meld_uiterlijk(ontdekt: dt.date, kalender: Schoolkalender) -> dt.date:
    """The last day on which the school must file the DUO verzuimmelding of a breach."""
    return kalender.add_werkdagen(ontdekt, MELDTERMIJN_WERKDAGEN)
