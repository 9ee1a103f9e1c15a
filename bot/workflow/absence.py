"""Absence: a person on leave, and who stands in for them.

The rules live here once; the command line, Slack and the delivery jobs call
them. While a person is away nobody prompts or reminds them: their own
initiatives are delegated to the stand-in (the ordinary delegation, recorded
on the absence so its end can put the earlier delegate back), or, with no
stand-in, the coordinators are told and the person's reminders wait until
they are back. Nothing is deleted: a cancelled absence keeps its row.

:func:`away_on` is the one question other parts ask ("who of these is away
on that day?"), e.g. a notice listing who is away in a coming round.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, NotFound, PermissionDenied
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import fail
from bot.workflow.permissions import coordinated_area_ids, is_admin
from storage.models import Absence, Cycle, CycleState, Entry, EntrySource, Initiative, Person

MAX_DAYS = 366  # one leave; a longer one is surely a typo


def away_on(session: Session, person_ids: list[int] | set[int], day: date) -> dict[int, Absence]:
    """person id → the absence covering ``day``, for those of ``person_ids`` away then."""
    return away_between(session, person_ids, day, day)


def away_between(
    session: Session, person_ids: list[int] | set[int], start: date, end: date
) -> dict[int, Absence]:
    """person id → their first absence overlapping ``start``…``end`` (both days
    included), for those of ``person_ids`` away at some time then."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(Absence)
        .where(
            Absence.person_id.in_(ids),
            Absence.cancelled_at.is_(None),
            Absence.starts_on <= end,
            Absence.ends_on >= start,
        )
        .order_by(Absence.starts_on, Absence.id)
    )
    found: dict[int, Absence] = {}
    for absence in rows:
        found.setdefault(absence.person_id, absence)
    return found


def absences_of(
    session: Session, person: Person, *, include_cancelled: bool = True
) -> list[Absence]:
    query = select(Absence).where(Absence.person_id == person.id)
    if not include_cancelled:
        query = query.where(Absence.cancelled_at.is_(None))
    return list(session.scalars(query.order_by(Absence.starts_on, Absence.id)))


def back_moment(absence: Absence, zone: ZoneInfo) -> datetime:
    """The first moment the person is back: midnight after the last day away."""
    return datetime.combine(absence.ends_on + timedelta(days=1), time(0), zone)


def start_moment(absence: Absence, zone: ZoneInfo) -> datetime:
    return datetime.combine(absence.starts_on, time(0), zone)


def may_set_for(session: Session, actor: Actor, person: Person) -> bool:
    """Anyone for themself; a coordinator for the people of their areas (anyone
    without initiatives too); an administrator and the operator for everyone."""
    if actor.is_operator:
        return True
    me = actor.person
    if me is None or me.team_id != person.team_id:
        return False
    if me.id == person.id or is_admin(session, me):
        return True
    mine = set(coordinated_area_ids(session, me))
    if not mine:
        return False
    theirs = set(
        session.scalars(
            select(Initiative.area_id).where(
                Initiative.active.is_(True),
                (Initiative.owner_id == person.id) | (Initiative.delegate_id == person.id),
            )
        )
    )
    return not theirs or bool(theirs & mine)


def check_may_set_for(session: Session, actor: Actor, person: Person) -> None:
    if not may_set_for(session, actor, person):
        raise fail(
            PermissionDenied,
            "Only {person} themself, a coordinator of their area or an administrator may "
            "record their absence.",
            person=person.label,
        )


def set_absence(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    starts_on: date,
    ends_on: date,
    stand_in: Person | None,
    today: date,
    now: datetime,
) -> Absence:
    """Record a leave (flushed and audited, not committed). Refuses, changing
    nothing: a leave that ends before it starts or is already over, the person
    as their own stand-in, one overlapping another leave of theirs."""
    check_may_set_for(session, actor, person)
    if ends_on < starts_on:
        raise fail(
            InvalidInput,
            "The absence ends ({end}) before it starts ({start}).",
            field="to", end=ends_on.isoformat(), start=starts_on.isoformat(),
        )  # fmt: skip
    if ends_on < today:
        raise fail(
            InvalidInput, "The absence ended already ({end}).", field="to", end=ends_on.isoformat()
        )
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise fail(
            InvalidInput, "An absence can last at most {days} days.", field="to", days=MAX_DAYS
        )
    if stand_in is not None and stand_in.id == person.id:
        raise fail(
            InvalidInput,
            "{person} cannot be their own stand-in; choose a colleague.",
            field="stand_in", person=person.label,
        )  # fmt: skip
    for other in absences_of(session, person, include_cancelled=False):
        if other.starts_on <= ends_on and other.ends_on >= starts_on:
            raise fail(
                InvalidInput,
                "{person} is already away from {start} to {end}; cancel that absence first.",
                field="from", person=person.label, start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat(),
            )  # fmt: skip
    absence = Absence(
        person_id=person.id,
        starts_on=starts_on,
        ends_on=ends_on,
        stand_in_id=stand_in.id if stand_in else None,
        set_by_id=actor.person_id,
        set_by_label=actor.label[:200],
        set_at=now,
        delegations={},
    )
    session.add(absence)
    session.flush()
    audit.record(
        session, actor, "person.away", now=now, absence_id=absence.id, person=person.label,
        starts_on=starts_on, ends_on=ends_on, stand_in=stand_in.label if stand_in else None,
    )  # fmt: skip
    return absence


