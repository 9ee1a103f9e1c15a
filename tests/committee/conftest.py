"""Fixtures of the committee tests: the review tests' area with an approved
cycle, and ``statusbot`` run in-process against the same database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import helpers
from bot.review import documents
from bot.testing.harness import SlackHarness
from storage.models import Cycle
from tests.cli_runner import Run, statusbot_runner
from tests.committee.committee_world import World, approved_cycle, make_world


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF rendering is slow; the tests about the PDF bilag turn it back on."""
    monkeypatch.setattr(documents, "pdf_available", lambda: False)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def approved(session: Session, world: World) -> Cycle:
    return approved_cycle(session, world, answered=3)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Run:
    """``statusbot …`` on the test's database (the ``session`` fixture migrated it)."""
    run = statusbot_runner(db_url, tmp_path, monkeypatch)
    monkeypatch.setattr(helpers.console, "_width", 250)
    return run


@pytest.fixture
def slack(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    """The real app over HTTP against the fake Slack (as in tests/e2e)."""
    with SlackHarness(session_factory, database_url=db_url) as harness:
        yield harness
