"""Free-text path, first half: a manager replies in the DM thread of a prompt.

The reply is recorded (audit ``freetext.received``, with the candidate
entries) and the bot asks in the thread: with exactly one open initiative
"save this as its status?", with several "which one?". Nothing is stored as a
status until the manager presses the button (see ``handlers.actions.freetext``).
"""

from __future__ import annotations

import html
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.blocks import kit
from bot.blocks.messages import freetext_choose, freetext_confirm
from bot.blocks.richtext import from_rich_text, message_rich_text
from bot.delivery.surfaces import items_for
from bot.runtime import Deps
from bot.workflow import audit
from bot.workflow.actor import Actor
from handlers.actions.freetext import RECEIVED
from handlers.common import caller, log
from storage.db import session_scope
from storage.models import Cycle, CycleState, PromptMessage
from storage.richtext import StatusText

MAX_REPLY_CHARS = 40_000


def _unescape(text: str) -> str:
    # Slack escapes &, < and > in message text; store what the person wrote.
    return html.unescape(text) if "&" in text else text


def _storable(text: str) -> bool:
    """The reply can be stored as a status (within its limits)."""
    try:
        StatusText.from_markup(text)
    except ValidationError:
        return False
    return True


def _reply_markup(event: dict[str, Any]) -> str:
    """The reply as typed text: from its rich text when the message has it (bold
    in Slack is bold here too), else from its plain text."""
    rich = message_rich_text(event.get("blocks"))
    if rich is not None:
        try:
            return from_rich_text(rich).to_markup()
        except ValidationError:
            return "x" * (MAX_REPLY_CHARS + 1)  # over the model's limits: "too long"
    return _unescape(str(event.get("text") or "")).strip()


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def on_message(event: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        thread_ts, channel = event.get("thread_ts"), event.get("channel")
        if not thread_ts or thread_ts == event.get("ts"):
            return  # not a thread reply: the buttons are the main path
        text = _reply_markup(event)
        now = deps.clock.now()
        with session_scope(deps.session_factory) as session:
            prompt = session.scalar(
                select(PromptMessage).where(
                    PromptMessage.channel == channel, PromptMessage.ts == thread_ts
                )
            )
            if prompt is None or not text:
                return
            who = caller(session, deps, str(event.get("user") or ""))
            _ = who._
            person = who.person
            cycle = session.get(Cycle, prompt.cycle_id)
            if person is None or person.id != prompt.person_id or cycle is None:
                return  # only the prompt's recipient answers in its thread
            if cycle.state != CycleState.COLLECTING:
                reply: dict[str, Any] = kit.message(_("This cycle no longer takes answers."))
            elif len(text) > MAX_REPLY_CHARS or not _storable(text):
                reply = kit.message(_("That reply is too long; please use the Update button."))
            else:
                open_items = [i for i in items_for(session, cycle, person, now) if not i.answered]
                if not open_items:
                    reply = kit.message(
                        _(
                            "All your initiatives are answered. Use “Edit” on the prompt to"
                            " change one."
                        )
                    )
                else:
                    recorded = audit.record(
                        session,
                        Actor.of(person),
                        RECEIVED,
                        area_id=cycle.area_id,
                        cycle_id=cycle.id,
                        now=now,
                        text=text,
                        channel=channel,
                        ts=event.get("ts"),
                        entries=[i.entry_id for i in open_items],
                    )
                    session.commit()
                    if len(open_items) == 1:
                        reply = freetext_confirm(recorded.id, open_items[0], text, _)
                    else:
                        reply = freetext_choose(recorded.id, open_items, text, _)
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **reply)
        except SlackApiError as exc:
            log.warning("could not answer a DM reply: %s", exc.response.get("error"))

    app.event("message")(ack=ack_now, lazy=[on_message])
