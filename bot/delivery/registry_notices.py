"""Job ``registry_notice`` ``{cycle_id, person_id, what, title[, owner_user, owner]}``:
tell a manager that an item left their list in a collecting round — it has a
new owner, or it was withdrawn (queued by :mod:`bot.registry.rounds`)."""

from __future__ import annotations

from bot.blocks import kit
from bot.blocks.messages import registry_notice
from bot.delivery import recovery
from bot.delivery.registry import JobContext, job_handler
from bot.delivery.surfaces import viewer_for
from bot.registry.rounds import NOTICE_KIND
from storage import outbox
from storage.models import Cycle, CycleState, Person


@job_handler(NOTICE_KIND)
def deliver_registry_notice(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    if (ctx.job.result or {}).get("ts"):
        return  # sent by an earlier attempt
    cycle = ctx.session.get(Cycle, int(payload["cycle_id"]))
    person = ctx.session.get(Person, int(payload["person_id"]))
    if cycle is None or person is None or not person.slack_user_id:
        return
    if cycle.state != CycleState.COLLECTING:
        return  # the round is over: nothing left to ask or not to ask
    _viewer, _ = viewer_for(person, ctx.deps.settings)
    text = registry_notice(
        str(payload.get("what")),
        str(payload.get("title") or ""),
        payload.get("owner_user"),
        payload.get("owner"),
        _,
    )
    channel, ts = recovery.post_once(
        ctx.deps.client,
        person.slack_user_id,
        f"{NOTICE_KIND}:{ctx.job.id}",
        recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
        text=text,
        blocks=[kit.section(text)],
    )
    outbox.record_result(ctx.session, ctx.job, channel=channel, ts=ts)