def find_absence(session: Session, person: Person, absence_id: int | None, today: date) -> Absence:
    """The person's absence with that id, else their current or next one."""
    candidates = [
        a for a in absences_of(session, person, include_cancelled=False) if a.ends_on >= today
    ]
    if absence_id is not None:
        candidates = [a for a in candidates if a.id == absence_id]
    if not candidates:
        raise fail(NotFound, "{person} has no current or coming absence.", person=person.label)
    return candidates[0]


def cancel_absence(session: Session, actor: Actor, absence: Absence, *, now: datetime) -> None:
    """Cancel a leave (audited; the row stays). Its delegations end with
    :func:`end_stand_in`, which the caller runs when the leave had begun."""
    person = absence.person
    check_may_set_for(session, actor, person)
    absence.cancelled_at = now
    absence.cancelled_by_label = actor.label[:200]
    audit.record(
        session, actor, "person.away.cancel", now=now, absence_id=absence.id,
        person=person.label, starts_on=absence.starts_on, ends_on=absence.ends_on,
    )  # fmt: skip


def open_entries(session: Session, person: Person, now: datetime) -> list[Entry]:
    """The person's own unanswered entries in rounds that still collect."""
    return list(
        session.scalars(
            select(Entry)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Cycle, Cycle.id == Entry.cycle_id)
            .where(
                Initiative.owner_id == person.id,
                Entry.withdrawn_at.is_(None),
                Entry.source == EntrySource.PENDING,
                Cycle.state == CycleState.COLLECTING,
                Cycle.is_baseline.is_(False),
                Cycle.deadline > now,
            )
            .order_by(Cycle.id, Entry.id)
        )
    )


def delegate_to_stand_in(
    session: Session, absence: Absence, *, now: datetime, cycle_id: int | None = None
) -> list[Entry]:
    """Hand the away person's open items (of one cycle, or of every collecting
    one) to the stand-in as a delegation; returns the entries newly delegated.
    An item with a delegate of its own who is not away keeps that delegate."""
    stand_in = absence.stand_in
    if stand_in is None or absence.cancelled_at is not None:
        return []
    entries = [
        e
        for e in open_entries(session, absence.person, now)
        if cycle_id is None or e.cycle_id == cycle_id
    ]
    delegations = dict(absence.delegations or {})
    done: list[Entry] = []
    for entry in entries:
        initiative = entry.initiative
        if initiative.delegate_id == stand_in.id:
            continue
        current = initiative.delegate_id
        if current is not None and not away_on(session, [current], now.date()):
            continue
        delegations.setdefault(str(initiative.id), current)
        initiative.delegate_id = stand_in.id
        audit.record(
            session, Actor.system(), "initiative.delegate", area_id=initiative.area_id,
            cycle_id=entry.cycle_id, now=now, initiative_id=initiative.id,
            delegate=stand_in.slack_user_id or stand_in.label, reason="absence",
            absence_id=absence.id,
        )  # fmt: skip
        done.append(entry)
    absence.delegations = delegations
    session.flush()
    return done


def end_stand_in(session: Session, absence: Absence, *, now: datetime) -> list[Initiative]:
    """Give back what the stand-in held: each initiative still delegated to
    them gets its earlier delegate again (audited). Returns those initiatives."""
    restored: list[Initiative] = []
    for key, previous in sorted((absence.delegations or {}).items()):
        initiative = session.get(Initiative, int(key))
        if initiative is None or initiative.delegate_id != absence.stand_in_id:
            continue  # someone chose another delegate meanwhile: theirs stands
        initiative.delegate_id = previous
        audit.record(
            session, Actor.system(), "initiative.delegate", area_id=initiative.area_id,
            now=now, initiative_id=initiative.id, delegate=None, reason="absence_ended",
            absence_id=absence.id,
        )  # fmt: skip
        restored.append(initiative)
    absence.delegations = {}
    session.flush()
    return restored
