"""Job ``prompt`` ``{cycle_id, person_id[, delegated_entry_id, by_person_id, refresh]}``:
the DM asking one manager for the status of all their initiatives in a cycle.

Idempotent: every posted part is a :class:`PromptMessage` row committed right
after Slack accepted it (and recorded in ``job.result``), so a re-run after a
crash posts only the parts that are missing. A delegation prompt first sends a
short notice (its ``ts`` recorded) and then posts the prompt, or updates it
when the delegate already has one for this cycle.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.messages import delegated_notice
from bot.blocks.text import Mrkdwn
from bot.delivery import recovery
from bot.delivery.absence import (
    check_slack_status,
    held_back_now,
    send_stand_in_notice,
    stand_in_for_cycle,
)
from bot.delivery.message import MessageKind
from bot.delivery.registry import JobContext, PermanentFailure, batch_get, job_handler
from bot.delivery.surfaces import prompt_parts, sync_prompt, viewer_for
from bot.mail.jobs import deliver_by_mail, look_up_first, reached_by_mail
from storage import outbox
from storage.models import Cycle, CycleState, Entry, Person

log = logging.getLogger(__name__)


@job_handler("prompt")
def deliver_prompt(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    cycle = batch_get(ctx, Cycle, int(payload["cycle_id"]), "cycle_id")
    person = batch_get(ctx, Person, int(payload["person_id"]), "person_id")
    if cycle is None or person is None:
        raise PermanentFailure("cycle or person no longer exists")
    if cycle.state != CycleState.COLLECTING:
        return  # closed before the prompt went out: nothing to ask
    away, _back = held_back_now(ctx, person, cycle.deadline)
    if away is not None:
        # Nobody on leave is prompted, by Slack or by mail: the stand-in gets
        # their items (or the coordinators are told), and the end of the leave
        # prompts them.
        stand_in_for_cycle(ctx, away, cycle.id)
        outbox.record_result(session, ctx.job, held_for_absence=away.id)
        return
    look_up_first(ctx, person)
    if reached_by_mail(person, ctx.deps.settings):
        return deliver_by_mail(ctx, cycle, person, MessageKind.PROMPT)
    if not person.slack_user_id:
        raise PermanentFailure(
            "no Slack user for this person", person_id=person.id, cycle_id=cycle.id
        )
    fill_profile(ctx.deps.client, session, person)
    check_slack_status(ctx, person, cycle)
    delegated = payload.get("delegated_entry_id")
    if payload.get("absence_id") is not None:
        send_stand_in_notice(ctx, person, int(payload["absence_id"]))
    elif delegated is not None:
        _send_delegation_notice(ctx, person, int(delegated), payload.get("by_person_id"))
    had_prompt = bool(prompt_parts(session, cycle.id, person.id))

    def posted(part: int, channel: str, ts: str) -> None:
        parts = dict((ctx.job.result or {}).get("parts") or {})
        parts[str(part)] = ts
        outbox.record_result(session, ctx.job, channel=channel, parts=parts, ts=ts)

    sync_prompt(
        ctx.deps.client,
        session,
        ctx.deps.settings,
        cycle,
        person,
        ctx.now,
        # A plain re-run only fills in missing parts; a delegation, or an item a
        # registry change added, must show the new item.
        update_existing=(delegated is not None or bool(payload.get("refresh"))) and had_prompt,
        on_posted=posted,
        recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
    )


def _send_delegation_notice(
    ctx: JobContext, person: Person, entry_id: int, by_person_id: int | None
) -> None:
    if (ctx.job.result or {}).get("notice_ts"):
        return
    entry = ctx.session.get(Entry, entry_id)
    if entry is None:
        return
    owner = ctx.session.get(Person, by_person_id) if by_person_id else entry.initiative.owner
    _viewer, _ = viewer_for(person, ctx.deps.settings)
    text = delegated_notice(
        entry.initiative.title,
        owner.slack_user_id if owner else None,
        owner.label if owner else "?",
        _,
    )
    _channel, ts = recovery.post_once(
        ctx.deps.client,
        str(person.slack_user_id),
        f"prompt:{ctx.job.id}:delegated",
        recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
        **kit.message(Mrkdwn(text), [kit.section(text)]),  # its names are escaped
    )
    outbox.record_result(ctx.session, ctx.job, notice_ts=ts)


def fill_profile(client: WebClient, session: Session, person: Person) -> None:
    """Fetch the person's time zone, locale and name from Slack once (best effort)."""
    if person.tz or person.locale or not person.slack_user_id:
        return
    try:
        user = client.users_info(user=person.slack_user_id, include_locale=True).get("user") or {}
    except SlackApiError as exc:
        log.info("users.info for %s failed: %s", person.slack_user_id, exc.response.get("error"))
        return
    person.tz = (user.get("tz") or None) and str(user["tz"])[:64]
    person.locale = (user.get("locale") or None) and str(user["locale"])[:16]
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    if name and not person.display_name:
        person.display_name = str(name)[:200]
    session.flush()


def enqueue_prompt(
    session: Session,
    cycle: Cycle,
    person: Person,
    *,
    now: datetime,
    delegated_entry_id: int | None = None,
    by_person_id: int | None = None,
    key_suffix: str = "",
    refresh: bool = False,
    absence_id: int | None = None,
) -> None:
    """Queue the person's prompt. With ``refresh``, a prompt they got meanwhile
    is updated in place instead of left as it was."""
    payload: dict[str, int] = {"cycle_id": cycle.id, "person_id": person.id}
    if refresh:
        payload["refresh"] = 1
    if delegated_entry_id is not None:
        payload["delegated_entry_id"] = delegated_entry_id
    if by_person_id is not None:
        payload["by_person_id"] = by_person_id
    if absence_id is not None:  # a stand-in's prompt: its notice says whose leave
        payload["absence_id"] = absence_id
    outbox.enqueue(
        session,
        "prompt",
        payload,
        due_at=now,
        dedupe_key=f"prompt:{cycle.id}:{person.id}{key_suffix}",
        cycle_id=cycle.id,
        team_id=person.team_id,
    )
