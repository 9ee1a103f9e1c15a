"""Approve a cycle: one or two coordinators, then the report is frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from bot.errors import InvalidState
from bot.review.common import check_draft, load_cycle, require_coordinator, texts
from bot.review.documents import approved_documents, approved_formats, store
from bot.review.errors import MissingAnswers, StaleDraft
from bot.review.states import state_label
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import current_locale
from reports.build import build_document
from storage.models import (
    Approval,
    Cycle,
    CycleState,
    Document,
    DocumentKind,
    Entry,
    EntrySource,
    Initiative,
    Person,
    ReviewRequest,
    Role,
    RoleGrant,
)

APPROVABLE = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)
FINAL = (CycleState.APPROVED, CycleState.PUBLISHED)


@dataclass
class ApproveResult:
    cycle: Cycle
    approved: bool  # the cycle is approved now (by this call or earlier)
    changed: bool  # this call changed something (False: a repeated click)
    approvers: list[str]  # who approved in this round
    needed: int
    with_missing: bool = False
    missing: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def waiting_for(self) -> int:
        return 0 if self.approved else max(0, self.needed - len(self.approvers))


def approvals_needed(session: Session, cycle: Cycle) -> int:
    """The area's setting, capped by how many people can approve at all."""
    wanted = max(1, min(2, cycle.area.approvals_required or 1))
    possible = session.scalar(
        select(func.count(func.distinct(RoleGrant.person_id))).where(
            or_(
                RoleGrant.role == Role.ADMIN,
                (RoleGrant.role == Role.COORDINATOR) & (RoleGrant.area_id == cycle.area_id),
            )
        )
    )
    return max(1, min(wanted, int(possible or 0)))


def round_approvers(session: Session, cycle: Cycle) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Approval, Approval.person_id == Person.id)
            .where(
                Approval.cycle_id == cycle.id,
                Approval.round == cycle.reopen_count,
                Approval.draft_number == cycle.draft_number,
            )
            .order_by(Approval.id)
        )
    )


def missing_titles(session: Session, cycle_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Initiative.title)
            .join(Entry, Entry.initiative_id == Initiative.id)
            .where(
                Entry.cycle_id == cycle_id,
                Entry.source == EntrySource.PENDING,
                Entry.withdrawn_at.is_(None),
            )
            .order_by(Initiative.track_id, Initiative.position, Initiative.id)
        )
    )


def is_closed(cycle: Cycle, now: datetime) -> bool:
    """Closed for answers: closed explicitly, or its deadline passed."""
    return cycle.closed_at is not None or cycle.state == CycleState.CLOSED or now >= cycle.deadline


