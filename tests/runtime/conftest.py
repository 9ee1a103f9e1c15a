"""Runtime tests run the real app against the fake Slack (same harness as
tests/e2e), without the conversation listeners: each test adds what it needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from bot.testing.fakesocket import FakeSocketMode
from bot.testing.harness import SlackHarness

SOCKET_APP_TOKEN = "xapp-1-A0FAKE-1-runtime-tests"


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url, listeners=False) as harness:
        yield harness


@pytest.fixture
def socket_fake() -> Iterator[FakeSlack]:
    """The fake Web API with the Socket Mode stand-in on (``SOCKET_APP_TOKEN``)."""
    with FakeSlack() as server:
        server.enable_socket_mode(SOCKET_APP_TOKEN)
        yield server


@pytest.fixture
def stand_in(socket_fake: FakeSlack) -> FakeSocketMode:
    assert socket_fake.socket_mode is not None
    return socket_fake.socket_mode
