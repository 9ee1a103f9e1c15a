"""Reliability fixtures: the real app (with its listeners) on the test's
database, against the fake Slack (see :mod:`bot.testing.harness`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.harness import SlackHarness


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url) as harness:
        yield harness
