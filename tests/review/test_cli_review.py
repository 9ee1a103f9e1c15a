import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from review_world import answer_all
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, db_url, engine):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def open_cycle_now(session, cycle):  # type: ignore[no-untyped-def]
    """The CLI runs on the system clock: keep the deadline ahead of it."""
    cycle.deadline = datetime.now(UTC) + timedelta(days=7)
    session.commit()
    return cycle


def test_compile_approve_download_and_audit(cli_env, session, world, open_cycle_now, tmp_path):
    cycle = open_cycle_now
    answer_all(session, world, cycle)
    result = runner.invoke(
        app, ["review", "compile", "--cycle", str(cycle.id), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "DRAFT 1 — 4 of 4 answered" in result.output
    assert (tmp_path / "status-socialomraadet-2026-03-01-draft-1.docx").exists()

    approve = ["review", "approve", "--cycle", str(cycle.id), "--as", "UCOORD"]
    result = runner.invoke(app, approve)
    assert result.exit_code == 0, result.output
    assert "Approved cycle" in result.output
    again = runner.invoke(app, approve)
    assert "already approved" in again.output

    out = tmp_path / "approved"
    result = runner.invoke(app, ["review", "download", "--cycle", str(cycle.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    docx = out / "status-socialomraadet-2026-03-01-approved.docx"
    assert hashlib.sha256(docx.read_bytes()).hexdigest() in result.output

    result = runner.invoke(app, ["audit", "--cycle", str(cycle.id)])
    assert result.exit_code == 0, result.output
    for action in ("cycle.open", "review.compile", "review.approve"):
        assert action in result.output
    assert result.output.count("review.approve") == 1


def test_approve_with_missing_needs_the_flag(cli_env, session, world, open_cycle_now):
    cycle = open_cycle_now
    approve = ["review", "approve", "--cycle", str(cycle.id), "--as", "UCOORD"]
    result = runner.invoke(app, approve)
    assert result.exit_code == 1
    assert "Ansættelse af fagchef" in result.output
    assert "--with-missing" in result.output
    result = runner.invoke(app, [*approve, "--with-missing"])
    assert result.exit_code == 0, result.output


def test_area_set_and_show(cli_env, session, world):
    result = runner.invoke(
        app,
        [
            "area",
            "set",
            "Socialområdet",
            "--channel",
            "c0123abcd",
            "--approvals",
            "2",
            "--remind",
            "1d,3d",
            "--intro",
            "Halvårlig status.",
        ],
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert world.area.report_channel == "C0123ABCD"
    assert world.area.approvals_required == 2
    assert world.area.default_reminders == "3d,1d"
    assert world.area.intro == "Halvårlig status."
    bad = runner.invoke(app, ["area", "set", "Socialområdet", "--approvals", "3"])
    assert bad.exit_code == 1
    assert "1 or 2" in bad.output
    audit = runner.invoke(app, ["audit", "--area", "Socialområdet"])
    assert "area.settings" in audit.output
