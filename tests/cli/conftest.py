"""CLI fixtures: ``statusbot`` run in-process (Typer's runner) in a temporary
working folder, with a clean environment and a fresh database."""

import os

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import make_engine, make_session_factory


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    """Run ``statusbot`` in-process against a fresh database in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("STATUSBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return run


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    yield factory
    engine.dispose()
