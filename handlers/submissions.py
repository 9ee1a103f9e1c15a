"""A form that changes something is stored once per submission.

Slack may deliver a ``view_submission`` again (a Save whose answer was lost,
a replayed request), and each copy would send back, edit, delegate or reopen
again. Every state-changing form therefore records its submission's key
(:func:`submission_key`: the view's id and hash) in ``processed_event`` in the
*same* transaction as the change, and a copy whose key is recorded is
acknowledged without doing anything. A submission refused with field errors
records nothing, so it can be corrected and sent again.

Use in a view listener (new forms too)::

    seen = submission_key(body.get("view"))
    try:
        with stored_once(session, seen, now):
            ...  # check and store the change (no commit: stored_once commits)
    except Replayed:
        ack()  # stored before, or by a copy delivered at the same moment
        return
    except WorkflowError as exc:
        ...  # field errors as usual
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.errors import WorkflowError
from storage.models import ProcessedEvent


class Replayed(Exception):
    """This submission was stored already: acknowledge it and do nothing."""


def submission_key(view: Any) -> str | None:
    """Identifies one submission of one modal: Slack changes a view's ``hash``
    whenever it is updated, and a submitted modal closes, so the same id and
    hash twice is the same submission delivered again."""
    if not isinstance(view, dict):
        return None
    view_id, view_hash = view.get("id"), view.get("hash")
    if not isinstance(view_id, str) or not isinstance(view_hash, str) or not view_id:
        return None
    return f"view:{view_id}:{view_hash}"[:200]


def replayed(session: Session, key: str | None) -> bool:
    """This submission was stored before."""
    return key is not None and session.get(ProcessedEvent, key) is not None


def remember(session: Session, key: str | None, now: datetime) -> None:
    """Record the submission with the change (committed together, or neither)."""
    if key is not None:
        session.add(ProcessedEvent(key=key, created_at=now))


@contextmanager
def stored_once(session: Session, key: str | None, now: datetime) -> Iterator[None]:
    """Store the change made inside once for submission ``key``: a submission
    stored before raises :class:`Replayed` at once; after the block the change
    is committed with the key. A copy delivered at the same moment loses on the
    key (or on the rows the first copy changed: a stale version, an optimistic
    :class:`~bot.errors.Conflict`): its change is rolled back and it raises
    :class:`Replayed` too. Anything else propagates as it was."""
    if replayed(session, key):
        raise Replayed
    try:
        yield
        remember(session, key, now)
        session.commit()
    except (StaleDataError, IntegrityError, WorkflowError) as exc:
        if isinstance(exc, WorkflowError) and exc.code != "conflict":
            raise
        session.rollback()
        if replayed(session, key):
            raise Replayed from None
        raise
