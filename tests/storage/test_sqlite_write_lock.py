"""SQLite writers of several processes take turns on a lock file next to the
database instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import _ProcessWriteLock, make_engine

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


def test_two_holders_exclude_each_other(tmp_path: Path) -> None:
    path = str(tmp_path / "db.write.lock")
    first, second = (
        _ProcessWriteLock(path),
        _ProcessWriteLock(path),
    )  # two open files, as two processes
    assert first.acquire(1.0)
    assert not second.acquire(0.05)  # bounded: gives up instead of hanging
    first.release()
    assert second.acquire(0.05)
    second.release()


def test_a_write_holds_the_lock_until_the_connection_is_returned(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    other = _ProcessWriteLock(str(tmp_path / "x.db.write.lock"))
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.commit()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not other.acquire(0.05)  # another process would wait for us
        conn.commit()
    assert other.acquire(0.05)  # back in the pool: free
    other.release()
    engine.dispose()
