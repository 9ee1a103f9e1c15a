"""Free-text path, second half: the manager confirms (or picks) which
initiative their DM reply is about, and it is stored as that status.

The reply itself was recorded as an audit event (``freetext.received``) when
it arrived; the button names that event and an entry, and both claims are
checked: the event must be the clicker's own reply and the entry one of the
candidates offered for it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids, kit
from bot.blocks.text import Mrkdwn, clip_escaped
from bot.errors import WorkflowError
from bot.runtime import Deps, claim_key, forget_key, wake_scheduler
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.entries import previous_entry, submit_update
from handlers.common import (
    Caller,
    Refusal,
    caller,
    check_revision_allowed,
    entry_from_value,
    log,
    tell,
    user_id_of,
)
from handlers.refresh import queue_followups
from storage.db import session_scope
from storage.models import AuditEvent, Entry
from storage.richtext import StatusText

RECEIVED = "freetext.received"
STORED = "freetext.stored"


def _own_reply(session: Any, who: Caller, ref: ids.FreeTextRef | None) -> AuditEvent:
    person = who.require_person()
    event = session.get(AuditEvent, ref.event_id) if ref else None
    if event is None or event.action != RECEIVED or event.actor_id != person.id:
        raise Refusal(who._("This button does not belong to a reply of yours; nothing was saved."))
    return event


def _replace_question(client: WebClient, body: dict[str, Any], text: str) -> None:
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts:
        return
    try:
        client.chat_update(channel=channel, ts=ts, **kit.message(Mrkdwn(text), [kit.section(text)]))
    except SlackApiError as exc:
        log.warning("chat.update failed: %s", exc.response.get("error"))


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def store(body: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        ref = ids.decode_freetext_ref((body.get("actions") or [{}])[0].get("value"))
        key = f"freetext:{ref.event_id}" if ref else ""
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                event = _own_reply(session, who, ref)
                assert ref is not None
                candidates = [int(e) for e in (event.detail or {}).get("entries", [])]
                entry = session.get(Entry, ref.entry_id)
                if entry is None or entry.id not in candidates:
                    raise Refusal(who._("That initiative was not offered for this reply."))
                entry = entry_from_value(
                    session, who, ids.EntryRef(entry.cycle_id, entry.id).encode()
                )
                check_revision_allowed(session, who, entry, now)
                if not claim_key(deps.session_factory, key, now=now):
                    raise Refusal(who._("This reply has already been saved."))
                actor = Actor.of(who.require_person())
                previous = previous_entry(session, entry)
                try:
                    submit_update(
                        session,
                        entry_id=entry.id,
                        actor=actor,
                        status=StatusText.from_markup(str((event.detail or {}).get("text", ""))),
                        phase=entry.phase or (previous.phase if previous else None),
                        note=entry.note,
                        now=now,
                    )
                    audit.record(
                        session,
                        actor,
                        STORED,
                        area_id=entry.initiative.area_id,
                        cycle_id=entry.cycle_id,
                        now=now,
                        event_id=event.id,
                        entry_id=entry.id,
                    )
                    queue_followups(session, entry, now, team_id=deps.team_id)
                    session.commit()
                except Exception:
                    session.rollback()
                    forget_key(deps.session_factory, key)
                    raise
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            except WorkflowError as exc:
                tell(client, body, who.error_text(exc), who._)
                return
            title = entry.initiative.title
            done = who._("Saved as the status of *{title}*. ✅").format(
                title=clip_escaped(title, 2500)
            )
        wake_scheduler(deps)
        _replace_question(client, body, done)

    def discard(body: dict[str, Any], client: WebClient) -> None:
        ref = ids.decode_freetext_ref((body.get("actions") or [{}])[0].get("value"))
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                _own_reply(session, who, ref)
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            text = who._("Not saved. Your reply stays in the thread.")
        _replace_question(client, body, text)

    app.action(ids.action_pattern(ids.FREETEXT_STORE))(ack=ack_now, lazy=[store])
    app.action(ids.FREETEXT_DISCARD)(ack=ack_now, lazy=[discard])
