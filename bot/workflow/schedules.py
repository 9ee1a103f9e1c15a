"""Recurring rounds: an area's schedule, its next round, and what becomes of it.

A schedule names the as-of dates of the year (``03-31,09-30``), how many days
before each the round opens, how many Danish working days owners have to
answer (the deadline is the end of the last of them) and the default
reminders. The next round is kept as a :class:`ScheduledRound` row with two
outbox jobs (:mod:`bot.delivery.schedule`): a notice to the coordinators a
week before the opening (``schedule.notice``) and the opening itself
(``schedule.open``). Their dedupe keys name the round's opening date, so a
postponed round gets jobs of its own and the old ones find the round moved
and do nothing. The scheduler's claim runs each job once; the opening also
claims the round row with a guarded UPDATE, so a coordinator's **Open now**
and the job cannot both open it.

Rules only: no Slack here. Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, InvalidState, NotFound, WorkflowError
from bot.workflow import audit
from bot.workflow.absence import away_between
from bot.workflow.actor import Actor
from bot.workflow.cycles import _require_coordinator, open_cycle
from bot.workflow.dates import format_offsets, parse_offsets
from bot.workflow.messages import area_not_found, fail
from bot.working_time import add_working_days
from storage import outbox
from storage.models import (
    Area,
    AreaSchedule,
    Cycle,
    Initiative,
    Job,
    JobState,
    Person,
    RoundState,
    ScheduledRound,
)

NOTICE_KIND = "schedule.notice"
OPEN_KIND = "schedule.open"
REFUSED_KIND = "schedule.refused"
JOB_KINDS = (NOTICE_KIND, OPEN_KIND)
NOTICE_AHEAD = timedelta(days=7)
# The round opens (and the notice comes) at this local time of the day.
OPENING_TIME = time(8, 0)
# A deadline given as a day means the end of it, as ``cycle open --deadline DATE``.
DEADLINE_TIME = time(23, 59)
MAX_OPEN_BEFORE_DAYS = 366
MAX_ANSWER_DAYS = 120
UNDECIDED = (RoundState.PLANNED, RoundState.POSTPONED)
# The automatic opening acts for the operator who set the schedule.
SCHEDULE_ACTOR = Actor(person=None, label="schedule", is_operator=True)

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_DAYS = re.compile(r"^(\d+)\s*([dw])$")


# ------------------------------------------------------------------ input


@dataclass(frozen=True)
class ScheduleSpec:
    """A checked schedule: (month, day) pairs in calendar order."""

    as_of_dates: tuple[tuple[int, int], ...]
    open_before_days: int
    answer_days: int
    reminders: str | None  # None: the area's default reminders
    title: str | None = None

    @property
    def as_of_text(self) -> str:
        return format_month_days(self.as_of_dates)


def format_month_days(pairs: tuple[tuple[int, int], ...]) -> str:
    return ",".join(f"{month:02d}-{day:02d}" for month, day in pairs)


def parse_as_of_dates(text: str) -> tuple[tuple[int, int], ...]:
    """``"03-31,09-30"`` → ((3, 31), (9, 30)). Every part must be a day that
    every year has (so not 02-29)."""
    pairs: set[tuple[int, int]] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _MONTH_DAY.match(part)
        try:
            if match is None:
                raise ValueError
            month, day = int(match.group(1)), int(match.group(2))
            date(2023, month, day)  # not a leap year: 02-29 is refused too
        except ValueError:
            raise fail(
                InvalidInput,
                "“{value}” is not a day of the year; write the as-of dates as MM-DD, "
                "e.g. 03-31,09-30.",
                field="as_of",
                value=part,
            ) from None
        pairs.add((month, day))
    if not pairs:
        raise fail(
            InvalidInput,
            "Give at least one as-of date as MM-DD, e.g. 03-31,09-30.",
            field="as_of",
        )
    return tuple(sorted(pairs))


def parse_open_before(text: str) -> int:
    """``"14d"`` or ``"2w"`` → days (1 to a year)."""
    match = _DAYS.match(text.strip().lower())
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1) if match else 0
    if not 0 < days <= MAX_OPEN_BEFORE_DAYS:
        raise fail(
            InvalidInput,
            "“{value}” is not a time before the as-of date; give days or weeks above zero "
            "and at most a year, e.g. 14d or 2w.",
            field="open_before",
            value=text,
        )
    return days


def check_answer_days(value: int | str) -> int:
    """Working days to answer: a whole number from 1 to ``MAX_ANSWER_DAYS``."""
    text = str(value).strip()
    number = int(text) if text.lstrip("-").isdecimal() and text.isascii() else 0
    if not 0 < number <= MAX_ANSWER_DAYS:
        raise fail(
            InvalidInput,
            "“{value}” working days to answer: give a number from 1 to {most}.",
            field="answer_days",
            value=value,
            most=MAX_ANSWER_DAYS,
        )
    return number


def parse_schedule(
    *,
    as_of: str,
    open_before: str,
    answer_days: int | str,
    remind: str | None,
    title: str | None = None,
) -> ScheduleSpec:
    """Check every part of a schedule (raises :class:`InvalidInput` naming the bad value)."""
    return ScheduleSpec(
        as_of_dates=parse_as_of_dates(as_of),
        open_before_days=parse_open_before(open_before),
        answer_days=check_answer_days(answer_days),
        reminders=None if remind is None else format_offsets(parse_offsets(remind)),
        title=(title or "").strip()[:200] or None,
    )


def spec_of(schedule: AreaSchedule) -> ScheduleSpec:
    return ScheduleSpec(
        as_of_dates=parse_as_of_dates(schedule.as_of_dates),
        open_before_days=schedule.open_before_days,
        answer_days=schedule.answer_days,
        reminders=schedule.reminders,
        title=schedule.title,
    )


# ------------------------------------------------------------------ dates


def answer_deadline(opens_on: date, answer_days: int, zone: ZoneInfo) -> datetime:
    """The end of the ``answer_days``-th Danish working day after the opening day (UTC)."""
    day = add_working_days(opens_on, answer_days)
    return datetime.combine(day, DEADLINE_TIME, tzinfo=zone).astimezone(UTC)


def opening_moment(opens_on: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(opens_on, OPENING_TIME, tzinfo=zone).astimezone(UTC)


def candidate_rounds(spec: ScheduleSpec, today: date) -> list[tuple[date, date]]:
    """(as-of date, opening day) of the rounds whose opening is today or later,
    earliest first (looking a little over two years ahead)."""
    found = []
    for year in range(today.year, today.year + 3):
        for month, day in spec.as_of_dates:
            as_of = date(year, month, day)
            opens_on = as_of - timedelta(days=spec.open_before_days)
            if opens_on >= today:
                found.append((as_of, opens_on))
    return sorted(found)


@dataclass(frozen=True)
class RoundPlan:
    """The next round of an area's schedule, as ``schedule show`` and the notice tell it."""

    area_id: int
    as_of: date
    opens_on: date
    deadline: datetime  # UTC
    state: str  # planned or postponed
    planned_on: date  # the opening day the schedule gives (differs when postponed)


