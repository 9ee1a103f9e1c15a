"""Review-specific errors, carrying what a caller needs to offer the next step."""

from __future__ import annotations

from bot.errors import Conflict, InvalidState


class StaleDraft(Conflict):
    """An action named a draft that a newer compilation has replaced."""

    code = "stale_draft"

    def __init__(self, message: str, *, cycle_id: int, current_draft: int) -> None:
        super().__init__(message)
        self.cycle_id = cycle_id
        self.current_draft = current_draft


class MissingAnswers(InvalidState):
    """Approval needs an explicit confirmation because answers are missing."""

    code = "missing_answers"

    def __init__(self, message: str, *, cycle_id: int, missing: list[str]) -> None:
        super().__init__(message)
        self.cycle_id = cycle_id
        self.missing = missing  # initiative titles, in report order
