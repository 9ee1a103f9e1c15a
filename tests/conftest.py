"""Shared fixtures: a fresh migrated database per test.

Without ``STATUSBOT_TEST_DATABASE_URL`` tests run on a temporary SQLite file.
With it (CI sets a PostgreSQL URL) the ``db_url`` fixture gives a fresh schema
on that server instead, created and dropped by the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory, normalise_url
from storage.migrate import upgrade

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


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s
