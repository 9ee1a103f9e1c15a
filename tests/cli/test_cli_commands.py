"""The setup and cycle commands end to end, in a temporary working folder."""

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import AuditEvent, Cycle, Entry, Initiative, Job, Person, RoleGrant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def future(days):
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_full_walk_through(cli, db, tmp_path):
    first = cli("init")
    assert "upgraded" in first.stdout
    assert "up to date" in cli("init").stdout

    result = cli("import", EXAMPLES / "initiatives.csv")
    assert re.search(r"initiatives created\s*│\s*10", result.stdout)
    assert re.search(
        r"initiatives unchanged\s*│\s*10", cli("import", EXAMPLES / "initiatives.xlsx").stdout
    )

    cli("roles", "grant", "karin@example.dk", "coordinator", "--area", "socialområdet")
    cli("roles", "grant", "karin@example.dk", "coordinator", "--area", "Socialområdet")  # again
    cli("roles", "grant", "U0ADMIN001", "admin")
    assert "Socialområdet" in cli("roles", "list").stdout

    opened = cli(
        "cycle",
        "open",
        "--area",
        "Socialområdet",
        "--as-of",
        datetime.now(UTC).date(),
        "--deadline",
        future(10),
        "--remind",
        "3d,1d",
        "--title",
        "Status pr. test",
    )
    last = opened.stdout.strip().splitlines()[-1]
    assert last.isdigit()
    cycle_id = int(last)
    assert "Status pr. test" in cli("cycle", "list").stdout
    shown = cli("cycle", "show", cycle_id).stdout
    assert "answered 0 of 10" in shown and "Fælles metode til sagsbehandling" in shown

    cli("cycle", "close", cycle_id)
    cli("cycle", "close", cycle_id, code=1)
    cli("cycle", "reopen", cycle_id, "--reason", "Forkert frist")

    with db() as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == 10
        assert s.scalar(select(func.count()).select_from(RoleGrant)) == 2
        assert s.scalar(select(func.count()).select_from(Entry)) == 10
        cycle = s.get(Cycle, cycle_id)
        assert cycle.state == "collecting" and cycle.title == "Status pr. test"
        kinds = {j.kind for j in s.scalars(select(Job).where(Job.cycle_id == cycle_id))}
        # Reopened: everyone's prompt is refreshed (its buttons work again).
        assert kinds == {"prompt", "reminder_round", "digest", "refresh_prompts"}
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"import", "role.grant", "cycle.open", "cycle.close", "cycle.reopen"} <= actions
        labels = set(s.scalars(select(AuditEvent.actor_label)))
        assert all(label.startswith("cli:") for label in labels)


def test_commands_before_init_say_so(cli):
    result = cli("cycle", "list", code=1)
    assert "statusbot init" in result.stderr


def test_bad_import_lists_lines_and_exits_1(cli, db, tmp_path):
    cli("init")
    bad = tmp_path / "bad.csv"
    bad.write_text("area;track;initiative;owner\nA;T;;U0OWNER01\nA;T;X;nobody\n", encoding="utf-8")
    result = cli("import", bad, code=1)
    assert "line 2" in result.stderr and "line 3" in result.stderr
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0
    cli("import", tmp_path / "missing.csv", code=2)


def test_cycle_open_usage_and_rule_errors(cli):
    cli("init")
    cli("import", EXAMPLES / "initiatives.csv")
    today = datetime.now(UTC).date()
    bad_date = cli(
        "cycle", "open", "--area", "1", "--as-of", "1/4", "--deadline", future(3), code=2
    )
    assert "YYYY-MM-DD" in bad_date.stderr
    cli("cycle", "open", "--area", "1", "--as-of", today, "--deadline", "soon", code=2)
    cli(
        "cycle",
        "open",
        "--area",
        "1",
        "--as-of",
        today,
        "--deadline",
        future(3),
        "--remind",
        "3x",
        code=2,
    )
    past = cli("cycle", "open", "--area", "1", "--as-of", today, "--deadline", future(-1), code=1)
    assert "future" in past.stderr
    unknown = cli(
        "cycle", "open", "--area", "Nowhere", "--as-of", today, "--deadline", future(3), code=1
    )
    assert "Socialområdet" in unknown.stderr  # lists the known areas
    cli("cycle", "open", "--area", "1", "--as-of", today, code=2)  # missing option
    cli("cycle", "show", 99, code=1)
    cli("roles", "grant", "not-a-user", "admin", code=1)
    cli("roles", "grant", "U0ADMIN001", "coordinator", code=1)  # needs --area


