"""One consistent command line: the configured language, one text per error,
``--cycle`` everywhere, ``--format`` in any case, ``-o`` checked, no database
created by a command that only reads, ``area list`` and the channel check."""

import os
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.testing.fakeslack import FakeSlack
from storage.models import Area, AuditEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AREA = "Socialområdet"


def future(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def cycle_id(cli) -> int:
    """The example registry imported and a cycle open on it."""
    cli("init")
    cli("import", EXAMPLES / "initiatives.csv")
    opened = cli(
        "cycle", "open", "--area", AREA, "--as-of", datetime.now(UTC).date(),
        "--deadline", future(10),
    )  # fmt: skip
    return int(opened.stdout.strip().splitlines()[-1])


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# ------------------------------------------------------------------ language


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("da", "statusbot: Runde 99 findes ikke."), ("en", "statusbot: Cycle 99 does not exist.")],
)
def test_an_unknown_cycle_reads_the_same_in_every_command(
    cli, cycle_id, monkeypatch, locale, expected
):
    monkeypatch.setenv("STATUSBOT_LOCALE", locale)
    commands = [
        ("cycle", "show", "99"),
        ("cycle", "show", "--cycle", "99"),
        ("cycle", "close", "99"),
        ("cycle", "reopen", "99", "--reason", "x"),
        ("report", "--cycle", "99", "--format", "html"),
        ("review", "compile", "--cycle", "99"),
        ("review", "approve", "--cycle", "99", "--as", "U0ADMIN01"),
        ("review", "publish", "--cycle", "99"),
        ("review", "download", "--cycle", "99"),
        ("audit", "--cycle", "99"),
    ]
    for args in commands:
        result = cli(*args, code=1)
        assert one_line(result.stderr) == expected, args


def test_result_lines_follow_statusbot_locale(cli, cycle_id, monkeypatch, tmp_path):
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    shown = cli("cycle", "show", cycle_id).stdout
    assert "besvaret 0 af 10" in shown and "indsamle svar" in shown
    assert "Pr. ansvarlig" in shown and "answered" not in shown
    closed = cli("cycle", "close", "--cycle", cycle_id).stdout
    assert closed.strip() == f"Runde {cycle_id} er lukket: 0 af 10 besvaret."
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    assert "Der er ingen database på" in cli("cycle", "list", code=1).stderr


def test_an_unknown_area_reads_the_same_in_every_command(cli, cycle_id, tmp_path):
    previous = tmp_path / "previous.docx"
    cli("report", "--cycle", cycle_id, "-o", previous)
    commands = [
        ("cycle", "open", "--area", "Nowhere", "--as-of", "2027-01-01", "--deadline", future(5)),
        ("cycle", "list", "--area", "Nowhere"),
        ("area", "show", "Nowhere"),
        ("area", "set", "Nowhere", "--approvals", "2"),
        ("audit", "--area", "Nowhere"),
        ("roles", "grant", "x@example.dk", "coordinator", "--area", "Nowhere"),
        ("baseline", "import", "--area", "Nowhere", "--as-of", "2026-01-01", previous),
        ("initiative", "list", "--area", "Nowhere"),
        ("initiative", "retire", "Ny chef", "--area", "Nowhere"),
    ]
    seen = {one_line(cli(*args, code=1).stderr) for args in commands}
    assert seen == {f"statusbot: There is no area “Nowhere”. Known areas: {AREA}."}


def test_help_shows_no_type_for_flags(cli):
    for args in (("review", "approve", "--help"), ("serve", "--help"), ("demo", "--help")):
        out = cli(*args).stdout
        assert "<bool>" not in out and "BOOLEAN" not in out, args
        assert "--help" in out


# ------------------------------------------------------------------ --cycle, --format, -o


def test_cycle_is_named_positionally_or_with_the_option(cli, cycle_id):
    assert f"Cycle {cycle_id}" in cli("cycle", "show", "--cycle", cycle_id).stdout
    assert f"Cycle {cycle_id}" in cli("cycle", "show", cycle_id, "--cycle", cycle_id).stdout
    both = cli("cycle", "show", cycle_id, "--cycle", cycle_id + 1, code=2)
    assert "Two different cycles" in one_line(both.stderr)
    neither = cli("cycle", "show", code=2)
    assert one_line(neither.stderr).endswith("(see `statusbot cycle list`).")
    cli("cycle", "close", "--cycle", cycle_id)
    cli("cycle", "reopen", "--cycle", cycle_id, "--reason", "wrong deadline")