def _round_plan(spec: ScheduleSpec, area_id: int, row: ScheduledRound, zone: ZoneInfo) -> RoundPlan:
    return RoundPlan(
        area_id=area_id,
        as_of=row.as_of,
        opens_on=row.opens_on,
        deadline=answer_deadline(row.opens_on, spec.answer_days, zone),
        state=row.state,
        planned_on=row.as_of - timedelta(days=spec.open_before_days),
    )


def _hand_opened(session: Session, area_id: int, as_of: date) -> Cycle | None:
    """A round of the area for ``as_of`` that exists already (e.g. opened by hand)."""
    return session.scalar(
        select(Cycle)
        .where(Cycle.area_id == area_id, Cycle.as_of == as_of, Cycle.is_baseline.is_(False))
        .order_by(Cycle.id)
        .limit(1)
    )


def _undecided(session: Session, area_id: int) -> ScheduledRound | None:
    return session.scalar(
        select(ScheduledRound)
        .where(ScheduledRound.area_id == area_id, ScheduledRound.state.in_(UNDECIDED))
        .order_by(ScheduledRound.as_of)
        .limit(1)
    )


def next_round(session: Session, area_id: int, today: date, zone: ZoneInfo) -> RoundPlan | None:
    """The area's next round (reads only): the one planned, else the first as-of
    date whose opening is today or later and that was not skipped, opened or
    refused already."""
    schedule = _schedule(session, area_id)
    if schedule is None:
        return None
    spec = spec_of(schedule)
    row = _undecided(session, area_id)
    if row is not None:
        return _round_plan(spec, area_id, row, zone)
    decided = set(
        session.scalars(select(ScheduledRound.as_of).where(ScheduledRound.area_id == area_id))
    )
    for as_of, opens_on in candidate_rounds(spec, today):
        if as_of in decided or _hand_opened(session, area_id, as_of) is not None:
            continue
        row = ScheduledRound(as_of=as_of, opens_on=opens_on, state=RoundState.PLANNED)
        return _round_plan(spec, area_id, row, zone)
    return None