def test_settings_error_is_one_line_exit_2(cli, monkeypatch):
    monkeypatch.setenv("STATUSBOT_TIMEZONE", "Mars/Olympus")
    result = cli("cycle", "list", code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "STATUSBOT_TIMEZONE" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_dotenv_file_is_read(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("STATUSBOT_DATABASE_URL")
    (tmp_path / ".env").write_text("STATUSBOT_TICK_SECONDS=never\n", encoding="utf-8")
    result = cli("init", code=2)
    assert "STATUSBOT_TICK_SECONDS" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STATUSBOT_LOCALE", "fr"),
        ("STATUSBOT_WORKING_HOURS", "9-5"),
        ("STATUSBOT_DATABASE_URL", "not a url"),
    ],
)
def test_settings_errors_through_the_console_script(tmp_path, variable, value):
    """The installed entry point: one line naming the variable, exit 2, no traceback."""
    exe = shutil.which("statusbot") or str(Path(sys.executable).with_name("statusbot"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATUSBOT_", "SLACK_"))}
    env[variable] = value
    done = subprocess.run(
        [exe, "cycle", "list"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_each_workspace_is_set_up_with_team(cli, db):
    """A multi-workspace install: the same file into two workspaces, roles and
    cycles per workspace; nothing of one is reachable from the other."""
    cli("init")
    cli("import", EXAMPLES / "initiatives.csv", "--team", "TA")
    cli("import", EXAMPLES / "initiatives.csv", "--team", "TB")
    cli(
        "roles",
        "grant",
        "karin@example.dk",
        "coordinator",
        "--area",
        "Socialområdet",
        "--team",
        "TA",
    )
    assert "karin@example.dk" in cli("roles", "list", "--team", "TA").stdout
    assert "Nobody has a role yet" in cli("roles", "list", "--team", "TB").stdout
    assert "Nobody has a role yet" in cli("roles", "list").stdout  # the single workspace ""
    opened = cli(
        "cycle",
        "open",
        "--team",
        "TB",
        "--area",
        "Socialområdet",
        "--as-of",
        datetime.now(UTC).date(),
        "--deadline",
        future(10),
        "--remind",
        "",
    )
    cycle_id = int(opened.stdout.strip().splitlines()[-1])
    assert "No cycles yet" in cli("cycle", "list", "--team", "TA").stdout
    assert str(cycle_id) in cli("cycle", "list", "--team", "TB").stdout
    with db() as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle.area.team_id == "TB"
        teams = {
            job.team_id for job in session.scalars(select(Job).where(Job.cycle_id == cycle_id))
        }
        assert teams == {"TB"}  # its prompts go out with TB's token
        area_b = cycle.area.id
        assert {p.team_id for p in session.scalars(select(Person))} == {"TA", "TB"}
    # Another workspace's area is unknown, by name (none in "") and by id.
    refused = cli("area", "show", str(area_b), "--team", "TA", code=1)
    assert "There is no area" in refused.stderr
    cli(
        "cycle",
        "open",
        "--area",
        "Socialområdet",
        "--as-of",
        "2024-03-01",
        "--deadline",
        future(5),
        code=1,
    )
    assert "not a Slack workspace id" in cli("roles", "list", "--team", "acme", code=2).stderr
