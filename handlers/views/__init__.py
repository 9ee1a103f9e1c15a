"""Modal submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers.views import delegate, update


def register(app: App, deps: Deps) -> None:
    update.register(app, deps)
    delegate.register(app, deps)