def test_format_in_any_case_and_from_the_file_ending(cli, cycle_id, tmp_path):
    out = tmp_path / "r.html"
    assert cli("report", "--cycle", cycle_id, "--format", "HTML", "-o", out).stdout.strip() == str(
        out
    )
    assert out.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    cli("report", "--cycle", cycle_id, "-f", "Md", "-o", tmp_path / "r.md")
    cli("report", "--cycle", cycle_id, "-o", tmp_path / "by-ending.docx")
    assert (tmp_path / "by-ending.docx").read_bytes()[:2] == b"PK"
    unknown = cli("report", "--cycle", cycle_id, "-f", "rtf", code=2)
    assert "rtf" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_format_contradicting_the_file_ending_is_refused(cli, cycle_id, tmp_path):
    out = tmp_path / "r.docx"
    result = cli("report", "--cycle", cycle_id, "--format", "html", "-o", out, code=2)
    assert one_line(result.stderr) == (
        f"statusbot: {out} ends in .docx, which is not a html file; give a file name ending "
        "in .html or another --format."
    )
    assert not out.exists()


def test_output_to_a_folder_or_into_a_missing_folder_is_one_clear_line(cli, cycle_id, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    result = cli("report", "--cycle", cycle_id, "-f", "html", "-o", folder, code=2)
    assert one_line(result.stderr) == f"statusbot: {folder} is a folder; give a file name for -o."

    missing = Path("/statusbot-test-no-such-folder") / "r.html"
    result = cli("report", "--cycle", cycle_id, "-f", "html", "-o", missing, code=2)
    assert "does not exist" in one_line(result.stderr)
    assert not missing.parent.exists()  # nothing created at the filesystem's root

    deep = tmp_path / "a" / "b"
    result = cli("review", "compile", "--cycle", cycle_id, "-o", deep, code=2)
    assert "does not exist" in one_line(result.stderr) and not deep.parent.exists()
    a_file = tmp_path / "r.html"
    a_file.write_text("x")
    result = cli("review", "compile", "--cycle", cycle_id, "-o", a_file, code=2)
    assert "is a file" in one_line(result.stderr)


def test_reports_are_written_with_the_umasks_mode(cli, cycle_id, tmp_path):
    previous = os.umask(0o027)  # the systemd unit's UMask
    try:
        cli("report", "--cycle", cycle_id, "-o", tmp_path / "shared.md")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "shared.md").stat().st_mode) == 0o640


# ------------------------------------------------------------------ read-only commands


READ_ONLY = [
    ("cycle", "list"),
    ("cycle", "show", "1"),
    ("audit",),
    ("report", "--cycle", "1", "-f", "md"),
    ("area", "list"),
    ("area", "show", "x"),
    ("roles", "list"),
    ("review", "download", "--cycle", "1"),
    ("initiative", "list"),
]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a))
def test_read_only_commands_never_create_a_database(cli, tmp_path, monkeypatch, args):
    path = tmp_path / "nothing-here.db"
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", f"sqlite:///{path}")
    result = cli(*args, code=1)
    assert one_line(result.stderr) == (
        f"statusbot: There is no database at {path}; run `statusbot init` first."
    )
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("oauth", [False, True], ids=["single", "multi-workspace"])
def test_doctor_does_not_create_the_database_either(cli, tmp_path, monkeypatch, oauth):
    path = tmp_path / "nothing-here.db"
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", f"sqlite:///{path}")
    if oauth:  # doctor then also reads the installations
        monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
        monkeypatch.setenv("SLACK_CLIENT_SECRET", "oauth-test-client-secret-0123456789")
    out = cli("doctor", code=1).stdout
    assert f"there is no database at {path}: run `statusbot init`" in out
    assert not path.exists()


@pytest.mark.parametrize("args", READ_ONLY[:4], ids=lambda a: " ".join(a))
def test_read_only_commands_on_an_empty_database_say_run_init(cli, db_url, args):
    """The test database exists but has no schema (SQLite file or PostgreSQL schema)."""
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).touch()
    result = cli(*args, code=1)
    assert "is empty; run `statusbot init` first." in one_line(result.stderr)


# ------------------------------------------------------------------ areas


