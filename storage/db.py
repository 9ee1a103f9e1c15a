"""Engines and sessions.

SQLite (the embedded default) runs with foreign keys on, WAL and a busy
timeout so the CLI and a serving bot can share one file. PostgreSQL is the
scale-out path; its URL is used as given (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5_000


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
_WRITER = "statusbot_sqlite_writer"


def _serialise_writers(engine: Engine) -> None:
    """Let one connection of this process write at a time, queueing on a lock.

    SQLite allows one writer; the others retry in its busy handler, which
    sleeps in growing steps (up to 100 ms). Under many concurrent requests
    those sleeps, not the work, dominate the latency. So a connection takes
    this lock at its first write and gives it back when it returns to the
    pool (after commit or rollback); waiters wake as soon as it is free.
    Other processes still meet SQLite's own lock and busy timeout.
    """
    lock = threading.Lock()
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000

    def before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(_WRITER) or statement.lstrip()[:6].upper() not in _WRITES:
            return
        # Bounded: a thread writing through two connections at once must not hang.
        if lock.acquire(timeout=timeout):
            info[_WRITER] = True

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_WRITER, False):
            lock.release()

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine.pool, "checkin", checkin)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _serialise_writers(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
