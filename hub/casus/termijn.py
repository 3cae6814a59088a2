"""The thuiszitter clock: from the report until an onderwijsaanbod starts, at most 3 months."""

from __future__ import annotations

import calendar
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

#: Default warnings, in days after the child became a thuiszitter (4, 8 and 11 weeks).
STANDAARD_WAARSCHUWINGEN: tuple[int, ...] = (28, 56, 77)
TERMIJN_MAANDEN = 3


def plus_maanden(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clamped to the month's last day (31-11 + 3 = 28/29-02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Termijnklok(BaseModel):
    """One running clock: since when the child is at home and which signals were given."""

    model_config = ConfigDict(frozen=True)

    sinds: dt.date
    soort: str = Field(description="absoluut verzuim, langdurig relatief verzuim or vrijstelling.")
    gewaarschuwd: tuple[int, ...] = Field(default=(), description="Warning offsets given (days).")
    verstreken_gemeld: bool = False

    @property
    def deadline(self) -> dt.date:
        """The day by which an onderwijsaanbod must have started."""
        return plus_maanden(self.sinds, TERMIJN_MAANDEN)


class Klokmoment(BaseModel):
    """A signal the clock gives: a warning at `dagen` days, or the deadline passed."""

    model_config = ConfigDict(frozen=True)

    verstreken: bool
    dagen: int = Field(description="Days the child has been at home at this moment.")
    deadline: dt.date


def tik(
    klok: Termijnklok,
    vandaag: dt.date,
    waarschuwingen: tuple[int, ...] = STANDAARD_WAARSCHUWINGEN,
) -> tuple[Termijnklok, list[Klokmoment]]:
    """Advance the clock to `vandaag`; return at most one signal not given before.

    A clock that catches up (the hub was down, or the report came late) passes several
    warning points at once: only the latest is given, and none once the deadline has passed,
    so a partner is not told the same thing several times on one day.
    """
    dagen = (vandaag - klok.sinds).days
    moments: list[Klokmoment] = []
    given = set(klok.gewaarschuwd)
    deadline = klok.deadline
    due = [
        offset
        for offset in sorted(waarschuwingen)
        if offset <= dagen and offset not in given and klok.sinds + dt.timedelta(offset) < deadline
    ]
    given.update(due)
    verstreken = klok.verstreken_gemeld
    if vandaag >= deadline and not verstreken:
        moments.append(Klokmoment(verstreken=True, dagen=dagen, deadline=deadline))
        verstreken = True
    elif due:
        moments.append(Klokmoment(verstreken=False, dagen=due[-1], deadline=deadline))
    return (
        klok.model_copy(
            update={"gewaarschuwd": tuple(sorted(given)), "verstreken_gemeld": verstreken}
        ),
        moments,
    )