def test_area_list_shows_every_area_with_its_settings(cli, cycle_id):
    assert "No areas" not in cli("area", "list").stdout
    cli("area", "set", AREA, "--approvals", "2", "--remind", "3d,1d", "--intro", "Indledning her.")
    out = cli("area", "list").stdout
    row = next(line for line in out.splitlines() if AREA in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[1:] == [AREA, "—", "2", "3d,1d", "10", "Indledning her."]


def test_area_list_before_any_import(cli):
    cli("init")
    assert "No areas yet" in cli("area", "list").stdout


@pytest.fixture
def slack(cli, cycle_id, monkeypatch):
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake.token)
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        yield fake


def area_row(db) -> Area:
    with db() as session:
        return session.scalars(select(Area).where(Area.name == AREA)).one()


def channel_of(db) -> str | None:
    return area_row(db).report_channel


def test_channel_must_be_an_id(cli, cycle_id, db):
    result = cli("area", "set", AREA, "--channel", "#rapporter", code=1)
    assert "is not a Slack channel id" in one_line(result.stderr)
    assert channel_of(db) is None


def test_channel_without_a_token_is_saved_unchecked(cli, cycle_id, db):
    out = cli("area", "set", AREA, "--channel", "c0reports1").stdout
    assert "not checked with Slack" in out
    assert channel_of(db) == "C0REPORTS1"


def test_channel_the_bot_is_in_is_saved(cli, slack, db):
    slack.add_channel("C0REPORTS1", "rapporter")
    out = cli("area", "set", AREA, "--channel", "C0REPORTS1").stdout
    assert "Slack: the bot is a member of #rapporter." in out
    assert channel_of(db) == "C0REPORTS1"
    asked = [c for c in slack.calls if c.method == "conversations.info"]
    assert [c.params["channel"] for c in asked] == ["C0REPORTS1"]


@pytest.mark.parametrize(
    ("channel", "private", "member", "says"),
    [
        ("C0OUTSIDE1", False, False, "The bot is not a member of #udenfor (C0OUTSIDE1)"),
        ("G0PRIVATE1", True, False, "Slack knows no channel G0PRIVATE1 that the bot can see"),
        ("C0UNKNOWN1", None, None, "Slack knows no channel C0UNKNOWN1 that the bot can see"),
    ],
)
def test_channel_the_bot_cannot_post_to_is_refused(
    cli, slack, db, channel, private, member, says
):
    slack.add_channel("C0BEFORE01", "før")
    cli("area", "set", AREA, "--channel", "C0BEFORE01")
    if private is not None:
        slack.add_channel(channel, "udenfor", private=private, bot_is_member=member)
    result = cli("area", "set", AREA, "--channel", channel, "--approvals", "2", code=1)
    line = one_line(result.stderr)
    assert says in line and line.endswith("Nothing was changed.")
    assert channel_of(db) == "C0BEFORE01"
    assert area_row(db).approvals_required in (None, 1)  # --approvals was not saved either


