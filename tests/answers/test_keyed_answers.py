"""Answers outside Slack name initiatives by the registry's stable key (issue 11's
``nr``), through the real command line: the export's nr column, ``entry set
--initiative NR``, an import after a rename or move, withdrawn initiatives
refused, and the last known status prefilled however many rounds were missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from answers_world import Run, open_round, registered
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.models import Entry, Initiative, Revision

KEYED = """nr;område;udviklingsspor;tiltag;iværksættelse;ansvarlig
SOC-01;Socialområdet;Organisering;Ny ledelsesstruktur;2026;UOWNERA1
SOC-02;Socialområdet;Organisering;Fælles mødekalender;2026;UOWNERA1
SOC-03;Socialområdet;Faglighed;Fælles mødekalender;2027;UOWNERA1
;Socialområdet;Faglighed;Uden nøgle;2027;UOWNERA1
BOU-01;Børn og unge;Skole;Ny skolestruktur;2026;UOWNERB1
"""

KEYS = ("SOC-01", "SOC-02", "SOC-03")


@pytest.fixture
def keyed(cli: Run, tmp_path: Path) -> Path:
    return registered(cli, tmp_path, KEYED)


def _text(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _export(cli: Run, cycle: int, path: Path) -> list[list[object]]:
    cli("answers", "export", "--cycle", cycle, "-o", path)
    return [list(r) for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)]


def _fill(path: Path, nr: str, text: str) -> int:
    """Type ``text`` in the status cell of the row numbered ``nr``; its line."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == nr:
            row[6].value = text
            book.save(path)
            return row[0].row
    raise AssertionError(nr)


def _status(db, nr: str, cycle: int) -> str | None:  # type: ignore[no-untyped-def]
    with db() as session:
        entry = session.scalar(
            select(Entry)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Initiative.nr == nr, Entry.cycle_id == cycle)
        )
        return entry.status.plain if entry.status else None


def _revisions(db) -> int:  # type: ignore[no-untyped-def]
    with db() as session:
        return session.scalar(select(func.count()).select_from(Revision))


def test_keys_number_the_export_and_name_the_initiative(cli: Run, keyed: Path, db) -> None:  # type: ignore[no-untyped-def]
    cycle = open_round(cli, datetime.now(UTC).date())
    path = keyed.parent / "svar.xlsx"
    rows = _export(cli, cycle, path)
    with db() as session:
        unkeyed = session.scalar(select(Initiative.id).where(Initiative.title == "Uden nøgle"))
    assert [r[0] for r in rows[1:]] == ["SOC-01", "SOC-02", "SOC-03", f"#{unkeyed}"]
    comment = load_workbook(path).worksheets[0]["A1"].comment
    assert comment is not None and "#id" in comment.text and "without a key" in comment.text
    shown = cli("cycle", "show", cycle).stdout  # numbered as in the sheet
    assert "SOC-03" in shown and f"#{unkeyed}" in shown

    # A key names one of two initiatives sharing a title (case ignored); #id one without a key.
    text = _text(keyed.parent, "mail.txt", "Kalenderen for 2027 er lagt.")
    done = cli(
        "entry", "set", "--cycle", cycle, "--initiative", "soc-03", "--text-file", text,
        "--as", "UCOORD01",
    )  # fmt: skip
    assert "“Fælles mødekalender” (nr SOC-03)" in done.stdout
    assert _status(db, "SOC-03", cycle) == "Kalenderen for 2027 er lagt."
    assert _status(db, "SOC-02", cycle) is None
    cli(
        "entry", "set", "--cycle", cycle, "--initiative", f"#{unkeyed}", "--text-file", text,
        "--as", "UCOORD01",
    )  # fmt: skip
    other_area = cli(
        "entry", "set", "--cycle", cycle, "--initiative", "BOU-01", "--text-file", text,
        "--as", "UCOORD01", code=1,
    )  # fmt: skip
    assert f"“Ny skolestruktur” (nr BOU-01) is not in cycle {cycle} (Socialområdet)" in (
        other_area.stderr
    )

    # The sheet comes back by key; only the changed row is recorded.
    _export(cli, cycle, path)
    line = _fill(path, "SOC-01", "Strukturen er vedtaget.")
    out = cli("answers", "import", path, "--cycle", cycle, "--as", "UCOORD01").stdout
    assert "Recorded 1 answer" in out and "(3 rows unchanged)" in out
    assert f"{line}" in out
    assert _status(db, "SOC-01", cycle) == "Strukturen er vedtaget."


