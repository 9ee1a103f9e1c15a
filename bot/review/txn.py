"""Run a review action in its own transaction, retrying on a lost race.

Two clicks at once (double click, two coordinators) can collide on the cycle's
version or a unique approval row. The loser's transaction is rolled back and
the action runs again on fresh data, where it sees the winner's result (e.g.
"already approved") instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from storage.db import session_scope

T = TypeVar("T")

ATTEMPTS = 3


def run_once(factory: sessionmaker[Session], action: Callable[[Session], T]) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_scope(factory) as session:
                return action(session)
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
    raise AssertionError("unreachable")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, OperationalError):
        # PostgreSQL serialisation failures / deadlocks, SQLite "database is locked".
        text = str(exc.orig).lower() if exc.orig is not None else ""
        return "locked" in text or "deadlock" in text or "serializ" in text
    return True