def _schedule(session: Session, area_id: int) -> AreaSchedule | None:
    return session.scalar(select(AreaSchedule).where(AreaSchedule.area_id == area_id))


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


# ------------------------------------------------------------------ planning


def _round_key(kind: str, area_id: int, as_of: date, opens_on: date) -> str:
    return f"{kind}:{area_id}:{as_of.isoformat()}:{opens_on.isoformat()}"


def _pending_round_jobs(session: Session, area_id: int) -> list[Job]:
    jobs = session.scalars(
        select(Job).where(Job.kind.in_(JOB_KINDS), Job.state == JobState.PENDING)
    )
    return [job for job in jobs if (job.payload or {}).get("area_id") == area_id]


def _cancel_round_jobs(
    session: Session, area_id: int, *, keep: frozenset[str] | set[str] = frozenset()
) -> int:
    cancelled = 0
    for job in _pending_round_jobs(session, area_id):
        if job.dedupe_key not in keep:
            job.state = JobState.CANCELLED
            cancelled += 1
    session.flush()
    return cancelled


def _ensure_job(
    session: Session, kind: str, row: ScheduledRound, team_id: str, due_at: datetime
) -> str:
    """Queue ``kind`` for the round, or bring back the one cancelled earlier
    (its dedupe key is taken); one that ran already stays done."""
    key = _round_key(kind, row.area_id, row.as_of, row.opens_on)
    payload = {
        "area_id": row.area_id,
        "as_of": row.as_of.isoformat(),
        "opens_on": row.opens_on.isoformat(),
    }
    job = outbox.enqueue(session, kind, payload, due_at=due_at, dedupe_key=key, team_id=team_id)
    if job.state == JobState.CANCELLED:
        job.state = JobState.PENDING
        job.due_at = due_at
        job.attempts = 0
    return key


def _plan_jobs(
    session: Session,
    row: ScheduledRound,
    area: Area,
    now: datetime,
    zone: ZoneInfo,
    *,
    late_notice: bool,
) -> None:
    """The round's notice (a week ahead; at once if that has passed and
    ``late_notice``) and its opening; other pending schedule jobs of the area go."""
    opening = opening_moment(row.opens_on, zone)
    keys = {_ensure_job(session, OPEN_KIND, row, area.team_id, opening)}
    notice_at = opening - NOTICE_AHEAD
    if opening > now and (notice_at >= now or late_notice):
        keys.add(_ensure_job(session, NOTICE_KIND, row, area.team_id, max(notice_at, now)))
    _cancel_round_jobs(session, area.id, keep=keys)


def plan_next(session: Session, area: Area, now: datetime, zone: ZoneInfo) -> ScheduledRound | None:
    """Keep the area's next round as a row with its jobs (none without a schedule).
    A notice whose week has begun already goes at once."""
    row = _undecided(session, area.id)
    if row is None:
        plan = next_round(session, area.id, local_today(now, zone), zone)
        if plan is None:
            _cancel_round_jobs(session, area.id)
            return None
        row = ScheduledRound(
            area_id=area.id, as_of=plan.as_of, opens_on=plan.opens_on, state=RoundState.PLANNED
        )
        session.add(row)
        session.flush()
    _plan_jobs(session, row, area, now, zone, late_notice=True)
    return row


# ------------------------------------------------------------------ set / clear


@dataclass(frozen=True)
class ScheduleView:
    area_id: int
    area: str
    spec: ScheduleSpec
    next: RoundPlan | None


def _load_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise area_not_found(area_id)
    return area