def test_a_renamed_and_moved_initiative_is_still_found_by_its_key(  # type: ignore[no-untyped-def]
    cli: Run, keyed: Path, db
) -> None:
    cycle = open_round(cli, datetime.now(UTC).date())
    path = keyed.parent / "svar.xlsx"
    _export(cli, cycle, path)
    line = _fill(path, "SOC-01", "Svar fra regneark.")

    # The registry file renames SOC-01 and moves it to another track (same key).
    keyed.write_text(
        KEYED.replace(
            "SOC-01;Socialområdet;Organisering;Ny ledelsesstruktur",
            "SOC-01;Socialområdet;Ledelse;Ny struktur for ledelsen",
        ),
        encoding="utf-8",
    )
    cli("import", keyed)
    with db() as session:
        moved = session.scalar(select(Initiative).where(Initiative.nr == "SOC-01"))
        assert (moved.title, moved.track.name) == ("Ny struktur for ledelsen", "Ledelse")

    # The sheet exported before the change still records on it, by key.
    out = cli("answers", "import", path, "--cycle", cycle, "--as", "UCOORD01").stdout
    assert "Recorded 1 answer" in out and "Ny struktur for ledelsen" in out
    assert f"{line}" in out
    assert _status(db, "SOC-01", cycle) == "Svar fra regneark."

    # entry set: the key after a rename by command too; the old title is gone.
    cli("initiative", "rename", "SOC-01", "Ledelsesstruktur 2027")
    text = _text(keyed.parent, "mail.txt", "Nyt svar pr. mail.")
    cli(
        "entry", "set", "--cycle", cycle, "--initiative", "SOC-01", "--text-file", text,
        "--as", "UCOORD01",
    )  # fmt: skip
    assert _status(db, "SOC-01", cycle) == "Nyt svar pr. mail."
    gone = cli(
        "entry", "set", "--cycle", cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01", code=1,
    )  # fmt: skip
    assert "No initiative has the key, id or title “Ny ledelsesstruktur”" in gone.stderr


def test_withdrawn_initiatives_are_refused_with_a_clear_line(cli: Run, keyed: Path, db) -> None:  # type: ignore[no-untyped-def]
    cycle = open_round(cli, datetime.now(UTC).date())
    path = keyed.parent / "svar.xlsx"
    _export(cli, cycle, path)
    retired_line = _fill(path, "SOC-02", "Svar om kalenderen.")
    moved_line = _fill(path, "SOC-03", "Svar om faglighed.")
    good_line = _fill(path, "SOC-01", "Et godt svar.")
    # While the round runs SOC-02 is retired and SOC-03 moved to another area.
    assert "withdrawn from the collecting round" in cli("initiative", "retire", "SOC-02").stdout
    cli("initiative", "move", "SOC-03", "--track", "Skole", "--area", "Børn og unge")

    text = _text(keyed.parent, "mail.txt", "For sent.")
    for nr, title in (("SOC-02", "Fælles mødekalender"), ("SOC-03", "Fælles mødekalender")):
        refused = cli(
            "entry", "set", "--cycle", cycle, "--initiative", nr, "--text-file", text,
            "--as", "UCOORD01", code=1,
        )  # fmt: skip
        assert f"“{title}” (nr {nr}) was withdrawn from cycle {cycle}" in refused.stderr
        assert "no answer can be recorded for it" in refused.stderr

    bad = cli("answers", "import", path, "--cycle", cycle, "--as", "UCOORD01", code=1)
    assert f"line {retired_line}: “Fælles mødekalender” (nr SOC-02) was withdrawn" in bad.stdout
    assert f"line {moved_line}: “Fælles mødekalender” (nr SOC-03) was withdrawn" in bad.stdout
    assert f"line {good_line}:" not in bad.stdout
    assert "2 rows have errors; nothing was recorded." in bad.stderr
    assert _revisions(db) == 0  # all or nothing: the good row waits too

    shown = cli("cycle", "show", cycle).stdout.splitlines()
    withdrawn = {nr: "withdrawn" in line for line in shown for nr in KEYS if nr in line}
    assert withdrawn == {"SOC-01": False, "SOC-02": True, "SOC-03": True}

    # A fresh export leaves them out (and counts only its rows); a restored one
    # is back and can be answered.
    rows = _export(cli, cycle, keyed.parent / "ny.xlsx")
    said = cli("answers", "export", "--cycle", cycle, "-o", keyed.parent / "ny.xlsx").stdout
    assert f": 2 initiatives of cycle {cycle}" in " ".join(said.split())
    numbers = [r[0] for r in rows[1:]]
    assert numbers[0] == "SOC-01" and len(numbers) == 2 and str(numbers[1]).startswith("#")
    cli("initiative", "restore", "SOC-02")
    cli(
        "entry", "set", "--cycle", cycle, "--initiative", "SOC-02", "--text-file", text,
        "--as", "UCOORD01",
    )  # fmt: skip
    assert _status(db, "SOC-02", cycle) == "For sent."


