"""Who is asking, in which language, may they answer, and how to answer them
privately: shared by the listeners and the jobs that finish their work.

Every action re-checks on the server who the Slack user is (the signed
request's ``user``, looked up in our database) and what the clicked button
claims (cycle and entry ids): the claims are only accepted when they match the
database, so a forged or stale ``value`` is refused with a message and nothing
is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import ids
from bot.blocks.items import Gettext
from bot.blocks.modals import notice_modal
from bot.blocks.model import Viewer
from bot.blocks.text import escape
from bot.delivery.surfaces import person_by_slack_id, texts, viewer_for
from bot.errors import WorkflowError
from bot.runtime import Deps
from bot.workflow.messages import message_in
from bot.workflow.permissions import can_answer, is_coordinator, is_owner_or_delegate
from storage.models import CycleState, Entry, Person

log = logging.getLogger(__name__)


class Refusal(Exception):
    """The request is refused; ``message`` (already translated) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Caller:
    """The Slack user behind a request, resolved on the server."""

    user_id: str
    person: Person | None
    viewer: Viewer
    _: Gettext

    def require_person(self) -> Person:
        if self.person is None:
            raise Refusal(
                self._(
                    "You are not registered in statusbot, so there is nothing for you here."
                    " Ask a coordinator if you think you should be."
                )
            )
        return self.person

    def error_text(self, exc: WorkflowError) -> str:
        return message_in(exc, self.viewer.locale)


def user_id_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


def caller(session: Session, deps: Deps, user_id: str, *, team_id: str | None = None) -> Caller:
    team = deps.team_id if team_id is None else team_id
    person = person_by_slack_id(session, team, user_id)
    viewer, _ = viewer_for(person, deps.settings)
    return Caller(user_id=user_id, person=person, viewer=viewer, _=_)


def default_texts(deps: Deps) -> Gettext:
    return texts(deps.settings.locale)


def entry_from_value(
    session: Session, who: Caller, value: str | None, *, for_delegation: bool = False
) -> Entry:
    """The entry a button names, after checking the claim and the caller's rights."""
    _ = who._
    person = who.require_person()
    ref = ids.decode_entry_ref(value)
    entry = session.get(Entry, ref.entry_id) if ref else None
    if ref is None or entry is None or entry.cycle_id != ref.cycle_id:
        raise Refusal(_("This button does not belong to any initiative I know; nothing was saved."))
    initiative = entry.initiative
    if entry.withdrawn_at is not None:
        raise Refusal(
            _(
                "“{title}” was withdrawn from this round (retired or moved to another area); "
                "there is nothing to report on it."
            ).format(title=initiative.title)
        )
    if for_delegation:
        if person.id != initiative.owner_id and not is_coordinator(
            session, person, initiative.area_id
        ):
            raise Refusal(
                _("Only the owner of “{title}” or a coordinator can delegate it.").format(
                    title=initiative.title
                )
            )
    elif not is_owner_or_delegate(person, initiative) and not can_answer(session, person, entry):
        raise Refusal(
            _("You are not responsible for “{title}”, so you cannot answer for it.").format(
                title=initiative.title
            )
        )
    cycle = entry.cycle
    if cycle.state != CycleState.COLLECTING:
        raise Refusal(
            _(
                "This prompt is from a cycle that no longer takes answers ({area}, as of {as_of});"
                " nothing was saved."
            ).format(area=cycle.area.name, as_of=cycle.as_of.isoformat())
        )
    return entry


def check_revision_allowed(session: Session, who: Caller, entry: Entry, now: datetime) -> None:
    """Owners and delegates may revise an answer until the deadline."""
    if entry.answered and now > entry.cycle.deadline:
        person = who.require_person()
        if not is_coordinator(session, person, entry.initiative.area_id):
            raise Refusal(
                who._(
                    "The deadline has passed, so your answer for “{title}” can no longer be"
                    " changed. Ask a coordinator if it must be."
                ).format(title=entry.initiative.title)
            )


def tell(client: WebClient, body: dict[str, Any], text: str, _: Gettext) -> None:
    """Answer the user privately where they clicked: an ephemeral message in the
    channel, or (App Home, modals: no channel) a small notice modal. ``text`` is
    plain: it is escaped here, so names and titles in it can never mention anyone."""
    user_id = user_id_of(body)
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not channel:
        container = body.get("container") or {}
        channel = container.get("channel_id")
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=escape(text))
            return
        trigger = body.get("trigger_id")
        if trigger:
            client.views_open(trigger_id=trigger, view=notice_modal("statusbot", text, _))
            return
        client.chat_postMessage(channel=user_id, text=escape(text))
    except SlackApiError as exc:
        log.warning("could not tell %s: %s", user_id, exc.response.get("error"))