def _settings_of(schedule: AreaSchedule | None) -> dict[str, object] | None:
    if schedule is None:
        return None
    return {
        "as_of": schedule.as_of_dates,
        "open_before_days": schedule.open_before_days,
        "answer_days": schedule.answer_days,
        "remind": schedule.reminders,
        "title": schedule.title,
    }


def set_schedule(
    session: Session,
    *,
    area_id: int,
    spec: ScheduleSpec,
    actor: Actor,
    now: datetime,
    zone: ZoneInfo,
) -> ScheduleView:
    """Give the area this schedule (replacing one it had); the next round is
    planned anew, keeping a coordinator's postponement of a round that stays."""
    area = _load_area(session, area_id)
    _require_coordinator(session, actor, area.id)
    schedule = _schedule(session, area.id)
    before = _settings_of(schedule)
    if schedule is None:
        schedule = AreaSchedule(area_id=area.id)
        session.add(schedule)
    schedule.as_of_dates = spec.as_of_text
    schedule.open_before_days = spec.open_before_days
    schedule.answer_days = spec.answer_days
    schedule.reminders = spec.reminders
    schedule.title = spec.title
    schedule.updated_at = now
    session.flush()
    for row in _undecided_rows(session, area.id):
        if (
            row.state == RoundState.PLANNED
            or (row.as_of.month, row.as_of.day) not in spec.as_of_dates
        ):
            session.delete(row)
    session.flush()
    plan_next(session, area, now, zone)
    audit.record(
        session,
        actor,
        "schedule.set",
        area_id=area.id,
        now=now,
        before=before,
        after=_settings_of(schedule),
    )
    return ScheduleView(
        area.id, area.name, spec, next_round(session, area.id, local_today(now, zone), zone)
    )


def _undecided_rows(session: Session, area_id: int) -> list[ScheduledRound]:
    return list(
        session.scalars(
            select(ScheduledRound).where(
                ScheduledRound.area_id == area_id, ScheduledRound.state.in_(UNDECIDED)
            )
        )
    )


@dataclass(frozen=True)
class Cleared:
    area: str
    spec: ScheduleSpec
    next: RoundPlan | None  # the round that will now not open
    cancelled_jobs: int


def clear_schedule(
    session: Session, *, area_id: int, actor: Actor, now: datetime, zone: ZoneInfo
) -> Cleared:
    """Remove the area's schedule and the round it planned (history of skipped
    and opened rounds stays)."""
    area = _load_area(session, area_id)
    _require_coordinator(session, actor, area.id)
    schedule = _schedule(session, area.id)
    if schedule is None:
        raise fail(NotFound, "{area} has no schedule; nothing was removed.", area=area.name)
    spec = spec_of(schedule)
    upcoming = next_round(session, area.id, local_today(now, zone), zone)
    before = _settings_of(schedule)
    cancelled = _cancel_round_jobs(session, area.id)
    session.execute(
        delete(ScheduledRound).where(
            ScheduledRound.area_id == area.id, ScheduledRound.state.in_(UNDECIDED)
        )
    )
    session.delete(schedule)
    session.flush()
    audit.record(
        session,
        actor,
        "schedule.clear",
        area_id=area.id,
        now=now,
        before=before,
        next_as_of=upcoming.as_of if upcoming else None,
        cancelled_jobs=cancelled,
    )
    return Cleared(area.name, spec, upcoming, cancelled)


def schedule_view(
    session: Session, area: Area, now: datetime, zone: ZoneInfo
) -> ScheduleView | None:
    schedule = _schedule(session, area.id)
    if schedule is None:
        return None
    return ScheduleView(
        area.id,
        area.name,
        spec_of(schedule),
        next_round(session, area.id, local_today(now, zone), zone),
    )


def decided_rounds(session: Session, area_id: int, *, limit: int = 10) -> list[ScheduledRound]:
    """The area's rounds that were postponed, skipped, opened or refused, newest first."""
    return list(
        session.scalars(
            select(ScheduledRound)
            .where(
                ScheduledRound.area_id == area_id,
                (ScheduledRound.state != RoundState.PLANNED),
            )
            .order_by(ScheduledRound.as_of.desc())
            .limit(limit)
        )
    )


# ------------------------------------------------------------------ the round's fate


