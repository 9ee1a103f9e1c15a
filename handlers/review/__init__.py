"""The coordinators' Slack side: `/status compile|approve|publish|reopen|settings`,
the review buttons and modals, and the coordinator's App Home section."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers.review import actions, commands, home, views  # commands registers on import


def register(app: App, deps: Deps) -> None:
    assert commands.SUBCOMMAND_ACTIONS
    actions.register(app, deps)
    views.register(app, deps)
    home.register()
