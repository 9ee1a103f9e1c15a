"""Reopen a cycle for changes: records why and who, starts a new review round.

The state change itself is the workflow core's :func:`reopen_cycle` (which also
audits it); this adds the review side: a clear word for published reports and
an optional new deadline, since owners answer only while the cycle collects.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import InvalidInput, InvalidState
from bot.review.common import load_cycle, require_coordinator, texts
from bot.workflow.actor import Actor
from bot.workflow.cycles import reopen_cycle
from storage.models import Cycle, CycleState
from storage.richtext import clean_text

MAX_REASON = 1000


def reopen(
    session: Session,
    *,
    cycle_id: int,
    actor: Actor,
    reason: str,
    now: datetime,
    deadline: datetime | None = None,
    locale: str | None = None,
) -> Cycle:
    """Back to collecting; approvals of earlier rounds no longer count."""
    _ = texts(actor, locale)
    cycle = load_cycle(session, cycle_id)
    require_coordinator(session, actor, cycle.area, _)
    if cycle.state == CycleState.PUBLISHED:
        raise InvalidState(
            _("This report has been published; corrections go into the next report.")
        )
    why = clean_text(reason or "")
    if not why:
        raise InvalidInput(_("Say why the report is reopened."), field="reason")
    if len(why) > MAX_REASON:
        raise InvalidInput(
            _("The reason is too long (at most {n} characters).").format(n=MAX_REASON),
            field="reason",
        )
    if deadline is not None and deadline <= now:
        raise InvalidInput(_("The new deadline must be in the future."), field="deadline")
    cycle = reopen_cycle(
        session, cycle_id=cycle.id, actor=actor, reason=why, now=now, deadline=deadline
    )
    session.flush()
    return cycle
