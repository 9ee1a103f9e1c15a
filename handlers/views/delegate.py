"""Submitting the delegate picker: record the delegate, prompt them, tell the owner."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import ids
from bot.blocks.messages import delegated_owner_notice
from bot.blocks.modals import read_delegate, state_values_of
from bot.delivery.prompts import enqueue_prompt
from bot.delivery.refresh import queue_refresh
from bot.delivery.surfaces import person_by_slack_id, viewer_for
from bot.runtime import Deps, wake_scheduler
from bot.web.links import revoke_unowned
from bot.workflow import audit
from bot.workflow.actor import Actor
from handlers.common import Refusal, caller, client_id, entry_from_value, log
from handlers.submissions import Replayed, replayed, stored_once, submission_key
from storage.db import session_scope
from storage.models import Entry, Person

DONE_KEY = "statusbot_delegated"


def register(app: App, deps: Deps) -> None:
    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body.get("view") or {}
        meta = ids.load_metadata(view.get("private_metadata"))
        ref = ids.EntryRef(client_id(meta.get("c")), client_id(meta.get("e"))).encode()
        selected = read_delegate(state_values_of(view))
        if not isinstance(selected, str):
            selected = None
        now = deps.clock.now()
        seen = submission_key(view)
        with session_scope(deps.session_factory) as session:
            if replayed(session, seen):
                ack()  # stored before (before the refusals: the delegate is set now)
                return
            who = caller(session, deps, str((body.get("user") or {}).get("id") or ""))
            _ = who._

            def refuse(message: str) -> None:
                ack(response_action="errors", errors={ids.DELEGATE_BLOCK: message})

            try:
                entry = entry_from_value(session, who, ref, for_delegation=True)
            except Refusal as refusal:
                return refuse(refusal.message)
            initiative = entry.initiative
            owner = initiative.owner
            if not selected:
                return refuse(_("Choose a colleague."))
            if selected == deps.bot_user_id:
                return refuse(_("The bot cannot answer for anyone; choose a colleague."))
            if owner is not None and selected == owner.slack_user_id:
                return refuse(_("That is the owner; choose someone else."))
            if initiative.delegate is not None and initiative.delegate.slack_user_id == selected:
                return refuse(_("That colleague is already the delegate."))
            try:
                with stored_once(session, seen, now):
                    delegate = person_by_slack_id(session, deps.team_id, selected)
                    if delegate is None:
                        delegate = Person(
                            team_id=deps.team_id, slack_user_id=selected, created_at=now
                        )
                        session.add(delegate)
                        session.flush()
                    actor = Actor.of(who.require_person())
                    previous = initiative.delegate.slack_user_id if initiative.delegate else None
                    previous_id = initiative.delegate_id
                    initiative.delegate_id = delegate.id
                    revoke_unowned(
                        session, cycle_id=entry.cycle_id, person_ids=[previous_id],
                        reason="delegate replaced", now=now,
                    )  # fmt: skip
                    event = audit.record(
                        session,
                        actor,
                        "initiative.delegate",
                        area_id=initiative.area_id,
                        cycle_id=entry.cycle_id,
                        now=now,
                        initiative_id=initiative.id,
                        delegate=selected,
                        previous_delegate=previous,
                    )
                    enqueue_prompt(
                        session,
                        entry.cycle,
                        delegate,
                        now=now,
                        delegated_entry_id=entry.id,
                        by_person_id=owner.id if owner else actor.person_id,
                        key_suffix=f":delegated:{event.id}",
                    )
                    # The owner's (and a replaced delegate's) prompt shows the change;
                    # the new delegate's prompt comes with the job above.
                    queue_refresh(
                        session,
                        cycle_id=entry.cycle_id,
                        person_ids=[owner.id if owner else None, previous_id],
                        now=now,
                        team_id=deps.team_id,
                    )
            except Replayed:
                ack()  # a copy of this submission delivered at the same moment stored it
                return
            except SQLAlchemyError:
                session.rollback()
                log.exception("delegating failed")
                return refuse(_("That did not work just now; please try again in a moment."))
            context[DONE_KEY] = entry.id
        wake_scheduler(deps)
        ack()

    def tell_owner(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        entry_id = context.get(DONE_KEY)
        if not entry_id:
            return
        with session_scope(deps.session_factory) as session:
            entry = session.get(Entry, int(entry_id))
            if entry is None:
                return
            initiative = entry.initiative
            delegate = initiative.delegate
            told = initiative.owner or person_by_slack_id(
                session, deps.team_id, str((body.get("user") or {}).get("id"))
            )
            if told is not None and told.slack_user_id and delegate and delegate.slack_user_id:
                _viewer, _ = viewer_for(told, deps.settings)
                message = delegated_owner_notice(initiative.title, delegate.slack_user_id, _)
                try:
                    client.chat_postMessage(channel=told.slack_user_id, **message)
                except SlackApiError as exc:
                    log.warning("could not tell the owner: %s", exc.response.get("error"))

    app.view(ids.DELEGATE_VIEW)(ack=submit, lazy=[tell_owner])
