"""Events API: App Home opened, and DM replies (the free-text path)."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers.events import home, messages


def register(app: App, deps: Deps) -> None:
    home.register(app, deps)
    messages.register(app, deps)
