"""Ops tests: settings come from a clean environment with no ``.env`` around."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from bot.testing.harness import SlackHarness

TOKEN = "xoxb-ops-test-token-0123456789"
SECRET = "ops-test-signing-secret-abcdef"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in list(os.environ):
        if key.startswith(("SLACK_", "STATUSBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    return tmp_path


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url) as harness:
        yield harness
