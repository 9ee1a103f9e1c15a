"""After an answer: queue the prompt and App Home refresh, and confirm.

The answer and these outbox jobs commit in one transaction *before* the
acknowledgement; the Slack calls happen afterwards (the scheduler is woken at
once, so the ✓ shows up within a moment). Only a confirmation for clicks on
something other than a prompt (a reminder, ``/status my``) runs on the
background pool.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.delivery.answers import confirm_saved
from bot.delivery.refresh import queue_followups
from bot.runtime import Deps, after_response
from handlers.common import Caller

__all__ = ["confirm_later", "from_home", "queue_followups"]


def from_home(body: dict[str, Any]) -> bool:
    view = body.get("view") or {}
    return view.get("type") == "home"


def confirm_later(
    deps: Deps, client: WebClient, body: dict[str, Any], title: str, who: Caller
) -> None:
    """Clicked in a message that is not a prompt (whose ✓ says it all): say it worked."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return
    after_response(
        deps,
        confirm_saved,
        deps,
        client,
        who,
        container.get("channel_id"),
        container.get("message_ts"),
        title,
    )
