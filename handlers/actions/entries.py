"""Buttons on an initiative: Update / Edit (modal), No change, Delegate (modal).

The acknowledgement is immediate; the rest runs as a lazy listener, which
opens the modal well inside the trigger's three seconds (one small query for
the entry and its previous text).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.modals import UpdateForm, delegate_modal, update_modal
from bot.errors import WorkflowError
from bot.runtime import Deps
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
from handlers.refresh import after_answer, from_home
from storage.db import session_scope


def _ack(ack: Ack) -> None:
    ack()


def _value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    return actions[0].get("value")


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
            )
            view = update_modal(form, who._)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))

    def no_change(body: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                entry = entry_from_value(session, who, _value(body))
                check_revision_allowed(session, who, entry, now)
                carry_forward(
                    session, entry_id=entry.id, actor=Actor.of(who.require_person()), now=now
                )
                session.commit()
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            except WorkflowError as exc:
                session.rollback()
                tell(client, body, who.error_text(exc), who._)
                return
            entry_id = entry.id
        after_answer(deps, client, body, entry_id)

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

    for kind in (ids.UPDATE, ids.EDIT):
        app.action(ids.action_pattern(kind))(ack=_ack, lazy=[open_update])
    app.action(ids.action_pattern(ids.CARRY))(ack=_ack, lazy=[no_change])
    app.action(ids.action_pattern(ids.DELEGATE))(ack=_ack, lazy=[open_delegate])
