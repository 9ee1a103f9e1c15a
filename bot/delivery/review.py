"""Review deliveries: compiled drafts to a coordinator's DM, approved files,
send-back and edit notices, and the ``publish`` job that posts the approved
report to the area's channel and thanks the managers.

Jobs: ``review.compile`` ``{cycle_id, person_id}`` (dedupe per person and
minute) and ``publish`` ``{cycle_id}`` (queued by :func:`bot.review.publish`).
Both record each visible step in ``job.result`` before the next, so a re-run
after a crash repeats nothing that Slack already accepted; the step in flight
when a process died is recognised by its message metadata
(:mod:`bot.delivery.recovery`) or, for files, by where Slack shows them shared
(:mod:`bot.delivery.uploads`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import review as rb
from bot.blocks.text import slack_text
from bot.committee.flowback import asked_answers
from bot.delivery import recovery
from bot.delivery.registry import JobContext, job_handler
from bot.delivery.surfaces import viewer_for
from bot.delivery.uploads import share_once
from bot.errors import WorkflowError
from bot.i18n import normalise_locale
from bot.review import PUBLISH_JOB, compile_draft, publication
from bot.review.compile import CompileResult
from bot.review.documents import draft_documents
from bot.review.i18n import gettext_for
from bot.settings import Settings
from bot.workflow.actor import Actor
from storage import outbox
from storage.models import Cycle, CycleState, Document, Person

log = logging.getLogger(__name__)

COMPILE_JOB = "review.compile"
Progress = dict[str, Any]
Save = Callable[[Progress], None]


def review_texts(person: Person | None, settings: Settings) -> rb.Gettext:
    locale = person.locale if person is not None and person.locale else settings.locale
    return gettext_for(normalise_locale(locale))


def enqueue_compile(session: Session, cycle: Cycle, person: Person, now: datetime) -> None:
    minute = int(now.timestamp() // 60)
    outbox.enqueue(
        session,
        COMPILE_JOB,
        {"cycle_id": cycle.id, "person_id": person.id},
        due_at=now,
        # A double click (or a command typed twice) within a minute compiles once.
        dedupe_key=f"compile:{cycle.id}:{person.id}:{minute}",
        cycle_id=cycle.id,
        team_id=cycle.area.team_id,
    )


def dm_channel(client: WebClient, user_id: str) -> str:
    response = client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


def upload(
    client: WebClient, channel: str, documents: list[Document], comment: str | None = None
) -> list[str]:
    """One message with the files (Slack's three-step upload); returns file ids."""
    if not documents:
        return []
    response = client.files_upload_v2(
        channel=channel,
        initial_comment=slack_text(comment) if comment else None,
        file_uploads=[
            {"file": d.content, "filename": d.filename, "title": d.filename} for d in documents
        ],
    )
    files = response.get("files") or []
    return [str(f.get("id")) for f in files if isinstance(f, dict)]


def draft_summary(session: Session, result: CompileResult) -> rb.DraftSummary:
    summary = result.summary
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(
                Person.id.in_({pid for m in summary.missing for pid in m.owner_ids})
            )
        )
    }

    def counts(t: Any) -> rb.TrackCounts:
        return rb.TrackCounts(t.name, t.total, t.answered, t.carried_forward, t.missing, t.changed)

    missing = []
    for m in summary.missing:
        owners = [people[pid] for pid in m.owner_ids if pid in people]
        missing.append(
            rb.MissingLine(
                title=m.title,
                owners=tuple(p.slack_user_id or p.label for p in owners),
                owner_is_user=tuple(bool(p.slack_user_id) for p in owners),
            )
        )
    return rb.DraftSummary(
        area=result.cycle.area.name,
        cycle_id=result.cycle.id,
        draft_number=result.draft_number,
        label=result.label,
        preview=result.preview,
        collecting=result.cycle.state == CycleState.COLLECTING,
        tracks=tuple(counts(t) for t in summary.tracks),
        total=counts(summary.total),
        missing=tuple(missing),
        deleted=tuple(
            rb.DeletedLine(
                d.title, tuple(tuple((s.text, s.deleted) for s in b.segments) for b in d.texts)
            )
            for d in summary.deleted
        ),
        open_requests=summary.open_requests,
        withdrawn=tuple(summary.withdrawn),
        committee_asked=tuple((a.title, a.answered) for a in asked_answers(session, result.cycle)),
    )


