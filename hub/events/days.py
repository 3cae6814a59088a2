"""Calendar days: every date the hub derives or shows is a day in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: The time zone of every calendar day in the contracts (schools, deadlines, views).
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_date(moment: dt.datetime) -> dt.date:
    """The Amsterdam calendar day of a tz-aware moment (a naive moment is refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment without a time zone has no calendar day")
    return moment.astimezone(AMSTERDAM).date()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in Amsterdam: the first moment of that calendar day."""
    return dt.datetime.combine(day, dt.time(), AMSTERDAM)


def today(now: dt.datetime | None = None) -> dt.date:
    """Today's Amsterdam calendar day (of `now` when given, else of the wall clock)."""
    return local_date(now or dt.datetime.now(dt.UTC))