def _current_round(session: Session, area_id: int, as_of: date) -> ScheduledRound:
    row = session.scalar(
        select(ScheduledRound).where(
            ScheduledRound.area_id == area_id, ScheduledRound.as_of == as_of
        )
    )
    if row is None or row.state not in UNDECIDED:
        raise fail(
            InvalidState,
            "The round as of {as_of} is no longer planned; nothing was changed.",
            as_of=as_of.isoformat(),
        )
    return row


def skip_round(
    session: Session, *, area_id: int, as_of: date, actor: Actor, now: datetime, zone: ZoneInfo
) -> RoundPlan | None:
    """Skip the planned round: it will not open. Returns the round planned next."""
    area = _load_area(session, area_id)
    _require_coordinator(session, actor, area.id)
    row = _current_round(session, area.id, as_of)
    row.state = RoundState.SKIPPED
    row.decided_by, row.decided_at = actor.label[:200], now
    session.flush()
    audit.record(
        session,
        actor,
        "schedule.skip",
        area_id=area.id,
        now=now,
        as_of=as_of,
        opens_on=row.opens_on,
    )
    plan_next(session, area, now, zone)
    return next_round(session, area.id, local_today(now, zone), zone)


def postpone_round(
    session: Session,
    *,
    area_id: int,
    as_of: date,
    opens_on: date,
    actor: Actor,
    now: datetime,
    zone: ZoneInfo,
) -> RoundPlan:
    """Move the planned round's opening to ``opens_on`` (a later day, in the future)."""
    area = _load_area(session, area_id)
    _require_coordinator(session, actor, area.id)
    row = _current_round(session, area.id, as_of)
    today = local_today(now, zone)
    if opens_on <= max(row.opens_on, today):
        raise fail(
            InvalidInput,
            "Postpone the opening to a day after {day}.",
            field="opens_on",
            day=max(row.opens_on, today).isoformat(),
        )
    if opens_on > as_of + timedelta(days=MAX_OPEN_BEFORE_DAYS // 2):
        raise fail(
            InvalidInput,
            "{day} is too long after the as-of date {as_of}; open the round within half a "
            "year of it or skip it.",
            field="opens_on",
            day=opens_on.isoformat(),
            as_of=as_of.isoformat(),
        )
    before = row.opens_on
    row.opens_on = opens_on
    row.state = RoundState.POSTPONED
    row.decided_by, row.decided_at = actor.label[:200], now
    session.flush()
    _plan_jobs(session, row, area, now, zone, late_notice=False)
    audit.record(
        session,
        actor,
        "schedule.postpone",
        area_id=area.id,
        now=now,
        as_of=as_of,
        opens_on_before=before,
        opens_on=opens_on,
    )
    spec = spec_of(_schedule(session, area.id))  # type: ignore[arg-type]
    return _round_plan(spec, area.id, row, zone)


@dataclass(frozen=True)
class Opened:
    """What opening a scheduled round did: the cycle (new, or the one opened by
    hand before), or why it was refused; None cycle and reason: nothing to do."""

    cycle: Cycle | None = None
    new: bool = False
    refused: str | None = None


def open_round(
    session: Session,
    *,
    area_id: int,
    as_of: date,
    actor: Actor,
    now: datetime,
    zone: ZoneInfo,
    opens_on: date | None = None,
) -> Opened:
    """Open the planned round as of ``as_of`` with ``cycle open``'s workflow.

    ``opens_on`` (the job's opening day) must still be the round's, else it
    was postponed and nothing happens. A round that exists already for that
    as-of date (opened by hand) is not opened again. The round row is claimed
    with a guarded UPDATE first: of two openers, the second finds it taken.
    A refusal (another round still collecting, no initiatives) is kept on the
    round with its reason; either way the next round is planned."""
    area = _load_area(session, area_id)
    schedule = _schedule(session, area.id)
    if schedule is None:
        return Opened()
    condition = (
        (ScheduledRound.area_id == area.id)
        & (ScheduledRound.as_of == as_of)
        & ScheduledRound.state.in_(UNDECIDED)
    )
    if opens_on is not None:
        condition = condition & (ScheduledRound.opens_on == opens_on)
    row = session.scalar(select(ScheduledRound).where(condition))
    if row is None:
        return Opened()
    _require_coordinator(session, actor, area.id)
    claimed = session.execute(
        update(ScheduledRound)
        .where(condition)
        .values(state=RoundState.OPENED, decided_by=actor.label[:200], decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return Opened()
    session.refresh(row)
    spec = spec_of(schedule)
    existing = _hand_opened(session, area.id, as_of)
    result: Opened
    if existing is not None:
        row.cycle_id = existing.id
        result = Opened(existing)
    else:
        try:
            with session.begin_nested():
                cycle = open_cycle(
                    session,
                    area_id=area.id,
                    as_of=as_of,
                    deadline=answer_deadline(row.opens_on, spec.answer_days, zone),
                    remind=None if spec.reminders is None else parse_offsets(spec.reminders),
                    title=spec.title,
                    actor=actor,
                    now=now,
                )
            row.cycle_id = cycle.id
            result = Opened(cycle, new=True)
        except WorkflowError as exc:
            if actor is not SCHEDULE_ACTOR:
                raise
            row.state, row.reason = RoundState.FAILED, exc.message
            audit.record(
                session,
                actor,
                "schedule.refused",
                area_id=area.id,
                now=now,
                as_of=as_of,
                reason=exc.message,
            )
            outbox.enqueue(
                session,
                REFUSED_KIND,
                {"area_id": area.id, "as_of": as_of.isoformat(), "reason": exc.message},
                due_at=now,
                dedupe_key=_round_key(REFUSED_KIND, area.id, as_of, row.opens_on),
                team_id=area.team_id,
            )
            result = Opened(refused=exc.message)
    session.flush()
    plan_next(session, area, now, zone)
    return result


# ------------------------------------------------------------------ the notice


@dataclass(frozen=True)
class RoundNotice:
    """What the coordinators are told a week before a round opens."""

    area_id: int
    area: str
    as_of: date
    opens_on: date
    deadline: datetime
    initiatives: int
    owners: int
    away: tuple[str, ...]  # labels of the people away during the round


def people_away(session: Session, *, area_id: int, start: date, end: date) -> list[Person]:
    """The people of the area (owners, delegates of its active initiatives)
    away at some time between ``start`` and ``end``, by name."""
    active = select(Initiative).where(
        Initiative.area_id == area_id, Initiative.active.is_(True)
    ).subquery()
    pairs = session.execute(select(active.c.owner_id, active.c.delegate_id))
    ids = {person_id for pair in pairs for person_id in pair if person_id is not None}
    away = away_between(session, ids, start, end)
    people = [session.get(Person, person_id) for person_id in away]
    return sorted((p for p in people if p is not None), key=lambda p: p.label.casefold())


def round_notice(session: Session, area: Area, row: ScheduledRound, zone: ZoneInfo) -> RoundNotice:
    spec = spec_of(_schedule(session, area.id))  # type: ignore[arg-type]
    deadline = answer_deadline(row.opens_on, spec.answer_days, zone)
    active = (Initiative.area_id == area.id) & Initiative.active.is_(True)
    initiatives = session.scalar(select(func.count(Initiative.id)).where(active)) or 0
    owners = (
        session.scalar(
            select(func.count(func.distinct(Initiative.owner_id))).where(
                active, Initiative.owner_id.is_not(None)
            )
        )
        or 0
    )
    away = people_away(
        session, area_id=area.id, start=row.opens_on, end=deadline.astimezone(zone).date()
    )
    return RoundNotice(
        area_id=area.id,
        area=area.name,
        as_of=row.as_of,
        opens_on=row.opens_on,
        deadline=deadline,
        initiatives=initiatives,
        owners=owners,
        away=tuple(p.label for p in away),
    )


def noticed_round(
    session: Session, area_id: int, as_of: date, opens_on: date
) -> ScheduledRound | None:
    """The round a notice job is about, if it is still planned for that day and
    not opened by hand meanwhile."""
    row = session.scalar(
        select(ScheduledRound).where(
            ScheduledRound.area_id == area_id,
            ScheduledRound.as_of == as_of,
            ScheduledRound.opens_on == opens_on,
            ScheduledRound.state.in_(UNDECIDED),
        )
    )
    if row is None or _hand_opened(session, area_id, as_of) is not None:
        return None
    return row
