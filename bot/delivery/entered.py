"""``entry_entered``: tell an initiative's owner (and delegate) that their
coordinator entered their status outside Slack, with the text.

Queued by :func:`bot.answers.record.record_answer` in the answer's transaction (so the
command line needs no Slack: a running ``statusbot serve`` delivers it), one
job per stored revision. Each recipient's DM is recorded in ``job.result``
right after Slack accepted it, so a retry tells nobody twice.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.answers.record import ENTERED_JOB
from bot.blocks import review as rb
from bot.blocks.modals import phase_label
from bot.delivery import recovery
from bot.delivery.registry import JobContext, PermanentFailure, job_handler
from bot.delivery.review import review_texts
from bot.delivery.surfaces import viewer_for
from bot.resolve import slack_id_of
from bot.slack_client import is_permanent, slack_error_code
from storage import outbox
from storage.models import Entry, Person, Revision

log = logging.getLogger(__name__)

KIND = ENTERED_JOB


@job_handler(KIND)
def deliver_entered(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    entry = session.get(Entry, int(payload["entry_id"]))
    if entry is None:
        return
    revision = session.scalar(
        select(Revision).where(
            Revision.entry_id == entry.id, Revision.number == int(payload["revision"])
        )
    )
    if revision is None:
        return
    coordinator = (
        session.get(Person, int(payload["coordinator_id"]))
        if payload.get("coordinator_id")
        else None
    )
    name = coordinator.label if coordinator is not None else (revision.author_label or "")
    sent: dict[str, str] = dict((ctx.job.result or {}).get("sent", {}))
    for person_id in payload.get("recipients") or []:
        person = session.get(Person, int(person_id))
        if str(person_id) in sent or person is None:
            continue
        try:
            user_id = slack_id_of(ctx.deps.client, session, person, now=ctx.now)
        except PermanentFailure as exc:
            # Not in Slack (often why the answer came another way); the lookup
            # failure is reported to the coordinators by the prompts already.
            sent[str(person_id)] = f"unreachable:{exc.reason}"
            outbox.record_result(session, ctx.job, sent=dict(sent))
            continue
        _viewer, slack_texts = viewer_for(person, ctx.deps.settings)
        message = rb.entered_message(
            title=entry.initiative.title,
            area=entry.cycle.area.name,
            coordinator=name,
            markup=revision.status.to_markup(),
            phase=phase_label(revision.phase, slack_texts) if revision.phase else None,
            _=review_texts(person, ctx.deps.settings),
        )
        try:
            _channel, ts = recovery.post_once(
                ctx.deps.client,
                user_id,
                f"{KIND}:{ctx.job.id}:{person.id}",
                recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
                **message,
            )
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if not is_permanent(code):
                raise  # retried by the scheduler; the ones sent are recorded
            log.warning("cannot tell %s that their status was entered: %s", person.label, code)
            sent[str(person_id)] = f"failed:{code}"
        else:
            sent[str(person_id)] = ts
        outbox.record_result(session, ctx.job, sent=dict(sent))
