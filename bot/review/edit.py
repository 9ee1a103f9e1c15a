"""A coordinator corrects an initiative's text directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import Conflict, InvalidInput, InvalidState
from bot.review.changes import Change, describe_changes
from bot.review.common import check_draft, load_cycle, load_entry, require_coordinator, texts
from bot.review.states import state_label
from bot.workflow import audit
from bot.workflow.actor import Actor
from storage.models import (
    CycleState,
    Entry,
    EntrySource,
    Person,
    Phase,
    Revision,
    RevisionReason,
)
from storage.richtext import StatusText

EDITABLE = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)


@dataclass(frozen=True)
class EditResult:
    entry: Entry
    changed: bool
    changes: tuple[Change, ...]  # word-level, for telling the owner
    phase_before: str | None
    phase_after: str | None
    recipients: tuple[Person, ...]  # owner and delegate to notify (not the editor)


def coordinator_edit(
    session: Session,
    *,
    entry_id: int,
    status: StatusText,
    phase: str | None,
    actor: Actor,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
    draft_number: int | None = None,
    locale: str | None = None,
    audit_action: str = "review.edit",
    how: dict[str, Any] | None = None,
) -> EditResult:
    """Store a coordinator revision; an edit that changes nothing stores nothing.

    ``audit_action`` and ``how`` (more audit detail, e.g. ``{"via": "cli"}``)
    let an answer received outside Slack be told apart from a correction."""
    _ = texts(actor, locale)
    entry = load_entry(session, entry_id, _)
    # Locked like approve and send back: an edit and an approval take turns.
    cycle = load_cycle(session, entry.cycle_id, lock=True)
    require_coordinator(session, actor, cycle.area, _)
    if cycle.state not in EDITABLE:
        raise InvalidState(
            _("The report is {state}; reopen it before changing any text.").format(
                state=state_label(cycle.state, _)
            )
        )
    check_draft(cycle, draft_number, _)
    if expected_version is not None and entry.version != expected_version:
        raise Conflict(
            _("Someone else changed “{title}” meanwhile. Open it again to see their text.").format(
                title=entry.initiative.title
            )
        )
    if not status:
        raise InvalidInput(_("The status text cannot be empty."), field="status")
    if phase is not None and phase not in {p.value for p in Phase}:
        raise InvalidInput(_("Unknown phase {phase}.").format(phase=phase), field="phase")

    initiative = entry.initiative
    people = [p for p in (initiative.owner, initiative.delegate) if p is not None]
    editor_id = actor.person.id if actor.person is not None else None
    recipients = tuple({p.id: p for p in people if p.id != editor_id}.values())
    before, phase_before = entry.status, entry.phase
    new_phase = phase if phase is not None else phase_before
    if before == status and new_phase == phase_before:
        return EditResult(entry, False, (), phase_before, phase_before, recipients)

    number = session.scalar(
        select(func.coalesce(func.max(Revision.number), 0)).where(Revision.entry_id == entry.id)
    )
    session.add(
        Revision(
            entry_id=entry.id,
            number=int(number or 0) + 1,
            status=status,
            phase=new_phase,
            reason=RevisionReason.COORDINATOR_EDIT,
            author_id=editor_id,
            author_label=actor.label,
            note=note,
            created_at=now,
        )
    )
    entry.status = status
    entry.phase = new_phase
    entry.source = EntrySource.COORDINATOR
    entry.carried_forward = False
    if entry.answered_by_id is None:
        entry.answered_by_id = editor_id
    if entry.answered_at is None:
        entry.answered_at = now
    cycle.draft_stale = True
    changes = tuple(describe_changes(before, status))
    audit.record(
        session,
        actor,
        audit_action,
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        entry_id=entry.id,
        initiative=initiative.title,
        phase_before=phase_before,
        phase_after=new_phase,
        added=[c.text for c in changes if c.kind == "added"],
        removed=[c.text for c in changes if c.kind == "removed"],
        note=note,
        **(how or {}),
    )
    session.flush()
    return EditResult(entry, True, changes, phase_before, new_phase, recipients)
