"""Entries: answering, carrying forward, and who to ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from bot.registry.history import last_known_entry
from bot.workflow.actor import Actor
from bot.workflow.messages import PHASE_LABELS, fail, translate
from bot.workflow.permissions import is_coordinator, is_owner_or_delegate
from storage.models import (
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Person,
    Phase,
    Revision,
    RevisionReason,
    Track,
)
from storage.richtext import StatusText

# States in which entries take answers. ``in_review`` is there for entries a
# coordinator sent back (the review component decides which ones to offer).
ANSWERABLE = (CycleState.COLLECTING, CycleState.IN_REVIEW)
MAX_NOTE_CHARS = 3000


def get_entry(session: Session, entry_id: int) -> Entry:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise fail(NotFound, "Entry {entry_id} does not exist.", entry_id=entry_id)
    return entry


def previous_entry(session: Session, entry: Entry) -> Entry | None:
    """The earlier entry holding the initiative's last known status
    (:mod:`bot.registry.history`): however many rounds it missed, and also
    from before it moved to another area."""
    return last_known_entry(session, entry)


def _check_answerable(
    session: Session, entry: Entry, actor: Actor, state: CycleState | None
) -> bool:
    """Raise unless ``actor`` may answer ``entry`` now (its cycle's ``state``
    read fresh, see :func:`_fresh`); return True when the answer is a
    coordinator's edit (actor is not the owner or delegate)."""
    initiative = entry.initiative
    own = is_owner_or_delegate(actor.person, initiative)
    if not (own or actor.is_operator or is_coordinator(session, actor.person, initiative.area_id)):
        raise fail(
            PermissionDenied,
            "Only the initiative's owner, its delegate or a coordinator of the area may "
            "answer for “{title}”.",
            title=initiative.title,
        )
    if entry.withdrawn_at is not None:
        raise fail(
            InvalidState,
            "“{title}” was withdrawn from this round (retired or moved to another area); "
            "there is nothing to report on it.",
            title=initiative.title,
        )
    if state not in ANSWERABLE:
        raise fail(
            InvalidState,
            "The cycle no longer takes answers (it is {state}).",
            state=state,
        )
    return not own


def _check_version(entry: Entry, expected_version: int | None) -> None:
    if expected_version is not None and entry.version != expected_version:
        raise fail(
            Conflict,
            "Someone else changed “{title}” in the meantime; reload it and try again.",
            title=entry.initiative.title,
        )


def _fresh(session: Session, entry: Entry) -> tuple[CycleState | None, int]:
    """The entry's cycle's state, read from the database rather than the
    session's cache, and the number its next revision takes: one query."""
    last = select(func.max(Revision.number)).where(Revision.entry_id == entry.id)
    state, number = session.execute(
        select(Cycle.state, last.scalar_subquery()).where(Cycle.id == entry.cycle_id)
    ).one()
    return state, (number or 0) + 1


