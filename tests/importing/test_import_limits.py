"""What an import file may be: valid text in the encoding it is read in
(UTF-8 unless ``--encoding`` says otherwise — never a silent guess), and no
bigger than the documented limits, refused before the whole file is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.errors import InvalidInput
from bot.importing import reader
from bot.importing.reader import read_rows
from storage.models import Area
from tests.cli_runner import statusbot_runner

UTF8 = (
    "nr;område;udviklingsspor;tiltag;iværksættelse;ansvarlig\n"
    "S-1;Socialområdet;Organisering;Ansættelse af fagchef;Foråret 2026;UANNE001\n"
    "S-2;Socialområdet;Faglighed;Kompetenceudvikling;Løbende;UANNE001\n"
)


def test_one_stray_windows_1252_byte_in_a_utf8_file_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    data = UTF8.encode("utf-8").replace("Løbende".encode(), "L\xf8bende".encode("cp1252"))
    path = tmp_path / "registry.csv"
    path.write_bytes(data)
    with pytest.raises(InvalidInput) as info:
        read_rows(path)
    # Line 3; "S-2;Socialområdet;Faglighed;Kompetenceudvikling;L" is 50 bytes.
    assert "line 3" in info.value.message and "byte 51" in info.value.message
    assert "0xF8" in info.value.message and "--encoding" in info.value.message


def test_a_windows_1252_file_is_read_when_asked_for_and_the_bom_is_still_dropped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old-excel.csv"
    path.write_bytes(UTF8.encode("cp1252"))
    with pytest.raises(InvalidInput):
        read_rows(path)  # not UTF-8: no guess
    table = read_rows(path, encoding="cp1252")
    assert [r.values["plan"] for r in table.rows] == ["Foråret 2026", "Løbende"]
    path.write_bytes(b"\xef\xbb\xbf" + UTF8.encode("utf-8"))
    table = read_rows(path)
    assert table.columns >= {"key", "area"} and not table.problems
    assert table.rows[0].values["key"] == "S-1"
    # Not valid text in the named encoding either: refused too.
    path.write_bytes(UTF8.encode("utf-8") + b"\x81")
    with pytest.raises(InvalidInput, match="line 4"):
        read_rows(path, encoding="cp1252")
    with pytest.raises(InvalidInput, match="klingon"):
        read_rows(path, encoding="klingon")


def test_import_command_takes_encoding_and_refuses_a_mixed_file(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine
) -> None:  # type: ignore[no-untyped-def]
    cli = statusbot_runner(db_url, tmp_path, monkeypatch)
    cli("init")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(UTF8.encode("utf-8").replace("ø".encode(), b"\xf8", 1))
    out = cli("import", mixed, code=1)
    assert "line 3, byte 51" in out.stderr and "Traceback" not in out.stderr
    old = tmp_path / "old.csv"
    old.write_bytes(UTF8.encode("cp1252"))
    cli("import", old, "--encoding", "cp1252")
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        assert session.scalars(select(Area.name)).all() == ["Socialområdet"]


def test_a_csv_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_IMPORT_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text(UTF8 + "x;" * 600, encoding="utf-8")
    monkeypatch.setattr(reader.Path, "read_bytes", _must_not_read)
    with pytest.raises(InvalidInput, match="at most 1000 bytes"):
        read_rows(path)


def _must_not_read(self: Path) -> bytes:
    raise AssertionError(f"{self} was read whole")


def test_too_many_rows_are_refused_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_IMPORT_ROWS", 50)
    path = tmp_path / "long.csv"
    path.write_text(UTF8 + "".join(f"A;T;I{n};;\n" for n in range(100)), encoding="utf-8")
    with pytest.raises(InvalidInput, match="more than 50 rows"):
        read_rows(path)
    book = Workbook()
    sheet = book.active
    sheet.append(["område", "udviklingsspor", "tiltag"])
    for n in range(100):
        sheet.append(["A", "T", f"I{n}"])
    xlsx = tmp_path / "long.xlsx"
    book.save(xlsx)
    rows_read: list[int] = []
    real = reader._xlsx_value

    def counting(cell, row, column):  # type: ignore[no-untyped-def]
        rows_read.append(row)
        return real(cell, row, column)

    monkeypatch.setattr(reader, "_xlsx_value", counting)
    with pytest.raises(InvalidInput, match="more than 50 rows"):
        read_rows(xlsx)
    assert max(rows_read) <= 51  # stopped at the limit, not after reading everything
    # 50 rows are fine.
    monkeypatch.setattr(reader, "MAX_IMPORT_ROWS", 101)
    assert len(read_rows(xlsx).rows) == 100


def test_an_xlsx_that_unpacks_beyond_the_size_limit_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Workbook()
    book.active.append(["område", "udviklingsspor", "tiltag"])
    book.active.append(["A", "T", "x" * 5000])
    path = tmp_path / "packed.xlsx"
    book.save(path)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(reader, "MAX_IMPORT_BYTES", unpacked - 1)
    with pytest.raises(InvalidInput, match="unpacked"):
        read_rows(path)
