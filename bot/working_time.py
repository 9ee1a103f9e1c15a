"""When a reminder may reach a person: inside working hours on a working day.

Pure functions: the recipient's zone, the working hours and the deadline are
given. Weekends and Danish public holidays (the ``holidays`` package, so Store
Bededag is a holiday up to 2023 and not from 2024) are skipped. A reminder that
would be moved past the deadline goes at its planned time instead: a late
reminder outside hours beats no reminder at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.settings import WorkingHours

COUNTRY = "DK"
# A year has at most a handful of consecutive days off; this bounds the search.
_MAX_DAYS_AHEAD = 30


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(COUNTRY, years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Danish public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_moment(moment: datetime, *, tz: ZoneInfo, hours: WorkingHours) -> datetime:
    """The first instant at or after ``moment`` inside working hours (UTC)."""
    if not hours.enabled:
        return moment
    assert hours.start is not None and hours.end is not None
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_MAX_DAYS_AHEAD):
        if is_working_day(day):
            start = datetime.combine(day, hours.start, tzinfo=tz)
            end = datetime.combine(day, hours.end, tzinfo=tz)
            if local < start:
                return start.astimezone(UTC)
            if local < end:
                return local.astimezone(UTC)
        day += timedelta(days=1)
        local = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    return moment  # no working day within a month: do not hold the reminder back


def shift_reminder(
    planned: datetime, *, tz: ZoneInfo, hours: WorkingHours, deadline: datetime
) -> datetime:
    """Move ``planned`` into working time, unless that would pass the deadline."""
    shifted = next_working_moment(planned, tz=tz, hours=hours)
    if shifted > deadline:
        return planned
    return shifted


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day
