"""Shared fixtures: a fresh migrated database per test.

Without ``STATUSBOT_TEST_DATABASE_URL`` tests run on a temporary SQLite file.
With it (CI sets a PostgreSQL URL) the ``db_url`` fixture gives a fresh schema
on that server instead, created and dropped by the test.

The migrations run once per test process (each pytest-xdist worker): on
SQLite into a template file every test's ``engine`` starts from a copy of; on
PostgreSQL the statements they send are recorded and replayed in each test's
schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import is_sqlite, make_engine, make_session_factory, normalise_url
from storage.migrate import current_revision, head_revision, upgrade

PG_URL = os.environ.get("STATUSBOT_TEST_DATABASE_URL")
# pytest-xdist's workers get COLUMNS=80; CLI tables in tests are as wide as
# piped output is everywhere else (bot.cli.helpers reads it at import).
os.environ.pop("COLUMNS", None)


def _pg_url_with_schema(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{normalise_url(base)}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def db_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """URL of an empty database: SQLite file, or a fresh PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'statusbot.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_url_with_schema(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the migration head, made once per test process."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()  # the last connection closing folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


Statement = tuple[str, Any]


@pytest.fixture(scope="session")
def migration_statements() -> list[Statement]:
    """PostgreSQL: what the migrations send to an empty schema, recorded once
    per test process (replayed per test, far quicker than Alembic itself)."""
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(_pg_url_with_schema(PG_URL, schema))
    recorded: list[Statement] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        recorded.append((statement, parameters))

    event.listen(eng, "before_cursor_execute", record)
    try:
        upgrade(eng)
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return recorded


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The test's database at the migration head. A database the test already
    made (``statusbot init`` in a CLI fixture requested first) is kept as it is."""
    if is_sqlite(db_url):
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists() or path.stat().st_size == 0:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        eng = make_engine(db_url)
    else:
        eng = make_engine(db_url)
        if current_revision(eng) is None:
            with eng.begin() as conn:
                for statement, parameters in request.getfixturevalue("migration_statements"):
                    conn.exec_driver_sql(statement, parameters)
    assert current_revision(eng) == head_revision()
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s
