"""Buttons on an initiative: Update / Edit (modal), No change, Delegate (modal).

Update/Edit and Delegate acknowledge at once and open their modal in a lazy
listener, well inside the trigger's three seconds. No change stores the answer
(and queues the prompt refresh) *before* the acknowledgement, so an
acknowledged click is a stored one; messages to the user follow on the
background pool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import ids
from bot.blocks.modals import UpdateForm, delegate_modal, update_modal
from bot.delivery.answers import Answer, record_if_plain
from bot.errors import WorkflowError
from bot.registry.history import earlier_statuses
from bot.runtime import Deps, after_response, wake_scheduler
from bot.workflow.actor import Actor
from bot.workflow.entries import carry_forward, previous_entry
from handlers.common import (
    Refusal,
    caller,
    check_revision_allowed,
    entry_from_value,
    log,
    tell,
    user_id_of,
)
from handlers.refresh import confirm_later, from_home, queue_followups
from storage.db import session_scope
from storage.models import Entry, EntrySource


def _ack(ack: Ack) -> None:
    ack()


def _value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    return actions[0].get("value")


def _carried(session: Any, entry_id: int) -> bool:
    source = session.scalar(select(Entry.source).where(Entry.id == entry_id))
    return source == EntrySource.CARRY_FORWARD


def register(app: App, deps: Deps) -> None:
    def open_update(body: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                entry = entry_from_value(session, who, _value(body))
                check_revision_allowed(session, who, entry, now)
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            source = entry if entry.status else previous_entry(session, entry) or entry
            initiative = entry.initiative
            form = UpdateForm(
                entry_id=entry.id,
                cycle_id=entry.cycle_id,
                initiative=initiative.title,
                track=initiative.track.name,
                area=entry.cycle.area.name,
                markup=source.status.to_markup() if source.status else "",
                phase=entry.phase or source.phase,
                note=entry.note,
                from_home=from_home(body),
                earlier=tuple(
                    (as_of, e.status.plain if e.status else "")
                    for as_of, e in earlier_statuses(session, entry.cycle, initiative.id)
                ),
            )
            view = update_modal(form, who._)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))

    def no_change(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        if _record_plain_carry(body, now):
            wake_scheduler(deps)
            ack()
            return
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            message: str | None = None
            try:
                entry = entry_from_value(session, who, _value(body))
                if entry.source == EntrySource.CARRY_FORWARD:
                    ack()  # a double click: it is stored already, once
                    return
                check_revision_allowed(session, who, entry, now)
                carry_forward(
                    session, entry_id=entry.id, actor=Actor.of(who.require_person()), now=now
                )
                queue_followups(
                    session,
                    entry,
                    now,
                    team_id=deps.team_id,
                    home_of=who.person if from_home(body) else None,
                )
                session.commit()
            except Refusal as refusal:
                message = refusal.message
            except WorkflowError as exc:
                session.rollback()
                if exc.code == "conflict" and _carried(session, entry.id):
                    ack()  # the other click of a double click won the race
                    return
                message = who.error_text(exc)
            except SQLAlchemyError:
                session.rollback()
                log.exception("storing a no-change answer failed")
                message = who._("That did not work just now; please try again in a moment.")
            if message is not None:
                ack()
                after_response(deps, tell, client, body, message, who._)
                return
            title = entry.initiative.title
        wake_scheduler(deps)
        ack()
        confirm_later(deps, client, body, title, who)

    def _record_plain_carry(body: dict[str, Any], now: datetime) -> bool:
        """Record an ordinary "No change" for the scheduler (see
        :mod:`bot.delivery.answers`); False: take the full path."""
        ref = ids.decode_entry_ref(_value(body))
        if ref is None:
            return False
        container = body.get("container") or {}
        answer = Answer(
            entry_id=ref.entry_id,
            cycle_id=ref.cycle_id,
            user_id=user_id_of(body),
            at=now,
            carry=True,
            home=from_home(body),
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            message_ts=container.get("message_ts") if container.get("type") == "message" else None,
        )
        try:
            with deps.session_factory() as session:
                return record_if_plain(session, answer, team_id=deps.team_id)
        except SQLAlchemyError:
            log.warning("recording a no-change answer failed; trying the full path")
            return False

    def open_delegate(body: dict[str, Any], client: WebClient) -> None:
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                entry = entry_from_value(session, who, _value(body), for_delegation=True)
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            delegate = entry.initiative.delegate
            view = delegate_modal(
                entry_id=entry.id,
                cycle_id=entry.cycle_id,
                initiative=entry.initiative.title,
                current=delegate.slack_user_id if delegate else None,
                _=who._,
            )
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))

    app.action(ids.action_pattern(ids.CARRY))(no_change)
    for kind in (ids.UPDATE, ids.EDIT):
        app.action(ids.action_pattern(kind))(ack=_ack, lazy=[open_update])
    app.action(ids.action_pattern(ids.DELEGATE))(ack=_ack, lazy=[open_delegate])