def test_slack_unreachable_changes_nothing(cli, cycle_id, db, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-nobody-listens")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    result = cli("area", "set", AREA, "--channel", "C0REPORTS1", code=1)
    assert "Cannot reach Slack" in one_line(result.stderr)
    assert channel_of(db) is None


def test_registry_lines_follow_statusbot_locale(cli, monkeypatch, tmp_path):
    """The import plan and the initiative commands (issue 11) speak Danish too."""
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    cli("init")
    (tmp_path / "a.csv").write_text(
        "nr;område;udviklingsspor;tiltag;ansvarlig\nSOC-1;Soc;Org;Ny chef;U0AAAAAA1\n"
        "SOC-2;Soc;Org;Møder;U0BBBBBB1\n",
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text(
        "nr;område;udviklingsspor;tiltag\nSOC-1;Soc;Ledelse;Ny områdechef\n", encoding="utf-8"
    )
    cli("import", "a.csv")
    planned = cli("import", "b.csv", "--dry-run").stdout
    assert "linje 2: flyttet: Soc / Ledelse / Ny områdechef" in planned
    assert "ikke i filen: mangler, beholdt: Soc / Org / Møder" in planned
    assert "1 tiltag er ikke i filen og er beholdt; brug --retire-missing" in planned
    assert "Prøvekørsel af b.csv" in planned and "Prøvekørsel: intet blev ændret." in planned
    listed = cli("initiative", "list").stdout
    assert "stedfortræder" in listed and "aktivt" in listed
    moved = cli("initiative", "move", "SOC-2", "--track", "Drift", "--area", "Soc Syd").stdout
    assert moved.splitlines()[:4] == [
        "Flyttet: Soc / Org / Møder",
        "  → Soc Syd / Drift / Møder",
        "  oprettede området Soc Syd",
        "  oprettede udviklingssporet Drift",
    ]
    assert cli("initiative", "retire", "SOC-2").stdout.strip() == "Udgået: Soc Syd / Drift / Møder"
    english = re.compile(r"(?<!-)\b(line|moved|missing|kept|Dry run|active|created)\b")
    for line in planned.splitlines() + listed.splitlines() + moved.splitlines():
        assert not english.search(line), line


# ------------------------------------------------------------------ audit


def test_audit_shows_zones_readable_details_and_the_area_of_imports(cli, cycle_id, monkeypatch):
    monkeypatch.setenv("STATUSBOT_TIMEZONE", "America/New_York")
    cli("area", "set", AREA, "--channel", "C0REPORTS1", "--intro", "Ny indledning")
    out = cli("audit").stdout
    assert "Audit log (times in America/New_York)" in out
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T", out)
    assert "{'" not in out and "=" not in out
    assert "report_channel: — → C0REPORTS1" in out
    import_row = next(line for line in out.splitlines() if "│ import " in line)
    assert AREA in import_row and "file: initiatives.csv" in import_row

    only_area = cli("audit", "--area", AREA).stdout
    assert "│ import " in only_area and "cycle.open" in only_area


def test_audit_times_are_the_stored_instants(cli, cycle_id, db, monkeypatch):
    monkeypatch.setenv("STATUSBOT_TIMEZONE", "Europe/Copenhagen")
    with db() as session:
        first = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    from zoneinfo import ZoneInfo

    expected = first.created_at.astimezone(ZoneInfo("Europe/Copenhagen"))
    assert expected.strftime("%Y-%m-%d %H:%M:%S %Z") in cli("audit").stdout


# ------------------------------------------------------------------ the demo's hint


def test_the_demos_hint_names_the_command_that_runs_here(tmp_path, monkeypatch):
    from bot.cli import demo

    script = tmp_path / ".venv" / "bin" / "statusbot"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script), "demo"])
    monkeypatch.setattr(demo.shutil, "which", lambda _name: None)  # not on PATH
    assert demo.statusbot_command() == ".venv/bin/statusbot"
    monkeypatch.setattr(demo.shutil, "which", lambda _name: "/usr/local/bin/statusbot")
    assert demo.statusbot_command() == "statusbot"


def test_channel_checked_with_the_workspaces_installation(cli, db, db_url, monkeypatch):
    """Multi-workspace installs have no SLACK_BOT_TOKEN: the workspace's
    installation's token asks Slack."""
    import time

    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from storage.db import make_engine

    cli("init")
    cli("import", EXAMPLES / "initiatives.csv", "--team", "TA")
    cli("import", EXAMPLES / "initiatives.csv", "--team", "TB")
    with FakeSlack() as fake:
        token = "xoxb-TA-installed"
        fake.team_tokens[token] = {"team_id": "TA", "team_name": "A", "bot_user_id": "UB"}
        fake.add_channel("C0TAREPORT", "rapporter", bot_is_member=False)
        engine = make_engine(db_url)
        store = SQLAlchemyInstallationStore(client_id="1111.2222", engine=engine)
        store.save(
            Installation(
                app_id="A0FAKE", team_id="TA", bot_token=token, bot_id="B", bot_user_id="UB",
                user_id="U0INSTALL", installed_at=time.time(),
            )
        )  # fmt: skip
        engine.dispose()
        monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
        monkeypatch.setenv("SLACK_CLIENT_SECRET", "oauth-test-client-secret-0123456789")
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        result = cli("area", "set", AREA, "--team", "TA", "--channel", "C0TAREPORT", code=1)
        assert "The bot is not a member of #rapporter" in one_line(result.stderr)
        [asked] = [c for c in fake.calls if c.method == "conversations.info"]
        assert asked.token == token
        # TB has not installed the app: no token to ask with.
        unchecked = cli("area", "set", AREA, "--team", "TB", "--channel", "C0TBREPORT")
        assert "not checked with Slack" in unchecked.stdout
