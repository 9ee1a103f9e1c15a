"""Reading an import file into numbered rows of canonical columns."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.errors import InvalidInput
from bot.workflow.messages import N_, fail, translate

# The largest file an import takes: a municipality's registry has hundreds of
# rows, so these only stop a wrong or hostile file early (README "Import format").
MAX_IMPORT_BYTES = 20_000_000  # of a CSV, of an XLSX and of an XLSX unpacked
MAX_IMPORT_ROWS = 20_000  # rows in the file, blank ones and the header included
COLUMNS = ("area", "track", "initiative", "plan", "owner", "key", "description")
REQUIRED = ("area", "track", "initiative")
# Absent, these leave the field as it is; only a present, empty cell clears it.
OPTIONAL = ("plan", "owner", "key", "description", "channel")
# Header names (casefolded, spaces collapsed) → canonical column.
ALIASES = {
    "area": "area",
    "område": "area",
    "omraade": "area",
    "track": "track",
    "udviklingsspor": "track",
    "spor": "track",
    "initiative": "initiative",
    "tiltag": "initiative",
    "plan": "plan",
    "iværksættelse": "plan",
    "iværksættelse af tiltag": "plan",
    "owner": "owner",
    "ansvarlig": "owner",
    "key": "key",
    "nr": "key",
    "nr.": "key",
    "description": "description",
    "beskrivelse": "description",
    "channel": "channel",
    "kanal": "channel",
}
DANISH = {
    "area": "område",
    "track": "udviklingsspor",
    "initiative": "tiltag",
    "plan": "iværksættelse",
    "owner": "ansvarlig",
    "key": "nr",
    "description": "beskrivelse",
    "channel": "kanal",
}


@dataclass
class Row:
    line: int  # line (CSV) or row (XLSX) number in the file, header = first
    values: dict[str, str]


@dataclass
class Table:
    """What was read: the rows, and problems with the header or cells."""

    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # the canonical columns the header has


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _check_size(path: Path, size: int, *, unpacked: bool = False) -> None:
    if size <= MAX_IMPORT_BYTES:
        return
    params = {"file": path.name, "size": size, "limit": MAX_IMPORT_BYTES}
    if unpacked:
        raise fail(
            InvalidInput,
            "{file} unpacked is {size} bytes; an import file may hold at most {limit} bytes.",
            **params,
        )
    raise fail(
        InvalidInput,
        "{file} is {size} bytes; an import file may hold at most {limit} bytes.",
        **params,
    )


def check_xlsx_size(path: Path) -> None:
    """Refuse an XLSX file over :data:`MAX_IMPORT_BYTES`, packed or unpacked
    (its zip directory says), before openpyxl reads any of it."""
    _check_size(path, path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        unpacked = 0  # openpyxl names the problem
    _check_size(path, unpacked, unpacked=True)


def _too_many_rows(path: Path) -> InvalidInput:
    return fail(
        InvalidInput,
        "{file} has more than {limit} rows, the most one import takes; split it.",
        file=path.name,
        limit=MAX_IMPORT_ROWS,
    )


def _decode(path: Path, data: bytes, encoding: str) -> str:
    """The file's text, decoded strictly: a byte that is not valid in
    ``encoding`` is refused with its place, never replaced or guessed at (a
    UTF-8 file with one stray Windows-1252 byte would otherwise be read whole
    as Windows-1252, every å and ø turned into two wrong letters)."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise fail(InvalidInput, "Unknown encoding “{encoding}”.", encoding=encoding) from None
    if codec.name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise fail(
            InvalidInput,
            "{file}: line {line}, byte {byte} ({value}) is not valid {encoding}. Save the file "
            "as UTF-8 (Excel: “CSV UTF-8”), or name its encoding with --encoding (an older "
            "Excel's CSV: --encoding cp1252).",
            file=path.name,
            line=data.count(b"\n", 0, exc.start) + 1,
            byte=exc.start - line_start + 1,
            value=f"0x{data[exc.start]:02X}",
            encoding=encoding,
        ) from None


