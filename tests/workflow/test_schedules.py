"""The rules of recurring rounds: input, next dates (year boundary, Danish
holidays), planning the notice and opening jobs, skip, postpone, and a round
opened by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, InvalidState, NotFound
from bot.workflow import schedules
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import (
    Absence,
    Area,
    AreaSchedule,
    AuditEvent,
    Cycle,
    Initiative,
    Job,
    JobState,
    Person,
    RoundState,
    ScheduledRound,
    Track,
)

ZONE = ZoneInfo("Europe/Copenhagen")


def seed(session: Session) -> Area:
    area = Area(name="Socialområdet", key="socialområdet", default_reminders="")
    session.add(area)
    session.flush()
    track = Track(area_id=area.id, name="Organisering", key="organisering", position=0)
    owners = [Person(display_name="Anna"), Person(display_name="Bo")]
    session.add_all([track, *owners])
    session.flush()
    for position, owner in enumerate([owners[0], owners[0], owners[1]]):
        session.add(
            Initiative(
                area_id=area.id,
                track_id=track.id,
                title=f"Tiltag {position}",
                key=f"tiltag {position}",
                position=position,
                owner_id=owner.id,
            )
        )
    session.flush()
    return area


def local(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


def spec(
    as_of: str = "03-31,09-30", before: str = "14d", days: int = 10, remind: str | None = "3d,1d"
):
    return schedules.parse_schedule(
        as_of=as_of, open_before=before, answer_days=days, remind=remind
    )


def set_(session: Session, area: Area, now: datetime, **kw) -> schedules.ScheduleView:
    return schedules.set_schedule(
        session, area_id=area.id, spec=spec(**kw), actor=Actor.cli(), now=now, zone=ZONE
    )


def pending(session: Session, kind: str) -> list[Job]:
    return list(
        session.scalars(
            select(Job).where(Job.kind == kind, Job.state == JobState.PENDING).order_by(Job.id)
        )
    )


def open_job(session: Session, area: Area, hour: int = 8) -> schedules.Opened:
    """What the ``schedule.open`` job of the round as of 2027-03-31 does."""
    return schedules.open_round(
        session,
        area_id=area.id,
        as_of=date(2027, 3, 31),
        opens_on=date(2027, 3, 17),
        actor=schedules.SCHEDULE_ACTOR,
        now=local(date(2027, 3, 17), hour=hour),
        zone=ZONE,
    )


# ------------------------------------------------------------------ input


@pytest.mark.parametrize(
    ("as_of", "bad"),
    [("02-30", "02-30"), ("03-31,02-29", "02-29"), ("13-01", "13-01"), ("31/03", "31/03")],
)
def test_as_of_dates_that_are_not_days_of_every_year_are_named(as_of: str, bad: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedules.parse_as_of_dates(as_of)
    assert f"“{bad}”" in raised.value.message and raised.value.field == "as_of"


@pytest.mark.parametrize("text", ["0d", "-14d", "14h", "soon", "400d"])
def test_open_before_must_be_positive_days_or_weeks(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedules.parse_open_before(text)
    assert f"“{text}”" in raised.value.message


@pytest.mark.parametrize("value", [0, -3, "ten", 500])
def test_answer_days_must_be_a_positive_number(value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedules.check_answer_days(value)  # type: ignore[arg-type]
    assert f"“{value}”" in raised.value.message


def test_a_schedule_reads_as_written() -> None:
    parsed = spec(as_of="09-30, 3-31,09-30", before="2w", days=10, remind="1d,3d")
    assert parsed.as_of_text == "03-31,09-30"
    assert (parsed.open_before_days, parsed.answer_days, parsed.reminders) == (14, 10, "3d,1d")


# ------------------------------------------------------------------ dates


def test_next_round_across_the_year_boundary_counts_working_days_over_christmas(
    session: Session,
) -> None:
    area = seed(session)
    view = set_(session, area, local(date(2026, 12, 1)), as_of="01-15", before="30d", days=10)
    plan = view.next
    assert plan is not None
    assert (plan.as_of, plan.opens_on) == (date(2027, 1, 15), date(2026, 12, 16))
    # 17, 18, 21, 22, 23, 24, (25 and 26 are holidays, 27 a Sunday), 28, 29, 30, 31.
    assert plan.deadline == datetime(2026, 12, 31, 23, 59, tzinfo=ZONE)
    # A day after the opening, the next one is a year on.
    later = schedules.next_round(session, area.id, date(2026, 12, 17), ZONE)
    assert later is not None and later.opens_on == date(2026, 12, 16)  # still planned
    session.execute(select(ScheduledRound)).scalar_one().state = RoundState.SKIPPED
    later = schedules.next_round(session, area.id, date(2026, 12, 17), ZONE)
    assert later is not None
    assert (later.as_of, later.opens_on) == (date(2028, 1, 15), date(2027, 12, 16))


def test_deadline_skips_easter(session: Session) -> None:
    area = seed(session)
    plan = set_(session, area, local(date(2027, 1, 10))).next
    assert plan is not None and (plan.as_of, plan.opens_on) == (
        date(2027, 3, 31),
        date(2027, 3, 17),
    )
    # Maundy Thursday, Good Friday and Easter Monday (25, 26, 29 March) are not counted.
    assert plan.deadline.astimezone(ZONE).date() == date(2027, 4, 5)
    assert schedules.answer_deadline(date(2027, 3, 3), 10, ZONE).astimezone(ZONE).date() == date(
        2027, 3, 17
    )


def test_the_opening_day_itself_is_still_ahead(session: Session) -> None:
    area = seed(session)
    plan = set_(session, area, local(date(2027, 3, 17), hour=6)).next
    assert plan is not None and plan.opens_on == date(2027, 3, 17)
    plan = schedules.next_round(session, area.id, date(2027, 3, 18), ZONE)
    assert plan is not None and plan.opens_on == date(2027, 3, 17)  # the planned row stays
    session.query(ScheduledRound).delete()
    plan = schedules.next_round(session, area.id, date(2027, 3, 18), ZONE)
    assert plan is not None and plan.as_of == date(2027, 9, 30)


# ------------------------------------------------------------------ planning


def test_setting_plans_a_notice_a_week_ahead_and_the_opening(session: Session) -> None:
    area = seed(session)
    set_(session, area, local(date(2027, 1, 10)))
    (notice,) = pending(session, schedules.NOTICE_KIND)
    (opening,) = pending(session, schedules.OPEN_KIND)
    assert opening.due_at == datetime(2027, 3, 17, 8, 0, tzinfo=ZONE)
    assert notice.due_at == opening.due_at - timedelta(days=7)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.set"))
    assert event is not None and event.detail["after"]["as_of"] == "03-31,09-30"
    # Setting another schedule replaces the plan: the old jobs are cancelled.
    set_(session, area, local(date(2027, 1, 10)), as_of="04-30")
    (opening,) = pending(session, schedules.OPEN_KIND)
    assert opening.due_at == datetime(2027, 4, 16, 8, 0, tzinfo=ZONE)
    assert len(session.scalars(select(Job).where(Job.state == JobState.CANCELLED)).all()) == 2


def test_setting_late_sends_the_notice_at_once(session: Session) -> None:
    area = seed(session)
    now = local(date(2027, 3, 14))
    set_(session, area, now)
    (notice,) = pending(session, schedules.NOTICE_KIND)
    assert notice.due_at == now


def test_skip_plans_the_next_round_and_is_audited(session: Session) -> None:
    area = seed(session)
    now = local(date(2027, 3, 10))
    set_(session, area, now)
    upcoming = schedules.skip_round(
        session, area_id=area.id, as_of=date(2027, 3, 31), actor=Actor.cli(), now=now, zone=ZONE
    )
    assert upcoming is not None and upcoming.as_of == date(2027, 9, 30)
    (opening,) = pending(session, schedules.OPEN_KIND)
    assert opening.payload["as_of"] == "2027-09-30"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.skip"))
    with pytest.raises(InvalidState):  # twice: it is no longer planned
        schedules.skip_round(
            session, area_id=area.id, as_of=date(2027, 3, 31), actor=Actor.cli(), now=now, zone=ZONE
        )


def test_postpone_moves_the_opening_and_refuses_earlier_days(session: Session) -> None:
    area = seed(session)
    now = local(date(2027, 3, 10))
    set_(session, area, now)
    for bad in (date(2027, 3, 17), date(2027, 3, 9)):
        with pytest.raises(InvalidInput) as raised:
            schedules.postpone_round(
                session,
                area_id=area.id,
                as_of=date(2027, 3, 31),
                opens_on=bad,
                actor=Actor.cli(),
                now=now,
                zone=ZONE,
            )
        assert "2027-03-17" in raised.value.message
    plan = schedules.postpone_round(
        session,
        area_id=area.id,
        as_of=date(2027, 3, 31),
        opens_on=date(2027, 3, 24),
        actor=Actor.cli(),
        now=now,
        zone=ZONE,
    )
    assert (plan.opens_on, plan.planned_on, plan.state) == (
        date(2027, 3, 24),
        date(2027, 3, 17),
        RoundState.POSTPONED,
    )
    # 25, 26 and 29 March are holidays: 30, 31, 1, 2, 5, 6, 7, 8, 9, 12 April.
    assert plan.deadline.astimezone(ZONE).date() == date(2027, 4, 12)
    (opening,) = pending(session, schedules.OPEN_KIND)
    assert opening.due_at == datetime(2027, 3, 24, 8, 0, tzinfo=ZONE)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.postpone"))


def test_a_round_opened_by_hand_is_not_opened_again(session: Session) -> None:
    area = seed(session)
    now = local(date(2027, 3, 10))
    set_(session, area, now)
    by_hand = open_cycle(
        session,
        area_id=area.id,
        as_of=date(2027, 3, 31),
        deadline=now + timedelta(days=14),
        remind=[],
        title=None,
        actor=Actor.cli(),
        now=now,
    )
    opened = open_job(session, area, hour=8)
    assert opened.cycle is not None and opened.cycle.id == by_hand.id and not opened.new
    assert len(session.scalars(select(Cycle)).all()) == 1
    assert schedules.next_round(session, area.id, date(2027, 3, 17), ZONE).as_of == date(
        2027, 9, 30
    )


def test_opening_uses_the_schedules_deadline_and_reminders(session: Session) -> None:
    area = seed(session)
    set_(session, area, local(date(2027, 3, 10)))
    opened = open_job(session, area, hour=8)
    cycle = opened.cycle
    assert cycle is not None and opened.new
    assert cycle.deadline == datetime(2027, 4, 5, 23, 59, tzinfo=ZONE)
    assert cycle.reminder_offsets == "3d,1d" and len(cycle.entries) == 3
    assert session.scalar(
        select(AuditEvent.actor_label).where(AuditEvent.action == "cycle.open")
    ) == ("schedule")
    # The same job again (a re-run) does nothing.
    again = open_job(session, area, hour=9)
    assert again.cycle is None and len(session.scalars(select(Cycle)).all()) == 1


def test_a_refused_opening_is_kept_with_its_reason_and_told(session: Session) -> None:
    area = seed(session)
    set_(session, area, local(date(2027, 3, 10)))
    for initiative in session.scalars(select(Initiative)):
        initiative.active = False
    opened = open_job(session, area, hour=8)
    assert opened.refused and "no active initiatives" in opened.refused
    row = session.scalar(select(ScheduledRound).where(ScheduledRound.as_of == date(2027, 3, 31)))
    assert row is not None and row.state == RoundState.FAILED and row.reason == opened.refused
    assert pending(session, schedules.REFUSED_KIND)


def test_clear_removes_the_schedule_and_its_plan(session: Session) -> None:
    area = seed(session)
    now = local(date(2027, 1, 10))
    set_(session, area, now)
    cleared = schedules.clear_schedule(
        session, area_id=area.id, actor=Actor.cli(), now=now, zone=ZONE
    )
    assert cleared.next is not None and cleared.next.as_of == date(2027, 3, 31)
    assert cleared.cancelled_jobs == 2
    assert session.scalar(select(AreaSchedule)) is None
    assert not pending(session, schedules.OPEN_KIND)
    with pytest.raises(NotFound):
        schedules.clear_schedule(session, area_id=area.id, actor=Actor.cli(), now=now, zone=ZONE)


def test_the_notice_names_the_owners_away_during_the_round(session: Session) -> None:
    area = seed(session)
    set_(session, area, local(date(2027, 1, 10)))
    row = session.scalar(select(ScheduledRound))
    assert row is not None  # opens 2027-03-17, deadline 2027-04-05
    anna, bo = session.scalars(select(Person).order_by(Person.id)).all()
    notice = schedules.round_notice(session, area, row, ZONE)
    assert (notice.initiatives, notice.owners, notice.away) == (3, 2, ())
    # Bo's leave ends the day before the opening; Anna's begins on the deadline.
    session.add(Absence(person_id=bo.id, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 16)))
    session.add(Absence(person_id=anna.id, starts_on=date(2027, 4, 5), ends_on=date(2027, 4, 9)))
    session.flush()
    assert schedules.round_notice(session, area, row, ZONE).away == ("Anna",)
    bo_away = Absence(person_id=bo.id, starts_on=date(2027, 3, 20), ends_on=date(2027, 3, 22))
    session.add(bo_away)
    session.flush()
    assert schedules.round_notice(session, area, row, ZONE).away == ("Anna", "Bo")
    bo_away.cancelled_at = local(date(2027, 3, 1))
    session.flush()
    assert schedules.round_notice(session, area, row, ZONE).away == ("Anna",)
