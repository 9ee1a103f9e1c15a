"""Thin Slack listeners: parse the request, call the workflow, answer.

Laid out like Slack's bolt-python starter template: one sub-package per kind
of request, each with ``register(app, deps)``. Listeners acknowledge fast;
Slack API calls that are not needed for the acknowledgement (opening modals,
updating prompts, App Home) run as Bolt lazy listeners.
"""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers import (
    absence,
    actions,
    commands,
    committee,
    events,
    history,
    review,
    schedule,
    views,
)


def register(app: App, deps: Deps) -> None:
    # Bolt tries listeners in this order (each try costs ~30 µs): the answers,
    # which come in bursts before a deadline, first.
    views.register(app, deps)
    actions.register(app, deps)
    commands.register(app, deps)
    events.register(app, deps)
    review.register(app, deps)  # the coordinators' side (issue 5)
    schedule.register(app, deps)  # recurring rounds (issue 19)
    absence.register(app, deps)  # leave and stand-in (issue 19)
    history.register(app, deps)  # one initiative's history (issue 19)
    committee.register(app, deps)  # the committee's package and decision (issue 18)
