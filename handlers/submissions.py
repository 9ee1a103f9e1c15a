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
    if replayed(session, seen):
        ack()
        return
    try:
        ...  # check and store the change
        if not commit_once(session, seen, now):
            ack()  # a concurrent copy stored it first
            return
    except CONFLICTS:
        if not stored_by_copy(session, seen):
            raise
        ack()  # a concurrent copy's change conflicted with this one's: it is stored
        return
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from storage.models import ProcessedEvent

# What a copy of a submission hits when the other copy changed the same rows first.
CONFLICTS = (StaleDataError, IntegrityError)


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


def commit_once(session: Session, key: str | None, now: datetime) -> bool:
    """Commit the change together with the submission's key. False: a copy of
    this submission delivered at the same time was stored first, and this
    copy's change is rolled back."""
    remember(session, key, now)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if replayed(session, key):
            return False
        raise
    return True


def stored_by_copy(session: Session, key: str | None) -> bool:
    """After a :data:`CONFLICTS` error: roll back, and tell whether a copy of
    this submission was stored in the meantime (then this one is done)."""
    session.rollback()
    return replayed(session, key)
