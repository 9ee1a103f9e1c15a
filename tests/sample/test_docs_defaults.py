"""Documentation that has to work when followed: every setting is in the
README's table, the example dates lie ahead, the backup command makes its
folder, one list of PDF system packages, and the demo's hints run as written."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bot.settings import ENV_NAMES
from reports.pdf import INSTALL_HINT, system_packages

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TODAY = date(2026, 12, 1)  # when these lines were written; see the test below


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_setting_is_in_the_readmes_tables():
    first_cells = [line.split("|")[1] for line in README.splitlines() if line.startswith("| `")]
    for name in ENV_NAMES.values():
        assert any(f"`{name}`" in cell for cell in first_cells), name


def test_the_first_real_run_uses_dates_ahead():
    text = section("First real run")
    opened = re.findall(r"(\d{4}-\d\d-\d\d)T\d\d:\d\d", text)
    assert opened, "no deadline in the example"
    today = max(TODAY, date.today())
    for deadline in opened:
        assert date.fromisoformat(deadline) > today, deadline


def test_the_sqlite_backup_command_works_in_a_fresh_folder(tmp_path):
    [command] = [line for line in section("Backup and restore").splitlines() if ".backup" in line]
    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 command")
    with sqlite3.connect(tmp_path / "statusbot.db") as db:
        db.execute("CREATE TABLE t (x)")
    subprocess.run(command, shell=True, cwd=tmp_path, check=True, timeout=30)
    [backup] = (tmp_path / "backup").iterdir()
    assert backup.name.startswith("statusbot-") and backup.stat().st_size > 0


def test_one_list_of_pdf_system_packages():
    packages = system_packages()
    assert "fonts-dejavu-core" in packages
    assert " ".join(packages) in INSTALL_HINT
    for path in ("Dockerfile", ".ci/run"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "reports/pdf_packages.txt" in text, path
        assert "libpango" not in text, f"{path} keeps its own package list"
    for path in ("README.md", "deploy/README.md"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "reports/pdf_packages.txt" in text and "libpango" not in text, path


def test_make_demo_keeps_the_database_the_readme_looks_at():
    script = (ROOT / "scripts/demo.sh").read_text(encoding="utf-8")
    assert "--out statusbot-demo --keep-db" in script
    assert (
        "STATUSBOT_DATABASE_URL=sqlite:///statusbot-demo/statusbot-demo.db "
        ".venv/bin/statusbot audit" in README
    )
    assert "make demo" in README and ". .venv/bin/activate" in README


def test_the_test_suite_runs_in_parallel_with_latency_tests_alone():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-n auto --dist loadgroup -m "not serial"' in makefile
    assert "pytest -m serial" in makefile
    assert re.search(r"`make test` takes about \d", README)