def compile_and_send(
    client: WebClient,
    session: Session,
    settings: Settings,
    *,
    cycle_id: int,
    person: Person,
    now: datetime,
    progress: Progress,
    save: Save,
    key: str = "",
    recover: bool = False,
) -> None:
    """Compile a draft as ``person`` and DM it: files, then the summary with buttons.

    ``progress`` is what an earlier attempt already did; ``save`` commits it.
    ``key`` names the job's messages (metadata); ``recover``: an earlier
    attempt may have died right after Slack accepted a step.
    A broken rule (no longer a coordinator, cycle approved meanwhile) is told
    to the person instead.
    """
    _ = review_texts(person, settings)
    assert person.slack_user_id
    key = key or f"compile:{cycle_id}:{person.id}:{now.isoformat()}"
    if "refused" in progress:
        return
    channel = progress.get("channel") or dm_channel(client, person.slack_user_id)
    if "draft" not in progress:
        viewer, _slack = viewer_for(person, settings)
        try:
            result = compile_draft(
                session,
                cycle_id=cycle_id,
                actor=Actor.of(person),
                now=now,
                locale=viewer.locale,
                report_locale=settings.locale,
            )
        except WorkflowError as exc:
            session.rollback()
            recovery.post_once(
                client,
                person.slack_user_id,
                f"{key}:refused",
                recover=recover,
                **rb.notice(exc.message),
            )
            save({"channel": channel, "refused": exc.code})
            return
        message = rb.draft_message(draft_summary(session, result), _)
        save({"channel": channel, "draft": result.draft_number, "message": message})
        progress = {
            **progress,
            "channel": channel,
            "draft": result.draft_number,
            "message": message,
        }
    draft = int(progress["draft"])
    if "files" not in progress:
        docs = draft_documents(session, cycle_id, draft)
        share_once(
            client,
            channel,
            docs,
            _("Draft {n}").format(n=draft),
            done=progress,
            save=save,
            recover=recover,
        )
    if "ts" not in progress:
        _channel, ts = recovery.post_once(
            client,
            person.slack_user_id,
            f"draft:{cycle_id}:{draft}:summary",
            recover=recover,
            **progress["message"],
        )
        save({"ts": ts})


def resend_draft(
    client: WebClient,
    session: Session,
    settings: Settings,
    person: Person,
    cycle: Cycle,
    draft: int,
) -> bool:
    """Upload an already compiled draft again (the "Show draft N" button)."""
    docs = draft_documents(session, cycle.id, draft)
    if not docs or not person.slack_user_id:
        return False
    _ = review_texts(person, settings)
    upload(
        client,
        dm_channel(client, person.slack_user_id),
        docs,
        _("Draft {n} of {area}").format(n=draft, area=cycle.area.name),
    )
    return True


def job_saver(session: Session, ctx: JobContext) -> Save:
    def save(values: Progress) -> None:
        outbox.record_result(session, ctx.job, **values)

    return save


@job_handler(COMPILE_JOB)
def deliver_compile(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    person = ctx.session.get(Person, int(payload["person_id"]))
    if person is None or not person.slack_user_id:
        return
    compile_and_send(
        ctx.deps.client,
        ctx.session,
        ctx.deps.settings,
        cycle_id=int(payload["cycle_id"]),
        person=person,
        now=ctx.now,
        progress=dict(ctx.job.result or {}),
        save=job_saver(ctx.session, ctx),
        key=f"compile:{ctx.job.id}",
        recover=ctx.job.attempts > 1,  # an earlier run may have died mid-step
    )


@job_handler(PUBLISH_JOB)
def deliver_publish(ctx: JobContext) -> None:
    """Post the approved Word/PDF to the area's channel, then thank each contributor."""
    session = ctx.session
    cycle = session.get(Cycle, int((ctx.job.payload or {})["cycle_id"]))
    if cycle is None or cycle.state != CycleState.PUBLISHED:
        return
    pub = publication(session, cycle)
    if not pub.channel:
        return
    done = dict(ctx.job.result or {})
    recover = ctx.job.attempts > 1  # an earlier run may have died mid-step
    _ = gettext_for(ctx.deps.settings.locale)
    as_of = cycle.as_of.isoformat()
    if "files" not in done:
        text = rb.published_post(
            area=cycle.area.name,
            as_of=as_of,
            answered=pub.answered,
            total=pub.total,
            contributors=len(pub.contributors),
            _=_,
        )
        share_once(
            ctx.deps.client,
            pub.channel,
            pub.documents,
            text,
            done=done,
            save=job_saver(session, ctx),
            recover=recover,
        )
    thanked = list((ctx.job.result or {}).get("thanked") or [])
    for person in pub.contributors:
        if person.id in thanked or not person.slack_user_id:
            continue
        message = rb.thanks_message(
            cycle.area.name, as_of, pub.channel, review_texts(person, ctx.deps.settings)
        )
        recovery.post_once(
            ctx.deps.client,
            person.slack_user_id,
            f"publish:{ctx.job.id}:thanks:{person.id}",
            recover=recover,
            **message,
        )
        thanked.append(person.id)
        outbox.record_result(session, ctx.job, thanked=thanked)
