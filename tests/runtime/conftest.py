"""Runtime tests run the real app against the fake Slack (same harness as
tests/e2e), without the conversation listeners: each test adds what it needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.harness import SlackHarness


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url, listeners=False) as harness:
        yield harness