def _flush_or_conflict(session: Session, titles: Sequence[str]) -> None:
    """Flush; a lost optimistic-concurrency race becomes :class:`Conflict`
    naming the initiatives written (``titles``).

    The session's transaction is rolled back in that case, so the caller can
    reload the entry with the same session."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise fail(
            Conflict,
            "Someone else changed “{title}” in the meantime; reload it and try again.",
            title="”, “".join(titles),
        ) from None


@dataclass
class Answer:
    """An answer that every rule has accepted, not written yet: what
    :func:`plan_update` and :func:`plan_carry_forward` read, and
    :func:`write_answers` writes."""

    entry: Entry
    status: StatusText
    phase: str | None
    note: str | None
    source: EntrySource
    reason: RevisionReason
    number: int  # the revision's; a concurrent answer taking it first is a Conflict


def write_answers(
    session: Session, answers: Sequence[Answer], *, actor: Actor, now: datetime
) -> None:
    """Write ``answers`` (the entries and one revision each) in one flush.

    Everything the rules needed was read when the answers were planned: on
    SQLite the first write takes the database's one writer lock, held until
    the commit, so only the writes happen while it is held. A lost race (the
    entry's version, or its revision number, taken meanwhile) raises
    :class:`Conflict` with the transaction rolled back."""
    titles = [answer.entry.initiative.title for answer in answers]
    for answer in answers:
        entry = answer.entry
        entry.status = answer.status
        entry.phase = answer.phase
        entry.source = answer.source
        entry.carried_forward = answer.source == EntrySource.CARRY_FORWARD
        entry.answered_by_id = actor.person_id
        entry.answered_at = now
        entry.note = answer.note
        session.add(
            Revision(
                entry_id=entry.id,
                number=answer.number,
                status=answer.status,
                phase=answer.phase,
                reason=answer.reason,
                author_id=actor.person_id,
                author_label=actor.label[:200],
                note=answer.note,
                created_at=now,
            )
        )
    _flush_or_conflict(session, titles)


def _clean_phase(phase: str | None) -> str | None:
    if phase is None or not phase.strip():
        return None
    value = phase.strip().lower()
    if value not in {p.value for p in Phase}:
        raise fail(
            InvalidInput,
            "“{value}” is not a phase; choose one of: {choices}.",
            field="phase",
            value=phase,
            choices=", ".join(translate(label) for label in PHASE_LABELS.values()),
        )
    return value


def clean_answer_fields(phase: str | None, note: str | None) -> tuple[str | None, str | None]:
    """The phase and note of an answer, normalised; :class:`InvalidInput` (naming
    the field) when one is not acceptable."""
    phase = _clean_phase(phase)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise fail(
            InvalidInput,
            "The note is too long (at most {limit} characters).",
            field="note",
            limit=MAX_NOTE_CHARS,
        )
    return phase, note


def plainly_answerable_query(
    *,
    team_id: Any,
    slack_user_id: Any,
    entry_id: Any,
    cycle_id: Any,
    at: Any,
    carry: bool = False,
) -> Select[tuple[int]]:
    """The entry's id if the answer is the ordinary case (no row otherwise):
    the Slack user is the initiative's owner or delegate, the entry belongs to
    ``cycle_id``, the cycle collects answers, and a revision is still allowed
    at ``at`` (a first answer, or before the deadline). With ``carry``, also
    that the entry is not carried forward already (a double click). The
    arguments are values or bind parameters (a statement built once).

    A conservative subset of :func:`submit_update`'s and :func:`carry_forward`'s
    rules, for acknowledging an answer before applying it (see
    :mod:`bot.delivery.answers`): a row means those rules will accept it unless
    something changes in between; no row means nothing — the full rules decide
    (and explain)."""
    query = (
        select(Entry.id)
        .join(Initiative, Initiative.id == Entry.initiative_id)
        .join(Cycle, Cycle.id == Entry.cycle_id)
        .join(
            Person,
            (Person.team_id == team_id)
            & (Person.slack_user_id == slack_user_id)
            & or_(Person.id == Initiative.owner_id, Person.id == Initiative.delegate_id),
        )
        .where(
            Entry.id == entry_id,
            Entry.cycle_id == cycle_id,
            Entry.withdrawn_at.is_(None),
            Cycle.state == CycleState.COLLECTING,
            or_(Entry.source == EntrySource.PENDING, Cycle.deadline >= at),
        )
    )
    if carry:
        query = query.where(Entry.source != EntrySource.CARRY_FORWARD)
    return query


def plainly_answerable(
    session: Session,
    *,
    team_id: str,
    slack_user_id: str,
    entry_id: int,
    cycle_id: int,
    at: datetime,
    carry: bool = False,
) -> bool:
    """Whether :func:`plainly_answerable_query` finds the entry."""
    if not slack_user_id:
        return False
    query = plainly_answerable_query(
        team_id=team_id,
        slack_user_id=slack_user_id,
        entry_id=entry_id,
        cycle_id=cycle_id,
        at=at,
        carry=carry,
    )
    return session.scalar(query) is not None


def plan_update(
    session: Session,
    *,
    entry_id: int,
    actor: Actor,
    status: StatusText,
    phase: str | None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Answer:
    """Check an answer (or a coordinator's edit) against every rule; nothing is
    written (see :func:`write_answers`)."""
    entry = get_entry(session, entry_id)
    state, number = _fresh(session, entry)
    coordinator_edit = _check_answerable(session, entry, actor, state)
    _check_version(entry, expected_version)
    if not isinstance(status, StatusText) or not status:
        raise fail(InvalidInput, "The status text is empty.", field="status")
    phase, note = clean_answer_fields(phase, note)
    return Answer(
        entry=entry,
        status=status,
        phase=phase,
        note=note,
        source=EntrySource.COORDINATOR if coordinator_edit else EntrySource.ANSWER,
        reason=RevisionReason.COORDINATOR_EDIT if coordinator_edit else RevisionReason.ANSWER,
        number=number,
    )


def plan_carry_forward(
    session: Session, *, entry_id: int, actor: Actor, expected_version: int | None = None
) -> Answer:
    """Check a "no change" answer (the previous cycle's text and phase,
    unchanged); nothing is written (see :func:`write_answers`)."""
    entry = get_entry(session, entry_id)
    state, number = _fresh(session, entry)
    _check_answerable(session, entry, actor, state)
    _check_version(entry, expected_version)
    previous = previous_entry(session, entry)
    if previous is None or not previous.status:
        raise fail(
            InvalidInput,
            "There is no earlier status for “{title}” to carry forward; write an update instead.",
            field="status",
            title=entry.initiative.title,
        )
    return Answer(
        entry=entry,
        status=previous.status,
        phase=previous.phase,
        note=None,
        source=EntrySource.CARRY_FORWARD,
        reason=RevisionReason.CARRY_FORWARD,
        number=number,
    )


def submit_update(
    session: Session,
    *,
    entry_id: int,
    actor: Actor,
    status: StatusText,
    phase: str | None,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime,
) -> Entry:
    """Store an answer (or a coordinator's edit) and append a revision."""
    answer = plan_update(
        session,
        entry_id=entry_id,
        actor=actor,
        status=status,
        phase=phase,
        note=note,
        expected_version=expected_version,
    )
    write_answers(session, [answer], actor=actor, now=now)
    return answer.entry


def carry_forward(
    session: Session,
    *,
    entry_id: int,
    actor: Actor,
    expected_version: int | None = None,
    now: datetime,
) -> Entry:
    """Answer "no change": copy the previous cycle's text and phase unchanged."""
    answer = plan_carry_forward(
        session, entry_id=entry_id, actor=actor, expected_version=expected_version
    )
    write_answers(session, [answer], actor=actor, now=now)
    return answer.entry


def people_to_prompt(session: Session, cycle_id: int) -> dict[int, list[int]]:
    """Whom to ask in a cycle: person id → their entry ids in report order.

    Both the owner and the delegate (if any) of each initiative are listed, as
    either may answer. Entries of initiatives with neither are left out.
    """
    rows = session.execute(
        select(Entry.id, Initiative.owner_id, Initiative.delegate_id)
        .join(Initiative, Initiative.id == Entry.initiative_id)
        .join(Track, Track.id == Initiative.track_id)
        .where(Entry.cycle_id == cycle_id, Entry.withdrawn_at.is_(None))
        .order_by(Track.position, Initiative.position, Entry.id)
    )
    result: dict[int, list[int]] = {}
    for entry_id, owner_id, delegate_id in rows:
        for person_id in dict.fromkeys((owner_id, delegate_id)):
            if person_id is not None:
                result.setdefault(person_id, []).append(entry_id)
    return result
