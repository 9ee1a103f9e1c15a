"""Compile a draft of the consolidated report for the coordinators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InvalidState
from bot.review.common import Gettext, load_cycle, require_coordinator, texts
from bot.review.documents import DRAFT_FORMATS, store
from bot.review.states import state_label
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import current_locale
from reports.build import build_document
from reports.model import DeletedText, ReportDocument, deleted_texts
from storage.models import (
    Cycle,
    CycleState,
    Document,
    DocumentKind,
    Entry,
    Initiative,
    Person,
    ReviewRequest,
    Revision,
)

COMPILABLE = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)


@dataclass
class Tally:
    name: str
    total: int = 0
    answered: int = 0  # written (or edited) in this cycle
    carried_forward: int = 0  # the owner said "no change"
    missing: int = 0  # no answer: last report's text repeated
    # differs from the previous report: new initiatives, added and deleted text
    changed: int = 0

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.answered += other.answered
        self.carried_forward += other.carried_forward
        self.missing += other.missing
        self.changed += other.changed


@dataclass(frozen=True)
class MissingItem:
    entry_id: int
    title: str
    track: str
    owner_ids: tuple[int, ...]
    owners: tuple[str, ...]


@dataclass
class Summary:
    tracks: list[Tally]
    total: Tally
    missing: list[MissingItem]
    deleted: list[DeletedText]
    open_requests: int = 0
    # Initiatives retired or moved away while the round ran (not in the document).
    withdrawn: list[str] = field(default_factory=list)


@dataclass
class CompileResult:
    cycle: Cycle
    draft_number: int
    preview: bool  # compiled while answers are still being collected
    label: str
    summary: Summary
    documents: list[Document] = field(default_factory=list)


def summarise(session: Session, document: ReportDocument) -> Summary:
    """Per-track counts from the report model (so they match the red marks)."""
    tallies: list[Tally] = []
    missing_rows: list[tuple[str, int, str, int]] = []
    for track in document.tracks:
        tally = Tally(track.name)
        for row in track.rows:
            tally.total += 1
            if row.flags.no_answer:
                tally.missing += 1
                missing_rows.append((track.name, row.entry_id, row.title, row.initiative_id))
            elif row.flags.carried_forward:
                tally.carried_forward += 1
            else:
                tally.answered += 1
            if row.flags.changed or row.flags.new or row.deleted:
                tally.changed += 1
        tallies.append(tally)
    total = Tally("")
    for tally in tallies:
        total.add(tally)
    return Summary(
        tracks=tallies,
        total=total,
        missing=_missing_items(session, missing_rows),
        deleted=deleted_texts(document),
        withdrawn=list(
            session.scalars(
                select(Initiative.title)
                .join(Entry, Entry.initiative_id == Initiative.id)
                .where(Entry.cycle_id == document.cycle_id, Entry.withdrawn_at.is_not(None))
                .order_by(Initiative.title)
            )
        ),
    )


def _missing_items(session: Session, rows: list[tuple[str, int, str, int]]) -> list[MissingItem]:
    if not rows:
        return []
    initiatives = {
        i.id: i
        for i in session.scalars(select(Initiative).where(Initiative.id.in_([r[3] for r in rows])))
    }
    person_ids = {
        pid for i in initiatives.values() for pid in (i.owner_id, i.delegate_id) if pid is not None
    }
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    items = []
    for track, entry_id, title, initiative_id in rows:
        initiative = initiatives[initiative_id]
        ids = tuple(
            dict.fromkeys(
                pid for pid in (initiative.owner_id, initiative.delegate_id) if pid is not None
            )
        )
        items.append(
            MissingItem(entry_id, title, track, ids, tuple(people[pid].label for pid in ids))
        )
    return items


def draft_label(cycle: Cycle, summary: Summary, preview: bool, _: Gettext) -> str:
    answered = summary.total.total - summary.total.missing
    if preview:
        return _("DRAFT {n} — {answered} of {total} answered").format(
            n=cycle.draft_number, answered=answered, total=summary.total.total
        )
    return _("DRAFT {n}").format(n=cycle.draft_number)


def resolve_answered_requests(session: Session, cycle_id: int, now: datetime) -> int:
    """Mark send-backs resolved once their entry got a newer revision; returns the open rest."""
    requests = list(
        session.scalars(
            select(ReviewRequest).where(
                ReviewRequest.cycle_id == cycle_id, ReviewRequest.resolved_at.is_(None)
            )
        )
    )
    if not requests:
        return 0
    latest = {
        entry_id: changed_at
        for entry_id, changed_at in session.execute(
            select(Revision.entry_id, func.max(Revision.created_at))
            .where(Revision.entry_id.in_({r.entry_id for r in requests}))
            .group_by(Revision.entry_id)
        )
    }
    still_open = 0
    for request in requests:
        changed_at = latest.get(request.entry_id)
        if changed_at is not None and changed_at > request.created_at:
            request.resolved_at = changed_at
        else:
            still_open += 1
    return still_open


def compile_draft(
    session: Session,
    *,
    cycle_id: int,
    actor: Actor,
    now: datetime,
    formats: tuple[str, ...] = DRAFT_FORMATS,
    locale: str | None = None,
    report_locale: str | None = None,
) -> CompileResult:
    """Render a new numbered draft, store it, and summarise it per track.

    ``locale`` is the coordinator's language (label, messages);
    ``report_locale`` the document's (default: the bot's language).
    """
    _ = texts(actor, locale)
    cycle = load_cycle(session, cycle_id)
    require_coordinator(session, actor, cycle.area, _)
    if cycle.state not in COMPILABLE:
        raise InvalidState(
            _("The report is already {state}; its approved document is final.").format(
                state=state_label(cycle.state, _)
            )
        )
    preview = cycle.state == CycleState.COLLECTING and now < cycle.deadline
    open_requests = resolve_answered_requests(session, cycle.id, now)
    # The draft shows deleted text struck through; the approved document never does.
    document = build_document(
        session, cycle.id, locale=report_locale or current_locale(), now=now, with_deletions=True
    )
    summary = summarise(session, document)
    summary.open_requests = open_requests

    cycle.draft_number += 1
    cycle.draft_stale = False
    doc_ = texts(actor, report_locale or current_locale())
    label = draft_label(cycle, summary, preview, doc_)
    labelled = document.model_copy(update={"title": f"{label}: {document.title}"})
    documents = store(
        session,
        cycle,
        labelled,
        kind=DocumentKind.DRAFT,
        formats=formats,
        suffix=f"draft-{cycle.draft_number}",
        created_by_id=actor.person_id,
        now=now,
    )
    audit.record(
        session,
        actor,
        "review.compile",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        draft_number=cycle.draft_number,
        preview=preview,
        formats=list(formats),
        answered=summary.total.answered,
        carried_forward=summary.total.carried_forward,
        missing=summary.total.missing,
        changed=summary.total.changed,
    )
    session.flush()
    return CompileResult(
        cycle=cycle,
        draft_number=cycle.draft_number,
        preview=preview,
        label=draft_label(cycle, summary, preview, _),
        summary=summary,
        documents=documents,
    )


def is_draft_stale(session: Session, cycle: Cycle) -> bool:
    """The latest draft no longer shows the answers: sent back, or changed since."""
    if cycle.draft_number == 0:
        return False
    if cycle.draft_stale:
        return True
    compiled_at = session.scalar(
        select(func.max(Document.created_at)).where(
            Document.cycle_id == cycle.id,
            Document.kind == DocumentKind.DRAFT,
            Document.draft_number == cycle.draft_number,
        )
    )
    if compiled_at is None:
        return True
    changed_at = session.scalar(
        select(func.max(Revision.created_at))
        .join(Entry, Revision.entry_id == Entry.id)
        .where(Entry.cycle_id == cycle.id)
    )
    return changed_at is not None and changed_at > compiled_at
