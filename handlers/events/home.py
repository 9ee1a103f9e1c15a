"""App Home: the manager's open and answered items in current cycles."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import kit
from bot.delivery.surfaces import publish_home
from bot.runtime import Deps
from handlers.common import caller, log
from storage.db import session_scope


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event.get("user") or "")
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id)
            try:
                if who.person is None:
                    text = who._(
                        "You are not registered in statusbot. Coordinators add the responsible"
                        " managers when they import the initiatives."
                    )
                    client.views_publish(
                        user_id=user_id, view={"type": "home", "blocks": [kit.section(text)]}
                    )
                    return
                publish_home(client, session, deps.settings, who.person, deps.clock.now())
            except SlackApiError as exc:
                log.warning("views.publish failed: %s", exc.response.get("error"))

    app.event("app_home_opened")(ack=ack_now, lazy=[opened])
