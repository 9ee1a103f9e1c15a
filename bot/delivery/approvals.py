"""``review.second_approval``: after a first approval given on the command line,
ask the area's other coordinators in Slack for the second one, as an approval
in Slack does at once.

Queued by ``statusbot review approve --as`` (once per draft and approver);
each DM is recorded in ``job.result`` right after Slack accepted it. Moot (and
silent) when the report was approved, reopened or recompiled meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import review as rb
from bot.delivery import recovery
from bot.delivery.digest import area_coordinators
from bot.delivery.registry import JobContext, job_handler
from bot.delivery.review import review_texts
from bot.review.approve import APPROVABLE, round_approvers
from storage import outbox
from storage.models import Cycle, Person

KIND = "review.second_approval"


def enqueue_second_approval_request(
    session: Session, cycle: Cycle, approver: Person, now: datetime
) -> None:
    """Queue the request (flushed, not committed)."""
    outbox.enqueue(
        session,
        KIND,
        {"cycle_id": cycle.id, "draft": cycle.draft_number, "approver_id": approver.id},
        due_at=now,
        dedupe_key=f"{KIND}:{cycle.id}:{cycle.reopen_count}:{cycle.draft_number}:{approver.id}",
        cycle_id=cycle.id,
        team_id=cycle.area.team_id,
    )


@job_handler(KIND)
def ask_second_approval(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    cycle = session.get(Cycle, int(payload["cycle_id"]))
    approver = session.get(Person, int(payload["approver_id"]))
    draft = int(payload["draft"])
    if cycle is None or approver is None:
        return
    if cycle.state not in APPROVABLE or cycle.draft_number != draft:
        return  # approved, reopened or recompiled since: nothing to ask for
    approved = {p.id for p in round_approvers(session, cycle)}
    sent: dict[str, str] = dict((ctx.job.result or {}).get("sent", {}))
    for person in area_coordinators(session, cycle.area_id):
        if person.id in approved or str(person.id) in sent or not person.slack_user_id:
            continue
        _ = review_texts(person, ctx.deps.settings)
        message = rb.second_approval_request(cycle.area.name, cycle.id, draft, approver.label, _)
        _channel, ts = recovery.post_once(
            ctx.deps.client,
            person.slack_user_id,
            f"{KIND}:{ctx.job.id}:{person.id}",
            recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
            **message,
        )
        sent[str(person.id)] = ts
        outbox.record_result(session, ctx.job, sent=dict(sent))
