"""Human names of cycle states (for messages)."""

from __future__ import annotations

from collections.abc import Callable

from bot.workflow.messages import STATE_LABELS


def state_label(state: str, _: Callable[[str], str]) -> str:
    """The state's name through ``_`` (the caller's catalog); an unknown state as it is."""
    label = STATE_LABELS.get(str(state))
    return _(label) if label else str(state)
