"""Usage errors (a missing option, an unknown option or command, a value of the
wrong kind) read in STATUSBOT_LOCALE's language like every other line, in the
same form: the usage line, where to find help, then ``statusbot: <error>``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import usage

# (arguments, the error line in English, the same in Danish)
CASES = [
    (
        ("cycle", "open", "--area", "Social"),
        "Missing option '--as-of'.",
        "Tilvalget '--as-of' mangler.",
    ),
    (
        ("cycle", "list", "--bogus"),
        "No such option: --bogus",
        "Tilvalget findes ikke: --bogus",
    ),
    (
        ("report", "--cycle", "1", "--formt", "docx"),
        "No such option: --formt (Possible options: --format)",
        "Tilvalget findes ikke: --formt (mulige tilvalg: --format)",
    ),
    (
        ("cycle", "lst"),
        "No such command 'lst'. Did you mean 'list'?",
        "Kommandoen 'lst' findes ikke. Mente du 'list'?",
    ),
    (
        ("report", "--cycle"),
        "Option '--cycle' needs a value.",
        "Tilvalget '--cycle' skal have en værdi.",
    ),
    (
        ("cycle", "show", "abc"),
        "Invalid value for 'ID': 'abc' is not a whole number.",
        "Ugyldig værdi for 'ID': 'abc' er ikke et heltal.",
    ),
    (
        ("report", "--cycle", "1", "--format", "odt"),
        "Invalid value for '--format' / '-f': 'odt' is not one of "
        "'html', 'docx', 'pdf', 'md', 'pptx'.",
        "Ugyldig værdi for '--format' / '-f': 'odt' er ikke en af "
        "'html', 'docx', 'pdf', 'md', 'pptx'.",
    ),
    (
        ("audit", "--limit", "0"),
        "Invalid value for '--limit': It must be at least 1.",
        "Ugyldig værdi for '--limit': Den skal være mindst 1.",
    ),
    (
        ("cycle", "show", "1", "2"),
        "Unexpected extra arguments: 2",
        "Uventede ekstra argumenter: 2",
    ),
]


@pytest.mark.parametrize(("args", "english", "danish"), CASES, ids=lambda v: " ".join(v))
def test_usage_errors_in_both_languages(cli, monkeypatch, args, english, danish):
    shown = {}
    for locale in ("en", "da"):
        monkeypatch.setenv("STATUSBOT_LOCALE", locale)
        result = cli(*args, code=2)
        assert result.stdout == ""
        shown[locale] = result.stderr.strip().splitlines()
    assert shown["en"][-1] == f"statusbot: {english}"
    assert shown["da"][-1] == f"statusbot: {danish}"
    for line in shown["da"]:
        assert not line.startswith(("Usage:", "Try ", "Error")), line
        assert "╭" not in line  # Typer's English error panel is not drawn


def test_usage_line_and_help_hint_are_translated(cli, monkeypatch):
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    lines = cli("cycle", "open", "--area", "Social", code=2).stderr.strip().splitlines()
    assert lines == [
        "Brug: statusbot cycle open [OPTIONS]",
        "Skriv 'statusbot cycle open --help' for at få hjælp.",
        "statusbot: Tilvalget '--as-of' mangler.",
    ]
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    lines = cli("cycle", "open", "--area", "Social", code=2).stderr.strip().splitlines()
    assert lines[:2] == [
        "Usage: statusbot cycle open [OPTIONS]",
        "Try 'statusbot cycle open --help' for help.",
    ]


def test_a_missing_argument(cli, monkeypatch):
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    error = cli("roles", "grant", "U0TEST", code=2).stderr.strip().splitlines()[-1]
    assert error == "statusbot: Argumentet 'ROLE' mangler."


def test_usage_errors_are_told_even_when_the_settings_are_bad(cli, monkeypatch):
    """A usage error comes before the settings are checked: it is still shown in
    STATUSBOT_LOCALE's language (settings errors have their own line)."""
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    monkeypatch.setenv("STATUSBOT_TICK_SECONDS", "often")
    error = cli("cycle", "list", "--bogus", code=2).stderr.strip().splitlines()[-1]
    assert error == "statusbot: Tilvalget findes ikke: --bogus"
    monkeypatch.setenv("STATUSBOT_LOCALE", "EN")
    assert usage.cli_locale() == "en"


def test_help_and_success_keep_their_exit_codes(cli):
    assert "Usage" in cli("cycle", "--help").stdout
    cli("init")
    cli("cycle", "list")


def test_no_arguments_shows_the_help_and_exits_2(cli):
    result = cli(code=2)
    assert "Commands" in result.stdout and result.stderr == ""


def test_the_installed_command_prints_the_same(tmp_path):
    """Through the real entry point: the same lines, and exit code 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATUSBOT_", "SLACK_"))}
    env.update(STATUSBOT_LOCALE="da", STATUSBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    done = subprocess.run(
        [Path(sys.executable).with_name("statusbot"), "cycle", "open", "--area", "Social"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "statusbot: Tilvalget '--as-of' mangler."
    assert not (tmp_path / "x.db").exists()
