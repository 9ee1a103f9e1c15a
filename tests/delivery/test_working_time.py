"""Reminders land in working hours on Danish working days, never past the deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import WorkingHours
from bot.working_time import is_working_day, next_working_moment, shift_reminder

CPH = ZoneInfo("Europe/Copenhagen")
HOURS = WorkingHours.parse("08:00-17:00")
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def local(*args: int, tz: ZoneInfo = CPH) -> datetime:
    return datetime(*args, tzinfo=tz)


def shift(moment: datetime, deadline: datetime = FAR, tz: ZoneInfo = CPH) -> datetime:
    return shift_reminder(moment, tz=tz, hours=HOURS, deadline=deadline).astimezone(tz)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 4, 19), True),  # Friday
        (date(2024, 4, 20), False),  # Saturday
        (date(2024, 4, 21), False),  # Sunday
        (date(2023, 5, 5), False),  # Store Bededag 2023
        (date(2024, 4, 26), True),  # Store Bededag would have been; abolished from 2024
        (date(2024, 12, 25), False),  # Christmas Day
        (date(2024, 12, 26), False),  # Second Day of Christmas
        (date(2025, 4, 17), False),  # Maundy Thursday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2024, 5, 9), False),  # Ascension Day
        (date(2024, 5, 20), False),  # Whit Monday
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_inside_working_hours_is_unchanged() -> None:
    moment = local(2024, 4, 17, 10, 30)
    assert shift(moment) == moment


def test_early_morning_moves_to_eight() -> None:
    assert shift(local(2024, 4, 17, 6, 0)) == local(2024, 4, 17, 8, 0)


def test_evening_moves_to_next_morning() -> None:
    assert shift(local(2024, 4, 17, 17, 0)) == local(2024, 4, 18, 8, 0)
    assert shift(local(2024, 4, 17, 23, 59)) == local(2024, 4, 18, 8, 0)


def test_weekend_moves_to_monday() -> None:
    assert shift(local(2024, 4, 19, 18, 0)) == local(2024, 4, 22, 8, 0)
    assert shift(local(2024, 4, 20, 12, 0)) == local(2024, 4, 22, 8, 0)


def test_easter_moves_past_the_whole_holiday() -> None:
    # Maundy Thursday 28 March 2024 → Easter Monday 1 April: next is Tuesday.
    assert shift(local(2024, 3, 27, 20, 0)) == local(2024, 4, 2, 8, 0)


def test_christmas_moves_to_the_27th() -> None:
    assert shift(local(2024, 12, 24, 18, 0)) == local(2024, 12, 27, 8, 0)


def test_store_bededag_only_before_2024() -> None:
    assert shift(local(2023, 5, 5, 10, 0)) == local(2023, 5, 8, 8, 0)
    assert shift(local(2024, 4, 26, 10, 0)) == local(2024, 4, 26, 10, 0)


def test_recipients_own_time_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    # 15:00 in Copenhagen is 09:00 in New York: inside their hours.
    moment = local(2024, 4, 17, 15, 0)
    assert shift(moment, tz=new_york) == moment.astimezone(new_york)
    # 09:00 in Copenhagen is 03:00 in New York: moved to their 08:00.
    assert shift(local(2024, 4, 17, 9, 0), tz=new_york) == local(2024, 4, 17, 8, 0, tz=new_york)


def test_never_past_the_deadline_then_planned_time() -> None:
    planned = local(2024, 4, 19, 20, 0)  # Friday evening
    deadline = local(2024, 4, 20, 12, 0)  # Saturday noon
    assert shift(planned, deadline) == planned
    # With the deadline on Monday afternoon the Monday morning is fine.
    assert shift(planned, local(2024, 4, 22, 12, 0)) == local(2024, 4, 22, 8, 0)


def test_off_disables_shifting() -> None:
    off = WorkingHours.parse("off")
    moment = local(2024, 4, 20, 3, 0)
    assert next_working_moment(moment, tz=CPH, hours=off) == moment
    assert shift_reminder(moment, tz=CPH, hours=off, deadline=FAR) == moment


def test_result_is_aware_utc() -> None:
    result = shift_reminder(local(2024, 4, 20, 3, 0), tz=CPH, hours=HOURS, deadline=FAR)
    assert result.utcoffset() == timedelta(0)
