from __future__ import annotations

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
