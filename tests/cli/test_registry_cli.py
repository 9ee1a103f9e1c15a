"""``statusbot import --dry-run/--retire-missing`` and ``statusbot initiative …`` (issue 11)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory
from storage.models import AuditEvent, Initiative

FILE = (
    "nr;område;udviklingsspor;tiltag;ansvarlig\n"
    "SOC-1;Soc;Org;Ny chef;U0AAAAAA1\n"
    "SOC-2;Soc;Org;Møder;U0BBBBBB1\n"
)


@pytest.fixture
def cli(cli, tmp_path):  # type: ignore[no-untyped-def]
    """tests/cli/conftest.py's runner (English), with a.csv imported."""
    cli("init")
    (tmp_path / "a.csv").write_text(FILE, encoding="utf-8")
    cli("import", "a.csv")
    return cli


@pytest.fixture
def titles(db_url):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    factory = make_session_factory(engine)

    def read() -> dict[str, tuple[str, str, bool]]:
        with factory() as session:
            return {
                i.nr: (i.track.area.name, i.title, i.active)
                for i in session.scalars(select(Initiative))
            }

    yield read
    engine.dispose()


def test_import_dry_run_prints_the_plan_and_changes_nothing(cli, titles, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "b.csv").write_text(
        "nr;område;udviklingsspor;tiltag\nSOC-1;Soc;Ledelse;Ny områdechef\n", encoding="utf-8"
    )
    before = titles()
    out = cli("import", "b.csv", "--dry-run", "--retire-missing").stdout
    assert "line 2: moved: Soc / Ledelse / Ny områdechef (moved from Org, title: Ny chef" in out
    assert "not in file: retired: Soc / Org / Møder" in out
    assert "no column ansvarlig (owner): owners and delegates are left unchanged" in out
    assert "nothing was changed" in out
    assert titles() == before
    out = cli("import", "b.csv").stdout
    assert "not in file: missing, kept: Soc / Org / Møder" in out
    assert "pass --retire-missing" in out
    assert titles() == {"SOC-1": ("Soc", "Ny områdechef", True), "SOC-2": ("Soc", "Møder", True)}


def test_initiative_commands(cli, titles, db_url):  # type: ignore[no-untyped-def]
    listed = cli("initiative", "list", "--area", "Soc").stdout
    assert "SOC-1" in listed and "U0AAAAAA1" in listed and "active" in listed
    assert "Would rename" in cli("initiative", "rename", "SOC-2", "Nye møder", "--dry-run").stdout
    assert titles()["SOC-2"][1] == "Møder"
    cli("initiative", "rename", "møder", "Nye møder")
    out = cli("initiative", "move", "SOC-2", "--track", "Drift", "--area", "Soc Syd").stdout
    assert "created area Soc Syd" in out and "→ Soc Syd / Drift / Nye møder" in out
    cli("initiative", "retire", "SOC-2")
    assert titles()["SOC-2"] == ("Soc Syd", "Nye møder", False)
    assert "retired already" in cli("initiative", "retire", "SOC-2", code=1).stderr
    cli("initiative", "restore", "SOC-2")
    assert titles()["SOC-2"][2] is True
    assert "No initiative has the key" in cli("initiative", "rename", "XX", "Y", code=1).stderr
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        actions = [a.action for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    engine.dispose()
    assert actions[-4:] == [
        "initiative.rename", "initiative.move", "initiative.retire", "initiative.restore",
    ]  # fmt: skip
