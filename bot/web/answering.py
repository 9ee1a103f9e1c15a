"""Storing the form's answers: the workflow's functions, as the Slack modal
calls them (:mod:`handlers.views.update`, :mod:`bot.delivery.answers`).

Every answer of one submission is stored in one transaction, or none is. An
answer goes through :func:`~bot.delivery.callers.entry_from_value` (the
person's right to answer, the entry still in its round, the cycle still
collecting), :func:`~bot.delivery.callers.check_revision_allowed` (the
deadline), then :func:`~bot.workflow.entries.plan_update` or
:func:`~bot.workflow.entries.plan_carry_forward` (validation, the revision)
for every answer before :func:`~bot.workflow.entries.write_answers` writes
them all, and :func:`~bot.delivery.refresh.queue_followups` (notices, draft
refresh); the audit log has one event per submission naming the channel,
``email``.

Two windows answering the same initiative both store their revision, in the
order they arrive: the form does not hold the version it was rendered with
against the entry (a lost race is retried on the fresh entry), so no words
are lost; the receipt says when an answer replaced one saved in the meantime.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.blocks import ids
from bot.delivery.callers import Caller, Refusal, check_revision_allowed, entry_from_value
from bot.delivery.refresh import queue_followups
from bot.delivery.surfaces import viewer_for
from bot.errors import Conflict, WorkflowError
from bot.settings import Settings
from bot.web.form import LATER, SAME, ItemInput
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.entries import Answer, plan_carry_forward, plan_update, write_answers
from storage.models import Cycle, Entry, EntrySource, Person

CHANNEL = "email"
AUDIT_ACTION = "entry.answer"
# A lost race with another answer to the same entry is retried (after a short,
# random pause, so that windows racing each other fall apart).
ATTEMPTS = 8


class Refused(Exception):
    """Nothing was stored; ``message`` (translated) says why, ``entry_id`` names
    the initiative it is about (None: the whole form)."""

    def __init__(self, message: str, entry_id: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.entry_id = entry_id
        self.field = field


@dataclass
class Stored:
    entry_id: int
    title: str
    replaced_newer: bool  # someone saved this entry after the page was opened


def _unchanged(entry: Entry, item: ItemInput) -> bool:
    """A revision would repeat what is stored (a second submit of the same page)."""
    if item.choice == SAME:
        return entry.source == EntrySource.CARRY_FORWARD
    return (
        entry.source != EntrySource.PENDING
        and entry.status == item.status
        and (entry.phase or None) == (item.phase or None)
        and (entry.note or "") == item.note.strip()
    )


def store_answers(
    session: Session,
    settings: Settings,
    *,
    person: Person,
    cycle: Cycle,
    items: list[ItemInput],
    now: datetime,
) -> list[Stored]:
    """Store the checked ``items`` (see :func:`bot.web.form.check`) and commit;
    :class:`Refused` (rolled back, nothing stored) when a rule says no;
    :class:`~bot.errors.Conflict` when every attempt lost a race."""
    for attempt in range(ATTEMPTS):
        try:
            stored = _store(session, settings, person, cycle, items, now)
            session.commit()
            return stored
        except Conflict:
            session.rollback()  # another answer won the race: again, on the fresh entry
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        except BaseException:  # Refused among them: nothing stays
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _load_entries(session: Session, entry_ids: list[int]) -> list[Entry]:
    if not entry_ids:
        return []
    query = select(Entry).where(Entry.id.in_(entry_ids)).options(joinedload(Entry.initiative))
    return list(session.scalars(query))


def _answerable(
    session: Session, who: Caller, cycle: Cycle, items: list[ItemInput], now: datetime
) -> list[tuple[ItemInput, Entry, bool]]:
    """The items to store, with their entries and whether someone saved the
    entry after the page was opened; :class:`Refused` when one may not be."""
    # The items' entries with their initiatives in one query; held here, as the
    # session keeps loaded objects only while something refers to them.
    _held = _load_entries(session, [i.entry_id for i in items if i.choice != LATER])
    todo: list[tuple[ItemInput, Entry, bool]] = []
    for item in items:
        if item.choice == LATER:
            continue
        ref = ids.EntryRef(cycle.id, item.entry_id).encode()
        try:
            entry = entry_from_value(session, who, ref)
            if _unchanged(entry, item):
                continue
            check_revision_allowed(session, who, entry, now)
        except Refusal as refusal:
            raise Refused(refusal.message, item.entry_id) from None
        todo.append((item, entry, item.version is not None and entry.version != item.version))
    return todo


def _plan(session: Session, who: Caller, actor: Actor, item: ItemInput, entry: Entry) -> Answer:
    """The item's answer checked by the workflow's rules (nothing written)."""
    try:
        if item.choice == SAME:
            return plan_carry_forward(session, entry_id=entry.id, actor=actor)
        assert item.status is not None  # checked before
        return plan_update(
            session,
            entry_id=entry.id,
            actor=actor,
            status=item.status,
            phase=item.phase,
            note=item.note,
        )
    except Conflict:
        raise
    except WorkflowError as exc:
        raise Refused(who.error_text(exc), item.entry_id, exc.field) from None


def _store(
    session: Session,
    settings: Settings,
    person: Person,
    cycle: Cycle,
    items: list[ItemInput],
    now: datetime,
) -> list[Stored]:
    viewer, gettext = viewer_for(person, settings)
    who = Caller(user_id=person.slack_user_id or "", person=person, viewer=viewer, _=gettext)
    actor = Actor.of(person)
    team_id = cycle.area.team_id
    # Every check that only reads comes first, for all the items: on SQLite the
    # first write takes the database's one writer lock, held until the commit.
    todo = _answerable(session, who, cycle, items, now)
    answers = [_plan(session, who, actor, item, entry) for item, entry, _newer in todo]
    if not answers:
        return []
    write_answers(session, answers, actor=actor, now=now)
    stored: list[Stored] = []
    asked: set[tuple[int | None, int | None]] = set()
    for _item, entry, newer in todo:
        initiative = entry.initiative
        people = (initiative.owner_id, initiative.delegate_id)
        if people not in asked:  # the same people's prompts are refreshed once
            asked.add(people)
            queue_followups(session, entry, now, team_id=team_id)
        stored.append(Stored(entry.id, initiative.title, newer))
    audit.record(
        session,
        actor,
        AUDIT_ACTION,
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        channel=CHANNEL,
        entry_ids=[s.entry_id for s in stored],
        carried_forward=[i.entry_id for i, _e, _n in todo if i.choice == SAME],
    )
    return stored
