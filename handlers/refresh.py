"""After an answer: queue the prompt and App Home refresh, and confirm.

The answer and these outbox jobs commit in one transaction *before* the
acknowledgement; the Slack calls happen afterwards (the scheduler is woken at
once, so the ✓ shows up within a moment). Only a confirmation for clicks on
something other than a prompt (a reminder, ``/status my``) runs on the
background pool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.refresh import queue_home, queue_refresh
from bot.runtime import Deps, after_response
from handlers.common import Caller, tell
from storage.models import Entry, Person, PromptMessage


def from_home(body: dict[str, Any]) -> bool:
    view = body.get("view") or {}
    return view.get("type") == "home"


def queue_followups(
    session: Session,
    entry: Entry,
    now: datetime,
    *,
    team_id: str = "",
    home_of: Person | None = None,
) -> None:
    """In the answer's transaction: refresh the prompts of everyone asked about
    ``entry`` (owner and delegate) and, with ``home_of``, that person's App Home."""
    initiative = entry.initiative
    queue_refresh(
        session,
        cycle_id=entry.cycle_id,
        person_ids=[initiative.owner_id, initiative.delegate_id],
        now=now,
        team_id=team_id,
    )
    if home_of is not None and home_of.slack_user_id:
        queue_home(session, person_id=home_of.id, now=now, team_id=team_id)


def confirm_later(
    deps: Deps, client: WebClient, body: dict[str, Any], title: str, who: Caller
) -> None:
    """Clicked in a message that is not a prompt (whose ✓ says it all): say it worked."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return
    after_response(deps, _confirm, deps, client, body, title, who)


def _confirm(deps: Deps, client: WebClient, body: dict[str, Any], title: str, who: Caller) -> None:
    container = body.get("container") or {}
    with deps.session_factory() as session:
        on_prompt = session.scalar(
            select(PromptMessage.id).where(
                PromptMessage.channel == container.get("channel_id"),
                PromptMessage.ts == container.get("message_ts"),
            )
        )
    if on_prompt is None:
        tell(client, body, who._("Saved for “{title}”. ✅").format(title=title), who._)
