"""``statusbot`` run in-process (Typer's runner) for CLI tests: in the test's
folder, with a clean environment, English unless a test says otherwise."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app

Run = Callable[..., Result]


def statusbot_runner(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run(*args, code=0)``: the command's result; its exit code must be ``code``."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("STATUSBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    runner = CliRunner()

    def run(*args: Any, code: int = 0) -> Result:
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return run
