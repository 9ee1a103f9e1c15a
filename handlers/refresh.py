"""After an answer: update the prompts in place, the App Home, and confirm."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.delivery.surfaces import publish_home, refresh_prompts
from bot.runtime import Deps
from handlers.common import caller, log, tell, user_id_of
from storage.db import session_scope
from storage.models import Entry, PromptMessage


def from_home(body: dict[str, Any]) -> bool:
    view = body.get("view") or {}
    return view.get("type") == "home"


def after_answer(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    entry_id: int,
    *,
    confirm: bool = True,
    home: bool | None = None,
) -> None:
    """``home``: republish the App Home (default: when the click came from it)."""
    now = deps.clock.now()
    with session_scope(deps.session_factory) as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            return
        refresh_prompts(client, session, deps.settings, entry, now)
        who = caller(session, deps, user_id_of(body))
        if home is None:
            home = from_home(body)
        if home and who.person is not None and who.person.slack_user_id:
            try:
                publish_home(client, session, deps.settings, who.person, now)
            except SlackApiError as exc:
                log.warning("views.publish failed: %s", exc.response.get("error"))
        container = body.get("container") or {}
        if not confirm or container.get("type") != "message":
            return
        on_prompt = session.scalar(
            select(PromptMessage.id).where(
                PromptMessage.channel == container.get("channel_id"),
                PromptMessage.ts == container.get("message_ts"),
            )
        )
        if on_prompt is None:  # a reminder or `/status my`: say it worked
            text = who._("Saved for “{title}”. ✅").format(title=entry.initiative.title)
            tell(client, body, text, who._)
