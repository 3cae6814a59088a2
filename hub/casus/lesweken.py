"""School weeks (lesweken): ISO weeks that are not a school holiday in the configured calendar."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field


@functools.lru_cache(maxsize=8192)  # the days in play are few; the verzuim windows ask often
def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Schoolkalender:
    """Holiday weeks (by their Monday) and free days; everything else on weekdays is a lesdag."""

    vakantieweken: frozenset[dt.date] = field(default_factory=frozenset)
    #: Public holidays outside the holiday weeks (Goede Vrijdag, Pasen, Hemelvaart, Pinksteren).
    vrije_dagen: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def from_periods(
        cls, periods: Iterable[tuple[dt.date, dt.date]], vrije_dagen: Iterable[dt.date] = ()
    ) -> Schoolkalender:
        """Build from holiday periods (first and last day, inclusive) and single free days."""
        weeks: set[dt.date] = set()
        for first, last in periods:
            monday = week_start(first)
            while monday <= last:
                # Only a week whose five school days all fall in the holiday is a holiday week.
                if monday >= first and monday + dt.timedelta(days=4) <= last:
                    weeks.add(monday)
                monday += dt.timedelta(weeks=1)
        return cls(frozenset(weeks), frozenset(vrije_dagen))

    def is_lesweek(self, day: dt.date) -> bool:
        """True when the week of `day` is no holiday week."""
        return week_start(day) not in self.vakantieweken

    def is_lesdag(self, day: dt.date) -> bool:
        """True on a weekday of a lesweek that is not a free day."""
        return day.weekday() < 5 and self.is_lesweek(day) and day not in self.vrije_dagen

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - calendars are few, frozen and long-lived
    def lesweken_back(self, day: dt.date, count: int) -> tuple[dt.date, ...]:
        """The Mondays of the `count` lesweken ending with the week of `day` (newest first)."""
        weeks: list[dt.date] = []
        monday = week_start(day)
        # A year holds at most ~14 holiday weeks; 60 steps back is plenty for any window.
        for _ in range(count + 60):
            if len(weeks) == count:
                break
            if monday not in self.vakantieweken:
                weeks.append(monday)
            monday -= dt.timedelta(weeks=1)
        return tuple(weeks)

    def lesdagen_between(self, first: dt.date, last: dt.date) -> int:
        """How many lesdagen lie from `first` to `last`, both included."""
        days = 0
        day = first
        while day <= last:
            days += self.is_lesdag(day)
            day += dt.timedelta(days=1)
        return days

    def add_werkdagen(self, day: dt.date, count: int) -> dt.date:
        """The date `count` working days (weekdays but public holidays) after `day`."""
        while count > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5 and day not in self.vrije_dagen:
                count -= 1
        return day


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


#: School holidays of regio midden (the Utrecht region) 2025-2027, after the OCW planning;
#: check them against the published dates for your region before production.
#: Other regions configure their own; a wrong calendar only shifts which weeks count.
REGIO_MIDDEN = Schoolkalender.from_periods(
    [
        (_d("2025-10-18"), _d("2025-10-26")),  # herfstvakantie
        (_d("2025-12-20"), _d("2026-01-04")),  # kerstvakantie
        (_d("2026-02-14"), _d("2026-02-22")),  # voorjaarsvakantie
        (_d("2026-04-25"), _d("2026-05-03")),  # meivakantie
        (_d("2026-07-18"), _d("2026-08-30")),  # zomervakantie
        (_d("2026-10-17"), _d("2026-10-25")),  # herfstvakantie
        (_d("2026-12-19"), _d("2027-01-03")),  # kerstvakantie
        (_d("2027-02-20"), _d("2027-02-28")),  # voorjaarsvakantie
        (_d("2027-04-24"), _d("2027-05-02")),  # meivakantie
        (_d("2027-07-17"), _d("2027-08-29")),  # zomervakantie
    ],
    vrije_dagen=[_d("2026-04-03"), _d("2026-04-06"), _d("2026-05-14"), _d("2026-05-25")],
)