def approve(
    session: Session,
    *,
    cycle_id: int,
    actor: Actor,
    now: datetime,
    with_missing: bool = False,
    draft_number: int | None = None,
    locale: str | None = None,
    report_locale: str | None = None,
    always_confirm_missing: bool = False,
) -> ApproveResult:
    """Record the actor's approval; the last one needed freezes the cycle.

    Calling again (a double click) changes nothing and says so. Missing
    answers need ``with_missing`` while the cycle collects, and with
    ``always_confirm_missing`` (the command line) after it closed too.
    """
    _ = texts(actor, locale)
    cycle = load_cycle(session, cycle_id, lock=True)
    require_coordinator(session, actor, cycle.area, _)
    needed = approvals_needed(session, cycle)
    if cycle.state in FINAL:
        approvers = [p.label for p in round_approvers(session, cycle)]
        return ApproveResult(
            cycle, True, False, approvers, needed, documents=approved_documents(session, cycle.id)
        )
    if cycle.state not in APPROVABLE:
        raise InvalidState(
            _("A report that is {state} cannot be approved.").format(
                state=state_label(cycle.state, _)
            )
        )
    check_draft(cycle, draft_number, _)
    if draft_number is not None and cycle.draft_stale:
        raise StaleDraft(
            _(
                "Answers were sent back or changed after draft {n}. "
                "Compile a new draft and approve that one."
            ).format(n=draft_number),
            cycle_id=cycle.id,
            current_draft=cycle.draft_number,
        )
    if cycle.draft_stale and not actor.is_operator and _open_send_backs(session, cycle):
        # No draft named (the approve button of /status approve): a send-back
        # since the latest draft still means the report changed under the
        # approver. The command line's operator approves what is stored now.
        raise StaleDraft(
            _(
                "Answers were sent back after the latest draft. "
                "Compile a new draft and approve that one."
            ),
            cycle_id=cycle.id,
            current_draft=cycle.draft_number,
        )

    if actor.person is not None and _has_approved(session, cycle, actor.person):
        approvers = [p.label for p in round_approvers(session, cycle)]
        return ApproveResult(cycle, False, False, approvers, needed)

    missing = missing_titles(session, cycle.id)
    must_confirm = always_confirm_missing or not is_closed(cycle, now)
    if missing and must_confirm and not with_missing:
        raise MissingAnswers(
            _("{n} initiatives have no answer yet. Approve anyway with missing answers?").format(
                n=len(missing)
            ),
            cycle_id=cycle.id,
            missing=missing,
        )
    if actor.person is not None and not _insert_approval(session, cycle, actor, now, with_missing):
        approvers = [p.label for p in round_approvers(session, cycle)]
        return ApproveResult(cycle, False, False, approvers, needed, missing=missing)

    approvers = [p.label for p in round_approvers(session, cycle)]
    # The CLI operator's approval is final on its own.
    final = actor.is_operator or len(approvers) >= needed
    # Touch the cycle so two coordinators approving at once conflict on its version
    # instead of both seeing one approval and neither freezing the report.
    flag_modified(cycle, "state")
    documents: list[Document] = []
    if final:
        cycle.state = CycleState.APPROVED
        cycle.approved_at = now
        if cycle.closed_at is None:
            cycle.closed_at = now
        document = build_document(
            session, cycle.id, locale=report_locale or current_locale(), now=now
        )
        documents = store(
            session,
            cycle,
            document,
            kind=DocumentKind.APPROVED,
            formats=approved_formats(),
            suffix=f"approved-{cycle.reopen_count + 1}" if cycle.reopen_count else "approved",
            created_by_id=actor.person_id,
            now=now,
        )
    audit.record(
        session,
        actor,
        "review.approve",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        round=cycle.reopen_count,
        final=final,
        approvals=len(approvers),
        needed=needed,
        with_missing=bool(missing) and with_missing,
        missing=missing,
        draft_number=cycle.draft_number,
        documents={d.format: d.sha256 for d in documents},
    )
    session.flush()
    return ApproveResult(
        cycle,
        final,
        True,
        approvers,
        needed,
        with_missing=bool(missing) and with_missing,
        missing=missing,
        documents=documents,
    )


def _open_send_backs(session: Session, cycle: Cycle) -> bool:
    found = session.scalar(
        select(ReviewRequest.id)
        .where(ReviewRequest.cycle_id == cycle.id, ReviewRequest.resolved_at.is_(None))
        .limit(1)
    )
    return found is not None


def _has_approved(session: Session, cycle: Cycle, person: Person) -> bool:
    found = session.scalar(
        select(Approval.id).where(
            Approval.cycle_id == cycle.id,
            Approval.person_id == person.id,
            Approval.round == cycle.reopen_count,
            Approval.draft_number == cycle.draft_number,
        )
    )
    return found is not None


def _insert_approval(
    session: Session, cycle: Cycle, actor: Actor, now: datetime, with_missing: bool
) -> bool:
    """Insert the approval row; False when a concurrent click got there first."""
    assert actor.person is not None
    try:
        with session.begin_nested():
            session.add(
                Approval(
                    cycle_id=cycle.id,
                    person_id=actor.person.id,
                    round=cycle.reopen_count,
                    draft_number=cycle.draft_number,
                    with_missing=with_missing,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
