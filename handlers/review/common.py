"""Shared pieces of the review listeners: who asks, in which language, which cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks import review as rb
from bot.delivery.surfaces import publish_home
from bot.errors import WorkflowError
from bot.review.common import require_coordinator
from bot.review.i18n import gettext_for
from bot.runtime import Deps
from bot.workflow.actor import Actor
from handlers.common import Caller, Refusal, caller, log, user_id_of
from storage.models import Cycle, Person


@dataclass
class Reviewer:
    """The caller, with the review texts in their language."""

    who: Caller
    _: rb.Gettext

    @property
    def locale(self) -> str:
        return self.who.viewer.locale

    def person(self) -> Person:
        return self.who.require_person()

    def actor(self) -> Actor:
        return Actor.of(self.person())

    def error_text(self, exc: WorkflowError) -> str:
        return self.who.error_text(exc)


def reviewer(session: Session, deps: Deps, body: dict[str, Any]) -> Reviewer:
    who = caller(session, deps, user_id_of(body))
    return Reviewer(who, gettext_for(who.viewer.locale))


def action_value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    return actions[0].get("value")


def cycle_from(session: Session, r: Reviewer, ref: rb.Ref | None) -> Cycle:
    """The cycle a button names, once the caller is known to coordinate its area."""
    person = r.person()
    cycle = session.get(Cycle, ref.cycle_id) if ref is not None else None
    if cycle is None:
        raise Refusal(r._("This button does not belong to any report I know; nothing changed."))
    require_coordinator(session, Actor.of(person), cycle.area, r._)
    return cycle


def post_dm(client: WebClient, user_id: str | None, message: dict[str, Any]) -> None:
    if not user_id:
        return
    try:
        client.chat_postMessage(channel=user_id, **message)
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


def reply(client: WebClient, body: dict[str, Any], message: dict[str, Any]) -> None:
    """Answer the clicker privately: ephemeral where they clicked, else in their DM."""
    user_id = user_id_of(body)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, **message)
        else:
            client.chat_postMessage(channel=user_id, **message)
    except SlackApiError as exc:
        log.warning("could not answer %s: %s", user_id, exc.response.get("error"))


def say(client: WebClient, body: dict[str, Any], text: str) -> None:
    reply(client, body, kit.message(text))


def refresh_home(deps: Deps, client: WebClient, session: Session, body: dict[str, Any]) -> None:
    """Re-publish the clicker's App Home when the click came from it."""
    if (body.get("container") or {}).get("type") != "view" or (body.get("view") or {}).get(
        "type"
    ) != "home":
        return
    person = caller(session, deps, user_id_of(body)).person
    if person is None or not person.slack_user_id:
        return
    try:
        publish_home(client, session, deps.settings, person, deps.clock.now())
    except SlackApiError as exc:
        log.warning("views.publish failed: %s", exc.response.get("error"))
