from __future__ import annotations

from pathlib import Path

import pytest
from report_fixture import Fixture, build_fixture
from sqlalchemy.orm import Session

from reports import build_document
from reports.model import ReportDocument


@pytest.fixture
def fx(session: Session) -> Fixture:
    fixture = build_fixture(session)
    session.commit()
    return fixture


@pytest.fixture
def doc(session: Session, fx: Fixture) -> ReportDocument:
    return build_document(session, fx.second.id, locale="da")


@pytest.fixture
def env(db_url: str, fx: Fixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Fixture:
    """The fixture's database as the command line's (STATUSBOT_LOCALE=da), run
    from ``tmp_path``."""
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    monkeypatch.chdir(tmp_path)
    return fx
