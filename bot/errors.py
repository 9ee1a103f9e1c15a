"""Typed workflow errors. Each message is fit to show to a person as it is.

Messages are written in the bot's default language by the raiser, who passes
an already translated string (see :mod:`bot.i18n`). ``code`` is stable for
tests and logs.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base: a rule was broken; nothing was changed."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the input the message is about, for modal errors

    def __str__(self) -> str:
        return self.message


class NotFound(WorkflowError):
    code = "not_found"


class PermissionDenied(WorkflowError):
    code = "permission_denied"


class InvalidInput(WorkflowError):
    code = "invalid_input"


class InvalidState(WorkflowError):
    """The action does not fit the cycle's state (closed, approved, …)."""

    code = "invalid_state"


class Conflict(WorkflowError):
    """Someone else changed the same thing first (optimistic concurrency)."""

    code = "conflict"
