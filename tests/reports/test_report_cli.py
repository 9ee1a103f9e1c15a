from pathlib import Path

import pytest
from report_fixture import Fixture
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.mark.parametrize("fmt", ["html", "docx", "md"])
def test_report_writes_exactly_the_path(env: Fixture, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "ud" / f"rapport.{fmt}"
    out.parent.mkdir()  # -o never creates folders
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 500
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_report_default_name_and_english(env: Fixture, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), "--format", "md", "--locale", "en"]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "status-sundheds-og-omsorgsomraadet-2024-04-01.md"
    assert result.output.strip().splitlines()[-1] == path.name
    assert path.read_text().startswith("# Status of the development process in Sundheds")


def test_unknown_cycle_fails_cleanly(env: Fixture) -> None:
    result = runner.invoke(app, ["report", "--cycle", "999", "--format", "html"])
    assert result.exit_code == 1
    assert "Runde 999 findes ikke." in result.output  # STATUSBOT_LOCALE=da


def test_pdf_without_typst_says_what_to_install(
    env: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.pdf_available", lambda: False)  # imported by the command
    result = runner.invoke(
        app, ["report", "--cycle", str(env.second.id), "--format", "pdf", "-o", "x.pdf"]
    )
    assert result.exit_code == 1
    assert "pip install 'statusbot[pdf]'" in result.output
    assert "Typst" in result.output
    assert not Path("x.pdf").exists()


def test_baseline_import_command(env: Fixture, tmp_path: Path) -> None:
    report = tmp_path / "forrige.docx"
    assert (
        runner.invoke(
            app, ["report", "--cycle", str(env.second.id), "-f", "docx", "-o", str(report)]
        ).exit_code
        == 0
    )
    args = [
        "baseline",
        "import",
        "--area",
        "sundheds- og omsorgsområdet",
        "--as-of",
        "2024-04-15",
        str(report),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].isdigit()
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "har allerede en tidligere rapport pr." in again.output


def test_baseline_import_bad_input(env: Fixture, tmp_path: Path) -> None:
    bad_date = runner.invoke(
        app, ["baseline", "import", "--area", "x", "--as-of", "15/4", "nofile.docx"]
    )
    assert bad_date.exit_code == 2 and "ISO-dato" in bad_date.output  # STATUSBOT_LOCALE=da
    (tmp_path / "fake.docx").write_bytes(b"nope")
    not_docx = runner.invoke(
        app,
        [
            "baseline",
            "import",
            "--area",
            "Sundheds- og Omsorgsområdet",
            "--as-of",
            "2024-04-15",
            "fake.docx",
        ],
    )
    assert not_docx.exit_code == 1 and "kan ikke læses som et Word-dokument" in not_docx.output
    assert "zip" not in not_docx.output  # no library's English words
    no_area = runner.invoke(
        app, ["baseline", "import", "--area", "Ukendt", "--as-of", "2024-04-15", "fake.docx"]
    )
    assert no_area.exit_code == 1


def test_baseline_import_refuses_an_as_of_the_document_contradicts(
    env: Fixture, tmp_path: Path
) -> None:
    report = tmp_path / "forrige.docx"
    cycle = ["report", "--cycle", str(env.second.id), "-f", "docx", "-o", str(report)]
    assert runner.invoke(app, cycle).exit_code == 0
    args = ["baseline", "import", "--area", "sundheds- og omsorgsområdet", "--as-of", "2023-01-31"]
    refused = runner.invoke(app, [*args, str(report)])
    assert refused.exit_code == 1
    assert "2023-01-31" in refused.output and "--force" in refused.output
    forced = runner.invoke(app, [*args, "--force", str(report)])
    assert forced.exit_code == 0, forced.output
