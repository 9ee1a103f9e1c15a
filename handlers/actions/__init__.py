"""Interactive components: buttons and menus in messages, modals and App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers.actions import digest, entries, freetext, modal


def register(app: App, deps: Deps) -> None:
    entries.register(app, deps)
    modal.register(app, deps)
    freetext.register(app, deps)
    digest.register(app, deps)
