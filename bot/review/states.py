"""Human names of cycle states (for messages)."""

from __future__ import annotations

from collections.abc import Callable

from storage.models import CycleState


def state_label(state: str, _: Callable[[str], str]) -> str:
    names: dict[str, str] = {
        CycleState.COLLECTING.value: _("collecting answers"),
        CycleState.CLOSED.value: _("closed"),
        CycleState.IN_REVIEW.value: _("in review"),
        CycleState.APPROVED.value: _("approved"),
        CycleState.PUBLISHED.value: _("published"),
    }
    return names.get(str(state), str(state))
