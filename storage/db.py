"""Engines and sessions.

SQLite (the embedded default) runs with foreign keys on, WAL and a busy
timeout so the CLI and a serving bot can share one file. PostgreSQL is the
scale-out path; its URL is used as given (``postgresql+psycopg://…``).

Lock waits are bounded per Slack request: inside :func:`bounded_lock_waits`
(entered for every request the app dispatches) a statement waits at most
:data:`REQUEST_LOCK_WAIT_S` for a lock — SQLite's busy timeout and this
process's writer lock, PostgreSQL's ``lock_timeout``/``statement_timeout`` —
and all waits of one request end by its deadline, so a locked database
answers with an error well inside Slack's 3-second window. The CLI,
migrations and the scheduler keep the long waits.

The acknowledgement's one statement on PostgreSQL goes through a pool of its
own (:func:`run_in_request`): autocommit, the request's waits set once per
connection, no pre-ping: one round trip instead of five.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5_000
# One lock wait of a Slack request, and all of its lock waits together.
REQUEST_LOCK_WAIT_S = 1.5
REQUEST_WAIT_BUDGET_S = 1.6
_MIN_WAIT_S = 0.05
# A request's statement may run this much longer than its lock wait (PostgreSQL).
_STATEMENT_SLACK_S = 0.5
# The lock wait set on every connection of the request pool (PostgreSQL); it
# serves a request only while at least this much of its budget is left.
REQUEST_POOL_LOCK_WAIT_S = 1.2

_deadline: ContextVar[float | None] = ContextVar("statusbot_lock_deadline", default=None)


@contextmanager
def bounded_lock_waits(budget: float = REQUEST_WAIT_BUDGET_S) -> Iterator[None]:
    """Bound the lock waits of the code inside (this thread/context only):
    each at most :data:`REQUEST_LOCK_WAIT_S`, all of them ending ``budget``
    seconds from now. A wait that runs out raises ``OperationalError``."""
    token = _deadline.set(time.monotonic() + budget)
    try:
        yield
    finally:
        _deadline.reset(token)


def lock_wait(default: float) -> float:
    """Seconds a statement may wait for a lock now: ``default`` outside
    :func:`bounded_lock_waits`, else what is left of the budget (capped)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(_MIN_WAIT_S, min(REQUEST_LOCK_WAIT_S, deadline - time.monotonic()))


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
_BUSY_MS = "statusbot_sqlite_busy_ms"
_ACROSS = "statusbot_sqlite_writer_across_processes"


class _ProcessWriteLock:
    """Writers of *all* processes on one SQLite file take turns on an ``flock``
    of a file next to it, retried every 0.2–2 ms: SQLite's own busy handler
    sleeps 1, 2, 5, 10 … 100 ms between tries, so under a burst of answers
    served by several processes those sleeps, not the writes, would be the
    latency. Not on Windows (no ``fcntl``): SQLite's lock alone then."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        if fcntl is None:
            return False
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return False
        deadline = time.monotonic() + timeout
        delay = 0.0002
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pass
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.002)

    def release(self) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def _serialise_writers(engine: Engine) -> None:
    """Let one connection write at a time, queueing on locks that wake waiters
    as soon as they are free.

    SQLite allows one writer; the others retry in its busy handler, which
    sleeps in growing steps (up to 100 ms). Under many concurrent requests
    those sleeps, not the work, dominate the latency. So a connection takes
    this process's lock (and, for a database file, :class:`_ProcessWriteLock`
    for the other processes) at its first write and gives them back when it
    returns to the pool (after commit or rollback). SQLite's own lock and busy
    timeout stay underneath; the timeout is set here too: inside a request
    only what is left of its wait budget.
    """
    lock = threading.Lock()
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    database = engine.url.database
    across: _ProcessWriteLock | None = None
    if database and database != ":memory:" and not database.startswith("file:"):
        across = _ProcessWriteLock(os.path.abspath(database) + ".write.lock")

    def before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(_WRITER) or statement.lstrip()[:6].upper() not in _WRITES:
            return
        # Bounded: a thread writing through two connections at once must not hang.
        if lock.acquire(timeout=lock_wait(timeout)):
            info[_WRITER] = True
            if across is not None and across.acquire(lock_wait(timeout)):
                info[_ACROSS] = True
        busy_ms = int(lock_wait(timeout) * 1000)
        if info.get(_BUSY_MS, SQLITE_BUSY_TIMEOUT_MS) != busy_ms:
            conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")
            info[_BUSY_MS] = busy_ms

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_ACROSS, False) and across is not None:
            across.release()
        if record.info.pop(_WRITER, False):
            lock.release()

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine.pool, "checkin", checkin)


def _sqlite_savepoint_inside_transaction(conn: Any, _name: str) -> None:
    """Make ``session.begin_nested()`` a real nested savepoint on SQLite.

    pysqlite (legacy transaction control, Python < 3.12's only mode) emits
    ``BEGIN`` only before an INSERT/UPDATE/DELETE, so a session that has only
    read so far has no open transaction, and a ``SAVEPOINT`` then *starts* one:
    its ``RELEASE`` commits it. An insert made in ``begin_nested()`` would then
    survive the session's ``rollback()`` (an approval that lost a race stayed
    stored). Opening the transaction first keeps the savepoint nested, as on
    PostgreSQL. Only savepoints are changed: plain reads keep running outside a
    transaction, so they never hold a snapshot a later write would conflict with.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _serialise_writers(engine)
        event.listen(engine, "savepoint", _sqlite_savepoint_inside_transaction)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "begin", _postgres_bounded_waits)
    return engine


