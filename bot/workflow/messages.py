"""Translated rule messages (gettext domain ``workflow``).

Services raise errors through :func:`fail`, which translates the English
source string into the current workflow locale: the one set with
:func:`use_locale`, else ``STATUSBOT_LOCALE``, else Danish. The error keeps the
source string and parameters (``msgid``/``params``) so a caller can show it in
another language with :func:`message_in` (e.g. the Slack user's locale).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from bot.errors import NotFound, WorkflowError
from bot.i18n import normalise_locale, translator

DOMAIN = "workflow"
_locale: ContextVar[str | None] = ContextVar("workflow_locale", default=None)

E = TypeVar("E", bound=WorkflowError)


def current_locale() -> str:
    return normalise_locale(_locale.get() or os.environ.get("STATUSBOT_LOCALE"))


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Raise workflow messages in ``locale`` inside the block."""
    token = _locale.set(normalise_locale(locale))
    try:
        yield
    finally:
        _locale.reset(token)


def set_default_locale(locale: str | None) -> None:
    """Set the locale for the rest of this context (the CLI does it once)."""
    _locale.set(normalise_locale(locale))


def N_(msgid: str) -> str:
    """Mark a string for extraction; translate it later with :func:`translate`."""
    return msgid


# Cycle states as shown in messages (a ``state`` parameter is translated too).
STATE_LABELS = {
    "collecting": N_("collecting answers"),
    "closed": N_("closed"),
    "in_review": N_("in review"),
    "approved": N_("approved"),
    "published": N_("published"),
}

# Phases as people name them (forms, sheets, error lines); ids stay in storage.
PHASE_LABELS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "postponed": N_("Postponed"),
}


def translate(msgid: str, locale: str | None = None, /, **params: Any) -> str:
    gettext = translator(DOMAIN, locale or current_locale()).gettext
    if not params:
        return gettext(msgid)
    if "state" in params:
        label = STATE_LABELS.get(str(params["state"]))
        params = {**params, "state": gettext(label) if label else params["state"]}
    return gettext(msgid).format(**params)


def fail(cls: type[E], msgid: str, /, *, field: str | None = None, **params: Any) -> E:
    """Build (not raise) an error of ``cls`` with a translated message."""
    exc = cls(translate(msgid, **params), field=field)
    exc.msgid = msgid  # type: ignore[attr-defined]
    exc.params = params  # type: ignore[attr-defined]
    return exc


def message_in(exc: WorkflowError, locale: str | None) -> str:
    """The error's message in ``locale`` (falls back to the raised text)."""
    msgid = getattr(exc, "msgid", None)
    if msgid is None:
        return exc.message
    return translate(msgid, locale, **getattr(exc, "params", {}))


# The same "not found" reads the same everywhere (CLI, Slack, reports).
def cycle_not_found(cycle_id: int) -> NotFound:
    return fail(NotFound, "Cycle {cycle_id} does not exist.", cycle_id=cycle_id)


def area_not_found(area_id: int) -> NotFound:
    return fail(NotFound, "Area {area_id} does not exist.", area_id=area_id)
