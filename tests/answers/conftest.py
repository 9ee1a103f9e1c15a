"""Fixtures of the answers tests: a small registry set up through the real
command line (see :mod:`answers_world`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from answers_world import REGISTRY, Run, Setup, open_round, registered
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from bot.cli import app, helpers
from bot.review import documents


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF rendering is slow and not what these tests are about."""
    monkeypatch.setattr(documents, "pdf_available", lambda: False)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``statusbot …`` in-process (Typer's runner), English unless a test says otherwise."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("STATUSBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    monkeypatch.setenv("COLUMNS", "250")
    # The console's width is fixed when bot.cli.helpers is imported (a pytest-xdist
    # worker may see a terminal then): wide tables, so no cell is wrapped.
    monkeypatch.setattr(helpers.console, "_width", 250)
    runner = CliRunner()

    def run(*args: Any, code: int = 0) -> Result:
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

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