def _raw_csv(path: Path, encoding: str) -> list[tuple[int, list[str]]]:
    _check_size(path, path.stat().st_size)
    text = _decode(path, path.read_bytes(), encoding)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for cells in reader:
        if len(rows) == MAX_IMPORT_ROWS:
            raise _too_many_rows(path)
        rows.append((start, [_cell(c) for c in cells]))
        start = reader.line_num + 1
    return rows


class _Formula(str):
    """A cell holding a formula: its coordinate, reported as a problem."""


def _xlsx_value(cell: Any, row: int, column: int) -> str:
    if getattr(cell, "data_type", None) == "f":
        from openpyxl.utils import get_column_letter

        return _Formula(f"{get_column_letter(column)}{row}")
    return _cell(getattr(cell, "value", None))


def _raw_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    check_xlsx_size(path)
    try:
        # Not data_only: a formula must be seen (its cached value may be stale or absent).
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise fail(
            InvalidInput,
            "{file} is not a readable XLSX workbook ({error}).",
            file=path.name,
            error=str(exc) or type(exc).__name__,
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        # Streamed (read-only mode): a sheet with a million rows is refused at
        # the limit, not after all of it is in memory.
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_IMPORT_ROWS:
                raise _too_many_rows(path)
            rows.append(
                (number, [_xlsx_value(c, number, col) for col, c in enumerate(cells, start=1)])
            )
        return rows
    finally:
        workbook.close()


def header_key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def read_rows(path: Path, *, encoding: str = "utf-8") -> Table:
    """Read ``path`` (.csv in ``encoding``, or .xlsx). Blank rows are skipped;
    the first non-blank row is the header. A file over :data:`MAX_IMPORT_BYTES`
    or :data:`MAX_IMPORT_ROWS` is refused."""
    if not path.is_file():
        raise fail(InvalidInput, "File {file} does not exist.", file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _raw_csv(path, encoding)
    elif suffix == ".xlsx":
        raw = _raw_xlsx(path)
    else:
        raise fail(
            InvalidInput, "{file}: only .csv and .xlsx files can be imported.", file=path.name
        )
    raw = [(line, cells) for line, cells in raw if any(cells)]
    table = Table()
    if not raw:
        table.problems.append((1, translate(N_("The file is empty; it needs a header row."))))
        return table

    for line, cells in raw:
        for value in cells:
            if isinstance(value, _Formula):
                table.problems.append(
                    (line, translate(N_("{cell} holds a formula; paste values."), cell=str(value)))
                )
    raw = [(line, [("" if isinstance(v, _Formula) else v) for v in cells]) for line, cells in raw]
    header_line, header = raw[0]
    columns: list[str | None] = []
    for name in header:
        key = header_key(name)
        column = ALIASES.get(key)
        if not key:
            column = None
        elif column is None:
            table.problems.append(
                (
                    header_line,
                    translate(
                        N_("Unknown column “{name}”; the columns are {columns}."),
                        name=name,
                        columns=", ".join(f"{c} ({DANISH[c]})" for c in COLUMNS),
                    ),
                )
            )
        elif column in columns:
            table.problems.append(
                (header_line, translate(N_("Column “{name}” appears twice."), name=name))
            )
            column = None
        columns.append(column)
    table.columns = {c for c in columns if c is not None}
    for column in REQUIRED:
        if column not in columns:
            table.missing_columns.append(column)
            table.problems.append(
                (
                    header_line,
                    translate(
                        N_("The column “{column}” ({danish}) is missing."),
                        column=column,
                        danish=DANISH[column],
                    ),
                )
            )

    for line, cells in raw[1:]:
        values = {c: "" for c in COLUMNS}
        for position, value in enumerate(cells):
            column = columns[position] if position < len(columns) else None
            if column is not None:
                values[column] = value
            elif value and (position >= len(columns) or not header[position].strip()):
                table.problems.append(
                    (
                        line,
                        translate(
                            N_("Column {number} has a value but no header."), number=position + 1
                        ),
                    )
                )
        table.rows.append(Row(line, values))
    return table
