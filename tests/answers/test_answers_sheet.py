"""``statusbot answers export`` / ``answers import``: the round's answers as a
spreadsheet and back, through the real command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from answers_world import Run, Setup, open_round, registered
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.models import AuditEvent, Entry, Initiative, Job, Revision


def _export(cli: Run, setup: Setup, name: str = "svar.xlsx") -> Path:
    path = setup.tmp / name
    cli("answers", "export", "--cycle", setup.cycle, "-o", path)
    return path


def _rows(path: Path) -> list[list[object]]:
    sheet = load_workbook(path).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _set_status(path: Path, title: str, text: str, *, column: str = "G", phase: str = "") -> int:
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[3].value == title:
            sheet[f"{column}{row[0].row}"] = text
            if phase:
                sheet[f"H{row[0].row}"] = phase
            book.save(path)
            return row[0].row
    raise AssertionError(title)


def _revisions(db) -> int:  # type: ignore[no-untyped-def]
    with db() as session:
        return session.scalar(select(func.count()).select_from(Revision))


def test_export_layout_in_a_danish_install(cli: Run, setup: Setup, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An answer in Slack before the export (owner's own revision) is prefilled.
    mail = setup.text_file("mail.txt", 'Allerede besvaret =HYPERLINK("x").')
    cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", mail, "--as", "UCOORD01",
    )  # fmt: skip
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    path = setup.tmp / "svar.xlsx"
    out = cli("answers", "export", "--cycle", setup.cycle, "-o", path)
    assert "Skrev" in out.stdout and "3 tiltag" in out.stdout
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [
        "nr", "område", "udviklingsspor", "tiltag", "ansvarlig", "tilstand", "status", "fase",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["G"].width >= 60
    assert sheet["G2"].alignment.wrap_text
    rows = _rows(path)[1:]
    titles = ["Ny ledelsesstruktur", "Fælles mødekalender", "Fælles mødekalender"]
    assert [r[3] for r in rows] == titles
    assert rows[0][5] == "indtastet af koordinator" and rows[1][5] == "mangler"
    assert rows[0][6] == 'Allerede besvaret =HYPERLINK("x").'
    assert sheet["G2"].data_type == "s"  # text, not a formula
    assert book["statusbot"].sheet_state == "hidden"
    assert book["statusbot"]["B2"].value == setup.cycle
    with db() as session:
        numbers = [
            f"#{i.id}"  # no keys in this registry: #id
            for i in session.scalars(select(Initiative).order_by(Initiative.id))
            if i.area_id == 1
        ]
    assert [r[0] for r in rows] == numbers
    # -o to a folder, a missing folder or another format: one clear line each.
    assert "er en mappe" in cli("answers", "export", "--cycle", setup.cycle, "-o", setup.tmp,
                                code=2).stderr  # fmt: skip
    assert "findes ikke" in cli("answers", "export", "--cycle", setup.cycle, "-o",
                                setup.tmp / "nej" / "x.xlsx", code=2).stderr  # fmt: skip
    assert ".xlsx" in cli("answers", "export", "--cycle", setup.cycle, "-o",
                          setup.tmp / "x.csv", code=2).stderr  # fmt: skip


def test_import_records_only_changed_rows_with_dry_run_first(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    path = _export(cli, setup)
    line = _set_status(
        path, "Ny ledelsesstruktur", "Svar fra regneark.\n\n- punkt et", phase="Completed"
    )
    before = _revisions(db)
    importing = ("answers", "import", path, "--cycle", setup.cycle, "--as", "kim@example.dk")

    dry = cli(*importing, "--dry-run")
    assert "Dry run: 1 answer would be recorded (2 rows unchanged)" in dry.stdout
    assert str(line) in dry.stdout and "Svar fra regneark." in dry.stdout
    assert _revisions(db) == before

    done = cli(*importing)
    assert "Recorded 1 answer as kim@example.dk's revisions (2 rows unchanged)" in done.stdout
    with db() as session:
        entry = session.scalar(
            select(Entry)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Initiative.title == "Ny ledelsesstruktur")
        )
        assert entry.status.plain == "Svar fra regneark.\npunkt et"
        assert entry.phase == "completed"
        assert entry.answered_by.email == "kim@example.dk"
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.set"))
        assert event.detail["via"] == "spreadsheet"
        assert session.scalar(select(Job).where(Job.kind == "entry_entered")) is not None
        others = session.scalars(select(Entry).where(Entry.id != entry.id)).all()
        assert all(e.status is None for e in others)  # untouched rows are not answers

    # The same file again: the entry changed since that export, so the row is
    # refused rather than recorded twice (or over a newer answer).
    stale = cli(*importing, code=1)
    assert f"line {line}:" in stale.stdout and "export again" in stale.stdout


def test_every_bad_row_is_named_and_nothing_is_recorded(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    path = _export(cli, setup)
    good = _set_status(path, "Ny ledelsesstruktur", "Et godt svar.")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet["G3"] = "=1+1"  # a formula
    sheet["H4"] = "halvvejs"  # not a phase
    sheet["G4"] = "Et svar"
    sheet.append(["999", "", "", "Findes ikke", "", "", "Tekst", ""])  # unknown initiative
    sheet.append(["", "", "", "Fælles mødekalender", "", "", "Tekst", ""])  # ambiguous title
    sheet.append(["", "", "", "Ny ledelsesstruktur", "", "", "x " * 12_000, ""])  # too long
    book.save(path)
    before = _revisions(db)
    bad = cli("answers", "import", path, "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    out = bad.stdout
    assert "line 3: cell G3 is a formula" in out
    assert "line 4: “halvvejs” is not a phase" in out
    assert "line 5: No initiative has the key, id or title “999”" in out
    assert "line 6: “Fælles mødekalender” fits 2 initiatives" in out
    assert "line 7:" in out and f"is on line {good} too" in out
    assert "5 rows have errors; nothing was recorded." in bad.stderr
    assert _revisions(db) == before

    # Too long, on its own row.
    path = _export(cli, setup, "long.xlsx")
    _set_status(path, "Ny ledelsesstruktur", "x" * 20_001)
    long = cli("answers", "import", path, "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    assert "line 2: The text is too long for one status" in long.stdout
    assert _revisions(db) == before


def test_another_cycles_file_and_a_foreign_file_are_refused(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    path = _export(cli, setup)
    _set_status(path, "Ny ledelsesstruktur", "Svar.")
    cli("cycle", "close", setup.cycle)
    from answers_world import deadline_in

    other = cli(
        "cycle", "open", "--area", "Børn og unge", "--as-of", "2026-03-31",
        "--deadline", deadline_in(5),
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    refused = cli("answers", "import", path, "--cycle", other, "--as", "UADMIN01", code=1)
    assert f"was exported for cycle {setup.cycle} (Socialområdet), not for cycle {other}" in (
        refused.stdout + refused.stderr
    )
    foreign = setup.tmp / "foreign.xlsx"
    book = load_workbook(path)
    del book["statusbot"]
    book.save(foreign)
    alien = cli("answers", "import", foreign, "--cycle", setup.cycle, "--as", "UADMIN01", code=1)
    assert "is not an answers sheet exported by statusbot" in alien.stdout + alien.stderr
    damaged = setup.tmp / "damaged.xlsx"
    book = load_workbook(path)
    book["statusbot"]["B5"] = "not a number"
    book.save(damaged)
    broken = cli("answers", "import", damaged, "--cycle", setup.cycle, "--as", "UADMIN01", code=1)
    assert "hidden sheet “statusbot” was changed; export the cycle again" in broken.stderr
    book = load_workbook(path)
    book["statusbot"]["B5"] = 99_999  # an entry of no cycle here
    book.save(damaged)
    broken = cli("answers", "import", damaged, "--cycle", setup.cycle, "--as", "UADMIN01", code=1)
    assert "hidden sheet “statusbot” was changed; export the cycle again" in broken.stderr
    assert _revisions(db) == 0


def test_import_after_approval_is_refused_with_the_reason(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    path = _export(cli, setup)
    _set_status(path, "Ny ledelsesstruktur", "For sent.")
    cli("review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", "--with-missing")
    late = cli("answers", "import", path, "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    assert "line 2: The report is approved; reopen it before changing any text." in late.stdout
    assert _revisions(db) == 0


def test_a_status_longer_than_a_cell_is_not_exported_cut(cli: Run, setup: Setup) -> None:
    long = setup.text_file("long.txt", "\n\n".join("ord " * 4_000 for _ in range(3)))
    cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", long, "--as", "UCOORD01",
    )  # fmt: skip
    path = setup.tmp / "svar.xlsx"
    refused = cli("answers", "export", "--cycle", setup.cycle, "-o", path, code=1)
    assert "longer than a spreadsheet cell holds (32767 characters)" in refused.stderr
    assert "statusbot entry set" in refused.stderr
    assert not path.exists()


def test_user_text_is_text_in_every_sheet_never_a_formula(cli: Run, tmp_path: Path) -> None:
    """A status, area name, title or key that starts with ``=`` is written as
    text in the visible and in the hidden sheet alike (a formula would run
    in the spreadsheet program of whoever opens the file)."""
    registry = (
        "nr;område;udviklingsspor;tiltag;iværksættelse;ansvarlig\n"
        '=1+2;=HYPERLINK("http://x");=SUM(1);=A1;2026;UOWNERA1\n'
        "S1;Socialområdet;Organisering;Ny ledelsesstruktur;2026;UOWNERA1\n"
    )
    registered(cli, tmp_path, registry)
    cycle = open_round(cli, datetime.now(UTC).date(), area='=HYPERLINK("http://x")')
    status = tmp_path / "status.txt"
    status.write_text("=1+1", encoding="utf-8")
    cli("roles", "grant", "UADMIN01", "admin")
    cli("entry", "set", "--cycle", cycle, "--initiative", "=A1", "--text-file", status,
        "--as", "UADMIN01")  # fmt: skip
    path = tmp_path / "svar.xlsx"
    cli("answers", "export", "--cycle", cycle, "-o", path)
    book = load_workbook(path)
    texts = {
        (sheet.title, cell.coordinate): cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    }
    # The key, area, track, title and status in the visible sheet; the key,
    # area and status in the hidden one.
    assert len(texts) == 8, sorted(texts)
    assert {c.data_type for c in texts.values()} == {"s"}, sorted(
        k for k, c in texts.items() if c.data_type != "s"
    )
    # The file still reads back: the hidden sheet's texts are what was exported.
    back = cli("answers", "import", path, "--cycle", cycle, "--as", "UADMIN01")
    assert "=1+1" not in back.stderr


def test_an_answers_file_over_the_import_size_limit_is_refused_unread(
    cli: Run, setup: Setup, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from bot.importing import reader

    path = _export(cli, setup)
    monkeypatch.setattr(reader, "MAX_IMPORT_BYTES", 2000)
    out = cli("answers", "import", path, "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    assert "at most 2000 bytes" in out.stderr
