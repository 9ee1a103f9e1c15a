"""Send entries back to their owners with a coordinator's comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from bot.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from bot.review.common import Gettext, check_draft, load_cycle, require_coordinator, texts
from bot.review.states import state_label
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.entries import submit_update
from bot.workflow.permissions import can_answer
from storage.models import Cycle, CycleState, Entry, Initiative, Person, ReviewRequest
from storage.richtext import StatusText, clean_text

MAX_COMMENT = 3000
REVIEWABLE = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)


@dataclass(frozen=True)
class SentBack:
    request_id: int
    entry_id: int
    initiative_title: str
    recipients: tuple[Person, ...]  # owner and delegate, whoever exists


@dataclass(frozen=True)
class SendBackResult:
    cycle: Cycle
    comment: str
    items: tuple[SentBack, ...]


def send_back(
    session: Session,
    *,
    cycle_id: int,
    entry_ids: list[int],
    comment: str,
    actor: Actor,
    now: datetime,
    draft_number: int | None = None,
    locale: str | None = None,
) -> SendBackResult:
    _ = texts(actor, locale)
    cycle = load_cycle(session, cycle_id, lock=True)
    require_coordinator(session, actor, cycle.area, _)
    if cycle.state not in REVIEWABLE:
        raise InvalidState(
            _("The report is {state}; reopen it before sending anything back.").format(
                state=state_label(cycle.state, _)
            )
        )
    check_draft(cycle, draft_number, _)
    text = clean_text(comment or "")
    if not text:
        raise InvalidInput(_("Write a comment for the owner."), field="comment")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            _("The comment is too long (at most {n} characters).").format(n=MAX_COMMENT),
            field="comment",
        )
    wanted = list(dict.fromkeys(entry_ids))
    if not wanted:
        raise InvalidInput(_("Pick at least one initiative."), field="entries")
    entries = list(
        session.scalars(
            select(Entry)
            .where(Entry.id.in_(wanted), Entry.cycle_id == cycle.id, Entry.withdrawn_at.is_(None))
            .options(selectinload(Entry.initiative).selectinload(Initiative.owner))
            .options(selectinload(Entry.initiative).selectinload(Initiative.delegate))
        )
    )
    if len(entries) != len(wanted):
        raise InvalidInput(
            _("Some of the chosen initiatives are not part of this report."), field="entries"
        )
    entries.sort(key=lambda e: wanted.index(e.id))

    items: list[SentBack] = []
    requester_id = actor.person.id if actor.person is not None else None
    for entry in entries:
        request = ReviewRequest(
            cycle_id=cycle.id,
            entry_id=entry.id,
            requested_by_id=requester_id,
            comment=text,
            created_at=now,
        )
        session.add(request)
        session.flush()
        initiative = entry.initiative
        people = [p for p in (initiative.owner, initiative.delegate) if p is not None]
        recipients = tuple({p.id: p for p in people}.values())
        items.append(SentBack(request.id, entry.id, initiative.title, recipients))

    cycle.state = CycleState.IN_REVIEW
    cycle.draft_stale = True
    flag_modified(cycle, "state")  # a new version even when both were set already
    audit.record(
        session,
        actor,
        "review.send_back",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        entry_ids=[e.id for e in entries],
        initiatives=[i.initiative_title for i in items],
        comment=text,
    )
    session.flush()
    return SendBackResult(cycle=cycle, comment=text, items=tuple(items))


def open_requests(session: Session, entry_id: int) -> list[ReviewRequest]:
    """Unresolved send-backs of an entry, oldest first."""
    return list(
        session.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.entry_id == entry_id, ReviewRequest.resolved_at.is_(None))
            .order_by(ReviewRequest.id)
        )
    )


def check_sent_back(session: Session, entry: Entry, actor: Actor, _: Gettext) -> None:
    """The rules of the Update button a send-back message carries (opening the
    form and saving it): the actor may answer for the entry, the report still
    takes changes, and *this* entry has an open send-back request — the form's
    ids are the client's claim, so a rewritten ``private_metadata`` naming
    another entry (after the deadline) is refused here."""
    if actor.person is None or not can_answer(session, actor.person, entry):
        raise PermissionDenied(
            _("You are not responsible for “{title}”.").format(title=entry.initiative.title)
        )
    state = session.scalar(select(Cycle.state).where(Cycle.id == entry.cycle_id))
    if state not in (CycleState.COLLECTING, CycleState.IN_REVIEW):
        raise InvalidState(
            _("The report is {state}; it can no longer be changed.").format(
                state=state_label(str(state), _)
            )
        )
    if not open_requests(session, entry.id):
        raise InvalidState(
            _(
                "“{title}” was not sent back for a revision, so it cannot be changed here."
                " Ask a coordinator if it must be."
            ).format(title=entry.initiative.title)
        )


def revise_sent_back(
    session: Session,
    *,
    entry_id: int,
    cycle_id: int,
    actor: Actor,
    status: StatusText,
    phase: str | None,
    note: str | None,
    now: datetime,
    locale: str | None = None,
) -> Entry:
    """Store the owner's revision of a sent-back entry (see :func:`check_sent_back`);
    then the ordinary rules of :func:`bot.workflow.entries.submit_update`."""
    _ = texts(actor, locale)
    entry = session.get(Entry, entry_id)
    if entry is None or entry.cycle_id != cycle_id:
        raise NotFound(_("This form does not belong to any initiative I know."))
    check_sent_back(session, entry, actor, _)
    return submit_update(
        session, entry_id=entry.id, actor=actor, status=status, phase=phase, note=note, now=now
    )