def test_a_status_carried_over_two_missed_rounds_is_prefilled(cli: Run, keyed: Path, db) -> None:  # type: ignore[no-untyped-def]
    today = datetime.now(UTC).date()
    first = open_round(cli, today - timedelta(days=270))
    text = _text(keyed.parent, "mail.txt", "Ledergruppen er samlet.")
    cli(
        "entry", "set", "--cycle", first, "--initiative", "SOC-01", "--text-file", text,
        "--phase", "in_progress", "--as", "UCOORD01",
    )  # fmt: skip
    cli("review", "approve", "--cycle", first, "--as", "UCOORD01", "--with-missing")
    for days in (180, 90):  # two rounds approved with the owner missing
        missed = open_round(cli, today - timedelta(days=days))
        cli("review", "approve", "--cycle", missed, "--as", "UCOORD01", "--with-missing")
    with db() as session:  # the missed rounds hold no text of their own
        texts = session.scalars(
            select(Entry.status)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Initiative.nr == "SOC-01", Entry.cycle_id != first)
        ).all()
        assert texts == [None, None]

    current = open_round(cli, today)
    path = keyed.parent / "svar.xlsx"
    rows = _export(cli, current, path)
    by_nr = {r[0]: r for r in rows[1:]}
    assert by_nr["SOC-01"][5] == "missing"
    assert by_nr["SOC-01"][6] == "Ledergruppen er samlet."  # round 1's text
    assert by_nr["SOC-02"][6] is None  # never answered: nothing to prefill
    # The prefilled text sent back unchanged is no answer.
    out = cli("answers", "import", path, "--cycle", current, "--as", "UCOORD01").stdout
    assert "Recorded 0 answers" in out and "(4 rows unchanged)" in out
    assert _status(db, "SOC-01", current) is None


def test_after_an_area_split_the_new_area_prefills_the_old_areas_text(  # type: ignore[no-untyped-def]
    cli: Run, keyed: Path, db
) -> None:
    today = datetime.now(UTC).date()
    first = open_round(cli, today - timedelta(days=180))
    text = _text(keyed.parent, "mail.txt", "Teamet er etableret.")
    cli(
        "entry", "set", "--cycle", first, "--initiative", "SOC-01", "--text-file", text,
        "--as", "UCOORD01",
    )  # fmt: skip
    cli("review", "approve", "--cycle", first, "--as", "UCOORD01", "--with-missing")
    cli("initiative", "move", "SOC-01", "--track", "Ledelse", "--area", "Socialområdet Syd")
    cli("roles", "grant", "UCOORD02", "coordinator", "--area", "Socialområdet Syd")

    split = open_round(cli, today, area="Socialområdet Syd")
    rows = _export(cli, split, keyed.parent / "syd.xlsx")
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [
        ("SOC-01", "Socialområdet Syd", "Teamet er etableret.")
    ]
    answer = _text(keyed.parent, "syd.txt", "Teamet er etableret og i drift.")
    cli(
        "entry", "set", "--cycle", split, "--initiative", "soc-01", "--text-file", answer,
        "--as", "UCOORD02",
    )  # fmt: skip
    assert _status(db, "SOC-01", split) == "Teamet er etableret og i drift."
    assert _status(db, "SOC-01", first) == "Teamet er etableret."
