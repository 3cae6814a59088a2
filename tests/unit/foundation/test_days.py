"""Calendar days are Amsterdam days: across both DST changes and around midnight."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.events.days import AMSTERDAM, day_start, local_date, today

D = dt.date.fromisoformat
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # Winter (UTC+1): Amsterdam midnight is 23:00 UTC the evening before.
        ("2026-11-19T23:00:00", "2026-11-20"),
        ("2026-11-19T22:59:59", "2026-11-19"),
        # Summer (UTC+2): Amsterdam midnight is 22:00 UTC.
        ("2026-08-19T22:00:00", "2026-08-20"),
        ("2026-08-19T21:59:59", "2026-08-19"),
        # The night DST starts (29 March 2026, 02:00 -> 03:00) and the day after.
        ("2026-03-28T23:00:00", "2026-03-29"),
        ("2026-03-29T01:30:00", "2026-03-29"),
        ("2026-03-29T21:59:59", "2026-03-29"),
        ("2026-03-29T22:00:00", "2026-03-30"),
        # The night DST ends (25 October 2026, 03:00 -> 02:00) and the day after.
        ("2026-10-24T22:00:00", "2026-10-25"),
        ("2026-10-25T00:30:00", "2026-10-25"),
        ("2026-10-25T01:30:00", "2026-10-25"),
        ("2026-10-25T22:59:59", "2026-10-25"),
        ("2026-10-25T23:00:00", "2026-10-26"),
        # New year's eve: the day, month and year all change.
        ("2026-12-31T23:00:00", "2027-01-01"),
    ],
)
def test_the_calendar_day_of_a_moment_is_its_amsterdam_day(moment: str, day: str) -> None:
    assert local_date(utc(moment)) == D(day)


@pytest.mark.parametrize(
    "day", ["2026-03-28", "2026-03-29", "2026-03-30", "2026-10-24", "2026-10-25", "2026-10-26"]
)
def test_a_days_start_is_its_own_day_across_the_dst_changes(day: str) -> None:
    start = day_start(D(day))
    assert start.tzinfo is AMSTERDAM
    assert local_date(start) == D(day)
    assert local_date(start - dt.timedelta(microseconds=1)) == D(day) - dt.timedelta(days=1)
    # The UTC date of Amsterdam midnight is the day before: the defect this module fixes.
    assert start.astimezone(UTC).date() == D(day) - dt.timedelta(days=1)


def test_day_lengths_follow_the_dst_changes() -> None:
    def length(day: str) -> dt.timedelta:
        start = day_start(D(day))
        return day_start(D(day) + dt.timedelta(days=1)).astimezone(UTC) - start.astimezone(UTC)

    assert length("2026-03-29") == dt.timedelta(hours=23)
    assert length("2026-10-25") == dt.timedelta(hours=25)
    assert length("2026-11-20") == dt.timedelta(hours=24)


def test_today_is_the_amsterdam_day_of_now() -> None:
    assert today(utc("2026-11-19T23:30:00")) == D("2026-11-20")
    assert today(utc("2026-11-19T22:30:00")) == D("2026-11-19")


def test_a_moment_without_a_time_zone_has_no_day() -> None:
    with pytest.raises(ValueError, match="time zone"):
        local_date(dt.datetime(2026, 11, 20, 0, 0))
