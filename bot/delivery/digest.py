"""Job ``digest`` ``{cycle_id}``, due at the deadline: one message per
coordinator of the area (admins when it has none) with the response rate, who
is missing what, and a **Remind now** button. Each message is recorded when
Slack accepted it and carries metadata, so a re-run never sends it twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.messages import digest_message
from bot.blocks.model import Viewer
from bot.delivery import recovery
from bot.delivery.registry import JobContext, job_handler
from bot.delivery.surfaces import progress_view, texts, viewer_for
from storage import outbox
from storage.models import Cycle, CycleState, Person, Role, RoleGrant

DIGEST_STATES = (CycleState.COLLECTING, CycleState.CLOSED)


def area_coordinators(session: Session, area_id: int) -> list[Person]:
    """Coordinators of the area, else the admins; only people reachable in Slack."""
    for condition in (
        (RoleGrant.role == Role.COORDINATOR) & (RoleGrant.area_id == area_id),
        RoleGrant.role == Role.ADMIN,
    ):
        people = list(
            session.scalars(
                select(Person)
                .join(RoleGrant, RoleGrant.person_id == Person.id)
                .where(condition, Person.slack_user_id.is_not(None))
                .distinct()
                .order_by(Person.id)
            )
        )
        if people:
            return people
    return []


def tell_coordinators(
    ctx: JobContext, area_id: int, build: Callable[[Viewer], dict[str, Any]]
) -> None:
    """One direct message to each coordinator of the area, built in their
    language; a re-run of the job posts only to those not reached yet."""
    sent = dict((ctx.job.result or {}).get("sent") or {})
    for person in area_coordinators(ctx.session, area_id):
        if str(person.id) in sent:
            continue
        viewer, _ = viewer_for(person, ctx.deps.settings)
        _channel, sent[str(person.id)] = recovery.post_once(
            ctx.deps.client,
            str(person.slack_user_id),
            f"{ctx.job.kind}:{ctx.job.id}:{person.id}",
            recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
            **build(viewer),
        )
        outbox.record_result(ctx.session, ctx.job, sent=sent)


@job_handler("digest")
def deliver_digest(ctx: JobContext) -> None:
    session = ctx.session
    cycle = session.get(Cycle, int((ctx.job.payload or {})["cycle_id"]))
    if cycle is None or cycle.state not in DIGEST_STATES or cycle.is_baseline:
        return
    view = progress_view(session, cycle, ctx.now.date())
    tell_coordinators(
        ctx, cycle.area_id, lambda viewer: digest_message(view, viewer, texts(viewer.locale))
    )
    if cycle.digest_sent_at is None:
        cycle.digest_sent_at = ctx.now
