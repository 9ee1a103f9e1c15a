"""End-to-end fixtures: the real app over HTTP against the fake Slack.

``slack`` is a started :class:`bot.testing.harness.SlackHarness` on the test's
fresh database (SQLite, or a PostgreSQL schema with
``STATUSBOT_TEST_DATABASE_URL``): ``slack.command(...)``, ``slack.action(...)``,
``slack.submit(...)``, ``slack.event(...)`` send signed requests;
``slack.drain()``/``slack.tick()``/``slack.advance()`` drive the scheduler with
the manual clock; ``slack.fake`` is the fake Web API with every call recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from bot.testing.harness import SlackHarness


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url) as harness:
        yield harness


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
