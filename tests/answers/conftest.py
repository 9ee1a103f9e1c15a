"""Fixtures of the answers tests: a small registry set up through the real
command line (see :mod:`answers_world`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from answers_world import REGISTRY, Run, Setup, open_round, registered
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import helpers
from bot.review import documents
from tests.cli_runner import statusbot_runner


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF rendering is slow and not what these tests are about."""
    monkeypatch.setattr(documents, "pdf_available", lambda: False)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``statusbot …`` in-process (Typer's runner), English unless a test says otherwise."""
    run = statusbot_runner(db_url, tmp_path, monkeypatch)
    monkeypatch.setenv("COLUMNS", "250")
    # The console's width is fixed when bot.cli.helpers is imported (a pytest-xdist
    # worker may see a terminal then): wide tables, so no cell is wrapped.
    monkeypatch.setattr(helpers.console, "_width", 250)
    return run


@pytest.fixture
def setup(cli: Run, tmp_path: Path) -> Setup:
    registered(cli, tmp_path, REGISTRY)
    cli("roles", "grant", "kim@example.dk", "coordinator", "--area", "Socialområdet")
    cli("roles", "grant", "UOTHER01", "coordinator", "--area", "Børn og unge")
    cli("roles", "grant", "UADMIN01", "admin")
    return Setup(open_round(cli, datetime.now(UTC).date()), tmp_path)


@pytest.fixture
def db(engine: Any) -> Iterator[sessionmaker[Session]]:
    from storage.db import make_session_factory

    yield make_session_factory(engine)
