"""``statusbot schedule set/show/clear`` against the sample registry: ISO dates
per area, bad input named on one line with nothing changed, audited changes,
and ``show`` never creating a database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import bot
from bot.working_time import add_working_days
from storage.models import AreaSchedule, AuditEvent

REGISTRY = Path(bot.__file__).parent / "sample/registry.csv"
AREA = "Ældre- og Sundhedsområdet"


@pytest.fixture
def sample(cli):
    cli("init")
    cli("import", REGISTRY)
    return cli


def expected_next(month: int, day: int, before: int, answer: int) -> tuple[str, str, str]:
    """(opening, as-of, deadline) for a one-date schedule, from today."""
    today = date.today()
    for year in (today.year, today.year + 1):
        as_of = date(year, month, day)
        opens = as_of - timedelta(days=before)
        if opens >= today:
            deadline = add_working_days(opens, answer)
            return opens.isoformat(), as_of.isoformat(), deadline.isoformat()
    raise AssertionError("no date ahead")


def test_set_show_and_clear(sample, db) -> None:
    out = sample(
        "schedule",
        "set",
        "--area",
        AREA,
        "--as-of",
        "01-15",
        "--open-before",
        "30d",
        "--answer-days",
        "10",
        "--remind",
        "3d,1d",
    ).stdout
    opens, as_of, deadline = expected_next(1, 15, 30, 10)
    line = f"next round: opens {opens}, as of {as_of}, deadline {deadline}"
    assert "Schedule saved." in out and line in out
    shown = sample("schedule", "show").stdout
    assert f"{AREA}: as of 01-15, opens 30 days before, 10 working days to answer" in shown
    assert line in shown and "reminders 3d,1d" in shown
    assert line in sample("schedule", "show", "--area", AREA).stdout

    cleared = sample("schedule", "clear", "--area", AREA).stdout
    assert f"Removed the schedule of {AREA} (as of 01-15" in cleared
    assert f"The round as of {as_of}, planned to open {opens}, will not open by itself." in cleared
    assert "No area has a schedule" in sample("schedule", "show").stdout
    assert sample("schedule", "clear", "--area", AREA, code=1).stderr.startswith(
        f"statusbot: {AREA} has no schedule; nothing was removed."
    )
    with db() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("schedule.%"))
        )
        assert list(actions) == ["schedule.set", "schedule.clear"]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("--as-of", "03-31,02-30"), "“02-30” is not a day of the year", 2),
        (("--open-before", "0d"), "“0d” is not a time before the as-of date", 2),
        (("--open-before", "-14d"), "“-14d” is not a time before the as-of date", 2),
        (("--answer-days", "0"), "“0” working days to answer", 2),
        (("--answer-days", "-3"), "“-3” working days to answer", 2),
        (("--remind", "soon"), "“soon” is not a reminder offset", 2),
        (("--area", "Nowhere"), "There is no area “Nowhere”", 1),
    ],
)
def test_bad_input_is_named_and_changes_nothing(sample, db, args, message, code) -> None:
    sample(
        "schedule",
        "set",
        "--area",
        AREA,
        "--as-of",
        "03-31,09-30",
        "--open-before",
        "14d",
        "--answer-days",
        "10",
    )
    good = {"--area": AREA, "--as-of": "06-30", "--open-before": "2w", "--answer-days": "5"}
    good.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = sample("schedule", "set", *[x for pair in good.items() for x in pair], code=code)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("statusbot: ") and message in line
    with db() as session:
        stored = session.scalar(select(AreaSchedule))
        assert stored is not None and (stored.as_of_dates, stored.open_before_days) == (
            "03-31,09-30",
            14,
        )
        assert (
            len(
                session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule.set")).all()
            )
            == 1
        )


def test_show_in_danish(sample, monkeypatch) -> None:
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    sample(
        "schedule",
        "set",
        "--area",
        AREA,
        "--as-of",
        "03-31",
        "--open-before",
        "14d",
        "--answer-days",
        "10",
    )
    out = sample("schedule", "show").stdout
    assert "arbejdsdage til at svare" in out and "næste runde: åbner" in out


def test_show_never_creates_a_database(cli, tmp_path, monkeypatch) -> None:
    path = tmp_path / "nothing-here.db"
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", f"sqlite:///{path}")
    result = cli("schedule", "show", code=1)
    assert "There is no database at" in result.stderr
    assert not path.exists()


def test_show_lists_skipped_and_postponed_rounds(sample, db) -> None:
    from zoneinfo import ZoneInfo

    from bot.clock import SystemClock
    from bot.workflow import schedules
    from bot.workflow.actor import Actor

    sample(
        "schedule",
        "set",
        "--area",
        AREA,
        "--as-of",
        "03-31,09-30",
        "--open-before",
        "14d",
        "--answer-days",
        "10",
    )
    zone, now = ZoneInfo("Europe/Copenhagen"), SystemClock().now()
    with db() as session:
        area_id = session.scalar(select(AreaSchedule.area_id))
        first = schedules.next_round(session, area_id, schedules.local_today(now, zone), zone)
        upcoming = schedules.skip_round(
            session, area_id=area_id, as_of=first.as_of, actor=Actor.cli(), now=now, zone=zone
        )
        later = upcoming.opens_on + timedelta(days=3)
        schedules.postpone_round(
            session,
            area_id=area_id,
            as_of=upcoming.as_of,
            opens_on=later,
            actor=Actor.cli(),
            now=now,
            zone=zone,
        )
        session.commit()
    out = sample("schedule", "show", "--area", AREA).stdout
    assert f"next round: opens {later.isoformat()}, as of {upcoming.as_of.isoformat()}" in out
    assert f"(postponed from {upcoming.opens_on.isoformat()})" in out
    assert f"skipped: the round as of {first.as_of.isoformat()} (cli:" in out
    assert f"postponed: the round as of {upcoming.as_of.isoformat()} to {later.isoformat()}" in out
