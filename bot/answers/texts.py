"""Texts of answers received outside Slack: the owner's notice, the answers
sheet, a published cycle's post state (gettext domain ``answers``), in the
configured locale. The command line's own lines are in ``cli``."""

from __future__ import annotations

from typing import Any

from bot.i18n import text
from bot.workflow.messages import current_locale

DOMAIN = "answers"


def t(msgid: str, /, **params: Any) -> str:
    """``msgid`` in the current locale (``STATUSBOT_LOCALE`` at the command line)."""
    return text(DOMAIN, current_locale(), msgid, **params)


def post_state_label(state: str) -> str:
    """A published cycle's post that Slack has not accepted: ``queued`` or ``failed``."""
    if state == "failed":
        return t("not posted: the bot gave up (see its log)")
    return t("queued for the bot")


def with_post_state(state: str, post: str | None) -> str:
    """A cycle's state as ``cycle list``/``cycle show`` print it: a published
    cycle whose post is not in Slack yet says so."""
    if post is None:
        return state
    return t("{state} (post {post})", state=state, post=post_state_label(post))
