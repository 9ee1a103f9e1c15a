"""Reporting cycles: open, close, reopen, progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from bot.errors import InvalidInput, InvalidState, PermissionDenied
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.dates import format_offsets, parse_offsets
from bot.workflow.entries import people_to_prompt
from bot.workflow.messages import area_not_found, cycle_not_found, fail
from bot.workflow.permissions import is_coordinator
from storage import outbox
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Job,
    JobState,
    Person,
    Track,
)

__all__ = [
    "CycleProgress",
    "OwnerProgress",
    "close_cycle",
    "current_cycle",
    "get_cycle",
    "open_cycle",
    "parse_offsets",
    "progress",
    "reopen_cycle",
]

# How far the as-of date may lie from the deadline: reports are half-yearly.
MAX_AS_OF_DISTANCE = timedelta(days=366)
UNFINISHED = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW, CycleState.APPROVED)
REOPENABLE = (CycleState.CLOSED, CycleState.IN_REVIEW, CycleState.APPROVED)
# Jobs that make no sense once a cycle stops collecting.
COLLECTING_JOB_KINDS = ("prompt", "reminder_round", "reminder")


@dataclass
class OwnerProgress:
    person_id: int | None  # None: initiatives without an owner
    label: str
    answered: list[int] = field(default_factory=list)  # entry ids
    missing: list[int] = field(default_factory=list)


@dataclass
class CycleProgress:
    total: int
    answered: int  # includes carried forward
    carried_forward: int
    missing: int
    per_owner: list[OwnerProgress]

    @property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 1.0


def _require_coordinator(session: Session, actor: Actor, area_id: int) -> None:
    if actor.is_operator or is_coordinator(session, actor.person, area_id):
        return
    raise fail(PermissionDenied, "Only a coordinator of this area or an administrator may do that.")


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise cycle_not_found(cycle_id)
    return cycle


def current_cycle(session: Session, area_id: int) -> Cycle | None:
    """The area's newest cycle that is not yet published (baselines excluded)."""
    query = (
        select(Cycle)
        .where(Cycle.area_id == area_id, Cycle.is_baseline.is_(False), Cycle.state.in_(UNFINISHED))
        .order_by(Cycle.opened_at.desc(), Cycle.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def collecting_cycle(
    session: Session, area_id: int, *, besides: int | None = None
) -> Cycle | None:
    """The area's round that collects answers now (a baseline never does)."""
    query = select(Cycle).where(
        Cycle.area_id == area_id,
        Cycle.state == CycleState.COLLECTING,
        Cycle.is_baseline.is_(False),
    )
    if besides is not None:
        query = query.where(Cycle.id != besides)
    return session.scalar(query.limit(1))


def open_cycle(
    session: Session,
    *,
    area_id: int,
    as_of: date,
    deadline: datetime,
    remind: list[timedelta] | None,
    title: str | None,
    actor: Actor,
    now: datetime,
) -> Cycle:
    """Open a collecting cycle with an entry per active initiative and queue its
    prompts, reminder rounds and digest. ``remind=None`` uses the area's default."""
    area = session.get(Area, area_id)
    if area is None:
        raise area_not_found(area_id)
    _require_coordinator(session, actor, area_id)
    if deadline.tzinfo is None:
        raise fail(InvalidInput, "The deadline needs a time zone.", field="deadline")
    if deadline <= now:
        raise fail(InvalidInput, "The deadline must be in the future.", field="deadline")
    if abs(as_of - deadline.date()) > MAX_AS_OF_DISTANCE:
        raise fail(
            InvalidInput,
            "The as-of date {as_of} is too far from the deadline {deadline}; "
            "it should lie within a year of it.",
            field="as_of",
            as_of=as_of.isoformat(),
            deadline=deadline.date().isoformat(),
        )
    offsets = (
        parse_offsets(area.default_reminders or "")
        if remind is None
        else sorted(set(remind), reverse=True)
    )
    if any(offset <= timedelta(0) for offset in offsets):
        raise fail(InvalidInput, "Reminder offsets must be positive.", field="remind")
    title = (title or "").strip() or None
    existing = collecting_cycle(session, area_id)
    if existing is not None:
        raise fail(
            InvalidState,
            "{area} already has a cycle collecting answers (cycle {cycle_id}); "
            "close it before opening a new one.",
            area=area.name,
            cycle_id=existing.id,
        )
    initiatives = list(
        session.scalars(
            select(Initiative)
            .join(Track, Track.id == Initiative.track_id)
            .where(Initiative.area_id == area_id, Initiative.active.is_(True))
            .order_by(Track.position, Initiative.position, Initiative.id)
        )
    )
    if not initiatives:
        raise fail(
            InvalidInput,
            "{area} has no active initiatives; import them first.",
            field="area",
            area=area.name,
        )

    cycle = Cycle(
        area_id=area_id,
        title=title,
        as_of=as_of,
        deadline=deadline,
        reminder_offsets=format_offsets(offsets),
        state=CycleState.COLLECTING,
        opened_by=actor.label[:200],
        opened_at=now,
    )
    session.add(cycle)
    session.flush()
    for initiative in initiatives:
        session.add(Entry(cycle=cycle, initiative=initiative, plan=initiative.plan))
    session.flush()

    for person_id in people_to_prompt(session, cycle.id):
        outbox.enqueue(
            session,
            "prompt",
            {"cycle_id": cycle.id, "person_id": person_id},
            due_at=now,
            dedupe_key=f"prompt:{cycle.id}:{person_id}",
            cycle_id=cycle.id,
            team_id=area.team_id,
        )
    _plan_rounds(session, cycle, offsets, team_id=area.team_id, now=now)
    audit.record(
        session,
        actor,
        "cycle.open",
        area_id=area_id,
        cycle_id=cycle.id,
        now=now,
        as_of=as_of,
        deadline=deadline,
        remind=cycle.reminder_offsets,
        title=title,
        entries=len(initiatives),
    )
    return cycle


def _plan_rounds(
    session: Session, cycle: Cycle, offsets: list[timedelta], *, team_id: str, now: datetime
) -> None:
    """Queue the reminder rounds still ahead and the digest at the deadline.
    A reopened cycle's rounds get keys of their own (``…:r<n>``): the first
    opening's rounds may have run already."""
    suffix = f":r{cycle.reopen_count}" if cycle.reopen_count else ""
    for offset in offsets:
        due = cycle.deadline - offset
        if due <= now:
            continue
        seconds = int(offset.total_seconds())
        outbox.enqueue(
            session,
            "reminder_round",
            {"cycle_id": cycle.id, "offset_seconds": seconds},
            due_at=due,
            dedupe_key=f"reminders:{cycle.id}:{seconds}{suffix}",
            cycle_id=cycle.id,
            team_id=team_id,
        )
    if cycle.deadline > now:
        outbox.enqueue(
            session,
            "digest",
            {"cycle_id": cycle.id},
            due_at=cycle.deadline,
            dedupe_key=f"digest:{cycle.id}{suffix}",
            cycle_id=cycle.id,
            team_id=team_id,
        )


def _cancel_pending_jobs(
    session: Session, cycle_id: int, kinds: tuple[str, ...] = COLLECTING_JOB_KINDS
) -> int:
    result = session.execute(
        update(Job)
        .where(Job.cycle_id == cycle_id, Job.state == JobState.PENDING, Job.kind.in_(kinds))
        .values(state=JobState.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def close_cycle(session: Session, *, cycle_id: int, actor: Actor, now: datetime) -> Cycle:
    """Stop collecting: no more answers, pending prompts and reminders cancelled."""
    cycle = get_cycle(session, cycle_id)
    _require_coordinator(session, actor, cycle.area_id)
    if cycle.state != CycleState.COLLECTING:
        raise fail(
            InvalidState,
            "Cycle {cycle_id} is not collecting answers (it is {state}).",
            cycle_id=cycle.id,
            state=cycle.state,
        )
    cycle.state = CycleState.CLOSED
    cycle.closed_at = now
    session.flush()
    cancelled = _cancel_pending_jobs(session, cycle.id)
    audit.record(
        session,
        actor,
        "cycle.close",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        cancelled_jobs=cancelled,
    )
    return cycle


def reopen_cycle(
    session: Session,
    *,
    cycle_id: int,
    actor: Actor,
    reason: str,
    now: datetime,
    deadline: datetime | None = None,
) -> Cycle:
    """Back to collecting from closed, in review or approved; records why and who.
    Approval is undone and any draft is marked stale.

    With a new ``deadline`` (or if the old one is still ahead), the reminder
    rounds still ahead and the digest are planned again for it; the prompts of
    everyone asked are refreshed, so their buttons work again and they show the
    deadline."""
    cycle = get_cycle(session, cycle_id)
    _require_coordinator(session, actor, cycle.area_id)
    reason = (reason or "").strip()
    if not reason:
        raise fail(InvalidInput, "Give a reason for reopening the cycle.", field="reason")
    if deadline is not None and (deadline.tzinfo is None or deadline <= now):
        raise fail(InvalidInput, "The deadline must be in the future.", field="deadline")
    if cycle.state not in REOPENABLE:
        raise fail(
            InvalidState,
            "Cycle {cycle_id} cannot be reopened (it is {state}).",
            cycle_id=cycle.id,
            state=cycle.state,
        )
    other = collecting_cycle(session, cycle.area_id, besides=cycle.id)
    if other is not None:
        raise fail(
            InvalidState,
            "Cycle {other_id} of the same area is collecting answers; close it first.",
            other_id=other.id,
        )
    previous_state = cycle.state
    previous_deadline = cycle.deadline
    cycle.state = CycleState.COLLECTING
    cycle.closed_at = None
    cycle.approved_at = None
    cycle.reopen_count = (cycle.reopen_count or 0) + 1
    cycle.draft_stale = True
    if deadline is not None:
        cycle.deadline = deadline
    session.flush()
    _replan(session, cycle, now)
    audit.record(
        session,
        actor,
        "cycle.reopen",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        reason=reason,
        previous_state=previous_state,
        **({"deadline_before": previous_deadline, "deadline": deadline} if deadline else {}),
    )
    return cycle


def _replan(session: Session, cycle: Cycle, now: datetime) -> None:
    """After a reopening: cancel what was still pending of the old plan, plan
    the rounds ahead again, and refresh everyone's prompt."""
    _cancel_pending_jobs(session, cycle.id, ("reminder_round", "reminder", "digest"))
    team_id = cycle.area.team_id
    _plan_rounds(
        session, cycle, parse_offsets(cycle.reminder_offsets or ""), team_id=team_id, now=now
    )
    for person_id in people_to_prompt(session, cycle.id):
        outbox.enqueue(
            session,
            "refresh_prompts",
            {"cycle_id": cycle.id, "person_id": person_id},
            due_at=now,
            dedupe_key=f"reopened:{cycle.id}:{person_id}:r{cycle.reopen_count}",
            cycle_id=cycle.id,
            team_id=team_id,
        )


def progress(session: Session, cycle_id: int) -> CycleProgress:
    """Answered / missing, overall and per owner (owners in label order,
    initiatives without an owner last)."""
    get_cycle(session, cycle_id)
    entries = list(
        session.scalars(
            select(Entry)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Track, Track.id == Initiative.track_id)
            .where(Entry.cycle_id == cycle_id, Entry.withdrawn_at.is_(None))
            .order_by(Track.position, Initiative.position, Entry.id)
            .options(selectinload(Entry.initiative).selectinload(Initiative.owner))
        )
    )
    owners: dict[int | None, OwnerProgress] = {}
    answered = carried = 0
    for entry in entries:
        owner: Person | None = entry.initiative.owner
        key = owner.id if owner is not None else None
        row = owners.get(key)
        if row is None:
            row = owners[key] = OwnerProgress(key, owner.label if owner else "—")
        if entry.source != EntrySource.PENDING:
            answered += 1
            carried += entry.source == EntrySource.CARRY_FORWARD
            row.answered.append(entry.id)
        else:
            row.missing.append(entry.id)
    per_owner = sorted(
        owners.values(), key=lambda r: (r.person_id is None, r.label.casefold(), r.person_id or 0)
    )
    return CycleProgress(
        total=len(entries),
        answered=answered,
        carried_forward=carried,
        missing=len(entries) - answered,
        per_owner=per_owner,
    )
