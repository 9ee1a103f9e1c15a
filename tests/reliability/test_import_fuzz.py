"""Hostile import files: broken encodings, huge files, formula cells, merged
cells, binary junk. Each gives a clear error naming the problem (no traceback)
and imports nothing; or, where the content is valid text, stores it verbatim as
text (a formula is never evaluated)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine

from bot.errors import InvalidInput
from bot.importing import import_file
from bot.importing.reader import MAX_IMPORT_ROWS
from bot.workflow.actor import Actor
from tests.reliability.rel_world import fingerprint

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADER = "Område;Udviklingsspor;Tiltag;Iværksættelse;Ansvarlig\n"


def attempt(session, path: Path) -> str | None:  # type: ignore[no-untyped-def]
    """Import; the error message, or None when it was accepted."""
    try:
        import_file(session, path, actor=Actor.cli(), now=NOW)
        session.commit()
    except InvalidInput as exc:
        session.rollback()
        lines = [f"{p.line}: {p.message}" for p in getattr(exc, "problems", [])]
        return "\n".join([str(exc), *lines])
    return None


def test_broken_files_are_refused_with_a_clear_message(
    session, engine: Engine, tmp_path: Path
) -> None:
    before = fingerprint(engine)
    rng = random.Random(7)
    cases = {
        "binary.xlsx": bytes(rng.randrange(256) for _ in range(4000)),
        "zip-but-not-xlsx.xlsx": b"PK\x03\x04" + b"\x00" * 200,
        "utf16.csv": (HEADER + "Social;Spor;Tiltag;;\n").encode("utf-16"),
        "nul.csv": HEADER.encode() + b"Social\x00;Spor;\x00;;\n",
        "only-header.csv": HEADER.encode(),
        "empty.csv": b"",
        "wrong.txt": b"area,track,initiative\n",
        "no-columns.csv": b"foo;bar\n1;2\n",
        "truncated-utf8.csv": HEADER.encode() + "Børn;Spor;Tiltag".encode()[:-1] + b"\xc3",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        message = attempt(session, path)
        if message is not None:
            assert "Traceback" not in message and message.strip(), name
            assert len(message) < 5000, name
        assert fingerprint(engine) == before or message is None, name
    # At least the clearly broken ones were refused.
    for name in (
        "binary.xlsx",
        "zip-but-not-xlsx.xlsx",
        "only-header.csv",
        "empty.csv",
        "wrong.txt",
    ):
        path = tmp_path / name
        assert attempt(session, path) is not None, name
    assert fingerprint(engine) == before


def test_huge_file_is_refused_or_imported_whole(session, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        # As many rows as an import takes (reader.MAX_IMPORT_ROWS, the header included).
        for n in range(MAX_IMPORT_ROWS - 2):
            out.write(f"Område {n % 3};Spor {n % 7};Tiltag nr. {n} " + "x" * 200 + ";;\n")
        out.write("Område 1;;;;\n")  # one bad row at the very end: nothing may be imported
    before = fingerprint(engine)
    message = attempt(session, path)
    assert message is not None and f"\n{MAX_IMPORT_ROWS}: " in message, message[:500]
    assert fingerprint(engine) == before
    # One row more is refused before it is checked at all.
    with path.open("a", encoding="utf-8") as out:
        out.write("Område 1;Spor 1;Ét for meget;;\n")
    message = attempt(session, path)
    assert message is not None and str(MAX_IMPORT_ROWS) in message, message[:500]
    assert fingerprint(engine) == before


def test_formula_cells_stay_text(session, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["area", "track", "initiative", "plan", "owner"])
    sheet.append(["Kultur", "Spor", '=HYPERLINK("http://evil","x")', "+1+1", ""])
    sheet.append(["Kultur", "Spor", "@SUM(1,2)", "-2", ""])
    sheet["C4"] = "=1+1"  # a real formula with no cached value
    sheet["A4"], sheet["B4"] = "Kultur", "Spor"
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    message = attempt(session, path)
    from storage.models import Initiative

    titles = {i.title for i in session.query(Initiative)}
    if message is None:
        # Imported: as the literal text, never an evaluated value like "2".
        assert "2" not in titles
        assert all(t.startswith(("=", "@")) for t in titles), titles
    else:
        assert titles == set()
        assert "\n4: " in message  # names the row


def test_merged_cells_are_reported_not_guessed(session, engine: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["area", "track", "initiative", "plan", "owner"])
    sheet.append(["Kultur", "Spor", "Første", "", ""])
    sheet.append([None, None, "Anden", "", ""])
    sheet.merge_cells("A2:A3")  # "Kultur" spans two rows: row 3's area is empty
    sheet.merge_cells("B2:B3")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    before = fingerprint(engine)
    message = attempt(session, path)
    assert message is not None and "\n3: " in message, message
    assert fingerprint(engine) == before


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=3000) | st.text(max_size=2000).map(lambda t: (HEADER + t).encode()))
def test_fuzzed_csv_never_crashes(session, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        attempt(session, path)
    except Exception as exc:  # only InvalidInput is allowed out of import_file
        pytest.fail(f"{type(exc).__name__}: {exc}")
    session.rollback()
