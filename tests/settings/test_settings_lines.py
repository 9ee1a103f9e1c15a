"""A bad setting stops every command with one line in STATUSBOT_LOCALE's
language, naming the variable: never a traceback, never English in Danish."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import SettingsError, load_settings
from tests.catalog_check import assert_danish

LOCALE = Path(__file__).parents[2] / "bot/locale/da/LC_MESSAGES"


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STATUSBOT_"))}
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        env={**clean, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_driver_that_is_not_installed_is_named(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    line = one_line(
        run_cli(
            tmp_path,
            "cycle",
            "list",
            STATUSBOT_DATABASE_URL="postgresql+psycopg2://nobody@127.0.0.1/none",
            STATUSBOT_LOCALE="en",
        )
    )
    assert line.startswith("statusbot: STATUSBOT_DATABASE_URL is invalid:")
    assert "psycopg2 is not installed" in line and "postgresql+psycopg://" in line


def test_readme_placeholder_tokens_are_refused_before_any_request(tmp_path: Path) -> None:
    line = one_line(
        run_cli(
            tmp_path,
            "serve",
            "--socket",
            SLACK_BOT_TOKEN="xoxb-…",
            SLACK_APP_TOKEN="xapp-…",
            SLACK_API_URL="http://127.0.0.1:9/api/",
        )
    )
    assert line.startswith("statusbot: SLACK_BOT_TOKEN er ugyldig:")
    assert "pladsholder" in line


@pytest.mark.parametrize(
    ("variable", "value", "danish"),
    [
        ("STATUSBOT_TICK_SECONDS", "abc", "'abc' er ikke et tal"),
        ("STATUSBOT_TICK_SECONDS", "-1", "den skal være større end 0"),
        ("STATUSBOT_LOCALE", "xx", "'xx' er ikke en af da, en"),
        ("STATUSBOT_WORKING_HOURS", "9-5", "den skal se ud som 08:00-17:00"),
        ("STATUSBOT_TIMEZONE", "Mars/Base", "ukendt tidszone 'Mars/Base'"),
        ("SLACK_API_URL", "ftp://x", "den skal være en http(s)-URL"),
    ],
)
def test_setting_errors_are_danish_in_danish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, danish: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("SLACK_", "STATUSBOT_")):
            monkeypatch.delenv(name)
    if variable != "STATUSBOT_LOCALE":
        monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{variable} er ugyldig: {danish}")
    result = CliRunner().invoke(app, ["cycle", "list"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"statusbot: {raised.value}"


def test_english_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    monkeypatch.setenv("STATUSBOT_TICK_SECONDS", "0")
    with pytest.raises(SettingsError, match=r"^STATUSBOT_TICK_SECONDS is invalid: it must be"):
        load_settings()


def test_the_locale_may_come_from_the_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STATUSBOT_LOCALE", raising=False)
    (tmp_path / ".env").write_text("STATUSBOT_LOCALE=en\nSTATUSBOT_TICK_SECONDS=x\n")
    with pytest.raises(SettingsError, match="is invalid: 'x' is not a number"):
        load_settings()


def test_settings_catalog_is_danish_and_compiled() -> None:
    from babel.messages.extract import extract_from_file

    import bot.settings

    messages = {
        m if isinstance(m, str) else m[0]
        for _line, m, _comments, _ctx in extract_from_file(
            "python", bot.settings.__file__, keywords={"N_": None}
        )
    }
    assert len(messages) > 15
    assert_danish(messages, LOCALE / "settings.po", LOCALE / "settings.mo")
    startup = {
        m
        for _line, m, _comments, _ctx in extract_from_file(
            "python",
            str(Path(bot.settings.__file__).parent / "slack_client.py"),
            keywords={"_startup_text": (1,)},
        )
    }
    assert len(startup) == 2
    assert_danish(startup, LOCALE / "runtime.po", LOCALE / "runtime.mo")