def _postgres_bounded_waits(conn: Any) -> None:
    """Inside a request, limit this transaction's lock and statement waits."""
    if _deadline.get() is None:
        return
    wait = lock_wait(0.0)
    lock_ms = int(wait * 1000)
    statement_ms = int((wait + _STATEMENT_SLACK_S) * 1000)
    # On the DBAPI connection (psycopg starts the transaction implicitly);
    # SET LOCAL ends with the transaction, so pooled connections stay unbounded.
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT set_config('lock_timeout', '{lock_ms}', true),"
            f" set_config('statement_timeout', '{statement_ms}', true)"
        )


T = TypeVar("T")
_request_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_request_engines_lock = threading.Lock()


def run_in_request(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one transaction of ``engine`` — inside a request on
    PostgreSQL, on the request pool: each statement commits by itself
    (autocommit), ``lock_timeout``/``statement_timeout`` came with the
    connection (libpq ``options``), and a connection the server dropped is
    not pinged first but retried once on a fresh one, so ``work`` must be
    safe to run again (one statement, or statements whose repetition changes
    nothing). A round trip per statement, no ``BEGIN``/``SET``/``COMMIT``.

    The pool's wait (:data:`REQUEST_POOL_LOCK_WAIT_S`) fits the request's
    bounds only while that much of its budget is left; after that, and
    outside requests, ``engine.begin()`` with its per-transaction bounds."""
    fast = request_engine(engine) if lock_wait(0.0) >= REQUEST_POOL_LOCK_WAIT_S else None
    if fast is None:
        with engine.begin() as conn:
            return work(conn)
    try:
        with fast.connect() as conn:
            return work(conn)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    # The server dropped a pooled connection (restart, idle cut): SQLAlchemy
    # has invalidated the pool, so this connection is new.
    with fast.connect() as conn:
        return work(conn)


def request_engine(engine: Engine) -> Engine | None:
    """The request pool of ``engine`` inside a request on PostgreSQL, else None."""
    if _deadline.get() is None or engine.dialect.name != "postgresql":
        return None
    with _request_engines_lock:
        fast = _request_engines.get(engine)
        if fast is None:
            fast = create_engine(engine.url, isolation_level="AUTOCOMMIT")
            event.listen(fast, "do_connect", _request_waits_option)
            event.listen(engine, "engine_disposed", lambda _conn: fast.dispose())
            _request_engines[engine] = fast
    return fast


def _request_waits_option(_dialect: Any, _record: Any, _cargs: Any, cparams: dict) -> None:
    lock_ms = int(REQUEST_POOL_LOCK_WAIT_S * 1000)
    statement_ms = int((REQUEST_POOL_LOCK_WAIT_S + _STATEMENT_SLACK_S) * 1000)
    waits = f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}"
    cparams["options"] = f"{cparams.get('options', '')} {waits}".strip()


def dialect_insert(dialect: str) -> Any:
    """``insert`` of the dialect named (PostgreSQL, else SQLite), which has
    ``on_conflict_do_nothing``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


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
