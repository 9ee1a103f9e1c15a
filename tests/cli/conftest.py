"""CLI fixtures: ``statusbot`` run in-process (Typer's runner) in a temporary
working folder, with a clean environment and a fresh database."""

import pytest

from storage.db import make_engine, make_session_factory
from tests.cli_runner import statusbot_runner


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    """Run ``statusbot`` in-process against a fresh database in ``tmp_path``."""
    return statusbot_runner(db_url, tmp_path, monkeypatch)


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    yield factory
    engine.dispose()
