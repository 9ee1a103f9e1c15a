"""Publish an approved report: post it to the area's channel and thank the managers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidState
from bot.review.common import load_cycle, require_coordinator, texts
from bot.review.documents import approved_documents
from bot.review.states import state_label
from bot.workflow import audit
from bot.workflow.actor import Actor
from storage.models import (
    Cycle,
    CycleState,
    Document,
    Entry,
    EntrySource,
    Job,
    JobState,
    Person,
    Revision,
    RevisionReason,
)
from storage.outbox import enqueue

PUBLISH_JOB = "publish"
POSTED_FORMATS = ("docx", "pdf")


@dataclass
class Publication:
    """What to post: the approved files, where, the counts, and whom to thank."""

    cycle: Cycle
    channel: str | None
    documents: list[Document]
    answered: int
    total: int
    contributors: list[Person] = field(default_factory=list)


@dataclass
class PublishResult:
    publication: Publication
    changed: bool  # False: it was already published (a repeated click)


def publication(session: Session, cycle: Cycle) -> Publication:
    documents = [d for d in approved_documents(session, cycle.id) if d.format in POSTED_FORMATS]
    sources = list(
        session.scalars(
            select(Entry.source).where(Entry.cycle_id == cycle.id, Entry.withdrawn_at.is_(None))
        )
    )
    contributor_ids = select(Revision.author_id).join(Entry, Revision.entry_id == Entry.id)
    contributor_ids = contributor_ids.where(
        Entry.cycle_id == cycle.id,
        Revision.reason.in_([RevisionReason.ANSWER, RevisionReason.CARRY_FORWARD]),
        Revision.author_id.is_not(None),
    )
    contributors = list(
        session.scalars(select(Person).where(Person.id.in_(contributor_ids)).order_by(Person.id))
    )
    return Publication(
        cycle=cycle,
        channel=cycle.area.report_channel,
        documents=documents,
        answered=sum(1 for s in sources if s != EntrySource.PENDING),
        total=len(sources),
        contributors=contributors,
    )


def publish(
    session: Session,
    *,
    cycle_id: int,
    actor: Actor,
    now: datetime,
    locale: str | None = None,
) -> PublishResult:
    """Mark the approved cycle published and queue the ``publish`` job that posts it.

    The job (delivered by the Slack scheduler) uploads the approved files to the
    area's channel and thanks the contributors; a second call changes nothing.
    """
    _ = texts(actor, locale)
    cycle = load_cycle(session, cycle_id)
    require_coordinator(session, actor, cycle.area, _)
    if cycle.state == CycleState.PUBLISHED:
        return PublishResult(publication(session, cycle), changed=False)
    if cycle.state != CycleState.APPROVED:
        raise InvalidState(
            _("Only an approved report can be published; this one is {state}.").format(
                state=state_label(cycle.state, _)
            )
        )
    if not cycle.area.report_channel:
        raise InvalidState(
            _("{area} has no report channel. Set one in the area settings first.").format(
                area=cycle.area.name
            )
        )
    cycle.state = CycleState.PUBLISHED
    cycle.published_at = now
    enqueue(
        session,
        PUBLISH_JOB,
        {"cycle_id": cycle.id, "by": actor.person_id},
        due_at=now,
        dedupe_key=f"publish:{cycle.id}:{cycle.reopen_count}",
        cycle_id=cycle.id,
        team_id=cycle.area.team_id,
    )
    result = publication(session, cycle)
    audit.record(
        session,
        actor,
        "review.publish",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        channel=result.channel,
        documents={d.format: d.sha256 for d in result.documents},
        contributors=[p.label for p in result.contributors],
    )
    session.flush()
    return PublishResult(result, changed=True)


def unposted(session: Session, cycle_ids: list[int]) -> dict[int, str]:
    """Published cycles whose post Slack has not accepted yet: cycle id →
    ``"queued"`` (waiting for a running bot) or ``"failed"`` (the bot gave up).
    Posted cycles are left out."""
    if not cycle_ids:
        return {}
    jobs = session.scalars(
        select(Job)
        .where(Job.kind == PUBLISH_JOB, Job.cycle_id.in_(cycle_ids))
        .order_by(Job.cycle_id, Job.id)
    )
    latest = {job.cycle_id: job for job in jobs}  # a reopened cycle's newest publication
    result: dict[int, str] = {}
    for cycle_id, job in latest.items():
        if cycle_id is None or "files" in (job.result or {}):
            continue  # the files are in the channel
        if job.state == JobState.FAILED:
            result[cycle_id] = "failed"
        elif job.state != JobState.DONE:
            result[cycle_id] = "queued"
    return result
