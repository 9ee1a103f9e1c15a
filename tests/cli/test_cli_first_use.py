"""What a new user trips on, as the issue's attack run found it: one wording
and one exit code for a missing file, the unknown cycle said first, role and
phase names in Danish accepted and shown, counts that agree, the audit log in
the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer.main

from bot.cli import app
from bot.cli.helpers import CYCLE_HELP

REGISTRY = (
    "område;udviklingsspor;tiltag;ansvarlig;nr\n"
    "Socialområdet;Ledelse;Ny ledelsesstruktur;lene@example.dk;SOC-01\n"
    "Socialområdet;Ledelse;Fast mødekalender;lene@example.dk;SOC-02\n"
    "Socialområdet;Faglighed;Fælles metode;mads@example.dk;SOC-03\n"
)


@pytest.fixture
def world(cli, tmp_path: Path):
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    cli("init")
    cli("import", "registry.csv")
    cli("roles", "grant", "karin@example.dk", "coordinator", "--area", "Socialområdet")
    deadline = datetime.now(UTC) + timedelta(days=20)
    cli(
        "cycle", "open", "--area", "Socialområdet",
        "--as-of", (deadline - timedelta(days=10)).date().isoformat(),
        "--deadline", deadline.strftime("%Y-%m-%dT12:00"),
    )
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("import", "nope.csv"),
        ("baseline", "import", "--area", "Socialområdet", "--as-of", "2026-01-01", "nope.docx"),
        ("answers", "import", "nope.xlsx", "--cycle", "1", "--as", "karin@example.dk"),
        ("entry", "set", "--cycle", "1", "--initiative", "SOC-01", "--text-file", "nope.txt",
         "--as", "karin@example.dk"),
        ("area", "set", "Socialområdet", "--intro-file", "nope.txt"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_missing_file_is_one_line_exit_2_everywhere(world, args, monkeypatch) -> None:
    for locale, line in (("en", "no such file."), ("da", "filen findes ikke.")):
        monkeypatch.setenv("STATUSBOT_LOCALE", locale)
        result = world(*args, code=2)
        name = next(a for a in args if a.startswith("nope."))
        assert result.stderr.strip() == f"statusbot: {name}: {line}"


def test_a_folder_is_not_a_file(world, tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    result = world("import", "folder.csv", code=2)
    assert result.stderr.strip() == "statusbot: folder.csv is a folder, not a file."


def test_unknown_cycle_is_said_before_a_missing_format(world, monkeypatch) -> None:
    assert world("report", "--cycle", "99", code=1).stderr.strip() == (
        "statusbot: Cycle 99 does not exist."
    )


def test_role_names_in_danish_are_accepted(world, monkeypatch) -> None:
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    out = world("roles", "grant", "lene@example.dk", "Koordinator", "--area", "Socialområdet")
    assert "har fået rollen koordinator for Socialområdet" in out.stdout
    world("roles", "grant", "mads@example.dk", "administrator")
    listed = world("roles", "list").stdout
    assert listed.count("koordinator") == 2 and "administrator" in listed
    world("roles", "revoke", "lene@example.dk", "koordinator", "--area", "Socialområdet")
    refused = world("roles", "grant", "mads@example.dk", "chef", code=1).stderr
    assert "brug koordinator (coordinator) eller administrator (admin)" in refused


def test_a_bad_phase_lists_the_phases_by_name(world, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "svar.txt").write_text("Godt i gang.", encoding="utf-8")
    args = ("entry", "set", "--cycle", "1", "--initiative", "SOC-01", "--text-file", "svar.txt",
            "--as", "karin@example.dk", "--phase", "halvvejs")
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    line = world(*args, code=1).stderr.strip()
    assert line.endswith("vælg en af: Ikke startet, I gang, Afsluttet, Udskudt.")
    assert "not_started" not in line
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    assert world(*args, code=1).stderr.strip().endswith(
        "choose one of: Not started, In progress, Completed, Postponed."
    )


def test_cycle_list_and_show_count_alike(world, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "svar.txt").write_text("Godt i gang.", encoding="utf-8")
    world("entry", "set", "--cycle", "1", "--initiative", "SOC-01", "--text-file", "svar.txt",
          "--as", "karin@example.dk")
    world("initiative", "retire", "SOC-03")  # withdrawn from the round: in neither count
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    listed = world("cycle", "list").stdout
    shown = world("cycle", "show", "1").stdout
    assert "1 af 2" in listed and "1/" not in listed
    assert "besvaret 1 af 2" in shown


def test_every_cycle_option_is_described_alike() -> None:
    command = typer.main.get_command(app)
    helps: dict[str, str] = {}

    def walk(group, path: str) -> None:
        for name, sub in getattr(group, "commands", {}).items():
            walk(sub, f"{path} {name}")
        for param in getattr(group, "params", []):
            if "--cycle" in getattr(param, "opts", []):
                helps[path] = param.help
    walk(command, "statusbot")
    assert len(helps) >= 8
    assert set(helps.values()) == {CYCLE_HELP}, helps


def test_the_audit_log_speaks_danish(world, monkeypatch) -> None:
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    shown = world("audit").stdout
    assert "fil: registry.csv" in shown and "udfas manglende: nej" in shown
    for english in ("file:", "retire_missing", "False", "True", "kind:"):
        assert english not in shown
