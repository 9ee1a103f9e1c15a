"""A round's answers as a spreadsheet, and the filled-in spreadsheet back.

The exported workbook has one row per entry of the round (nr, area, track,
initiative, owner, state, status, phase; ``nr`` is the initiative's stable
key, else ``#id``, see :mod:`bot.answers.lookup`) and a hidden sheet that
records the cycle and, per entry, the status and phase as exported and the
entry's version. On
import only rows whose status or phase differ from what was exported are
answers; a row whose entry changed since the export (answered in Slack
meanwhile) is refused rather than overwriting the newer answer. Every problem
is named with its line, and nothing is recorded unless every row is good.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.answers.lookup import CycleEntries, initiative_number
from bot.answers.record import parse_phase, parse_status, record_answer
from bot.answers.texts import t
from bot.blocks.modals import PHASES, phase_label
from bot.errors import InvalidInput, WorkflowError
from bot.i18n import translator
from bot.importing.reader import _cell as _text  # the importer's reading of a cell
from bot.importing.reader import check_xlsx_size
from bot.registry.history import last_known_entries
from bot.workflow.actor import Actor
from bot.workflow.messages import current_locale
from storage.models import Cycle, Entry, EntrySource
from storage.richtext import StatusText

META_SHEET = "statusbot"
META_MARK = "statusbot answers"
FORMAT_VERSION = 1
EXCEL_CELL_MAX = 32_767  # characters in one cell
COLUMNS = ("nr", "area", "track", "initiative", "owner", "state", "status", "phase")
WIDTHS = {"nr": 8, "area": 20, "track": 28, "initiative": 40, "owner": 26, "state": 18}
WIDTHS |= {"status": 90, "phase": 14}
META_COLUMNS = ("nr", "entry", "version", "status", "phase")


def headers() -> dict[str, str]:
    """Column → its header in the current language."""
    return {
        "nr": t("nr"),
        "area": t("area"),
        "track": t("track"),
        "initiative": t("initiative"),
        "owner": t("owner"),
        "state": t("state"),
        "status": t("status"),
        "phase": t("phase"),
    }


def _header_names() -> dict[str, str]:
    """Header (casefolded, in either language) → column."""
    names: dict[str, str] = {}
    for locale in ("en", "da"):
        gettext = translator("answers", locale).gettext
        names.update({gettext(c).casefold(): c for c in COLUMNS})
    return names


def state_label(entry: Entry) -> str:
    labels = {
        EntrySource.PENDING: t("missing"),
        EntrySource.ANSWER: t("answered"),
        EntrySource.CARRY_FORWARD: t("no change"),
        EntrySource.COORDINATOR: t("entered by a coordinator"),
        EntrySource.IMPORT: t("imported"),
    }
    return labels.get(EntrySource(entry.source), entry.source)


def prefilled_statuses(
    session: Session, cycle: Cycle, entries: list[Entry]
) -> dict[int, StatusText | None]:
    """Entry id → its current answer, else the initiative's last known status
    (:mod:`bot.registry.history`: however many rounds it missed, and from
    before a move to another area)."""
    known = last_known_entries(session, cycle, [e.initiative_id for e in entries if not e.status])
    prefilled: dict[int, StatusText | None] = {}
    for entry in entries:
        earlier = known.get(entry.initiative_id)
        prefilled[entry.id] = entry.status or (earlier.status if earlier is not None else None)
    return prefilled


def _phase_name(phase: str | None) -> str:
    gettext = translator("slack", current_locale()).gettext
    return phase_label(phase, gettext) if phase else ""


def _append_text(sheet: Any, values: list[Any]) -> None:
    """Append a row whose text cells stay text: openpyxl makes a string that
    starts with ``=`` a live formula, and a user's status, area name, title
    or key may (it would run in the spreadsheet program of whoever opens it)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


@dataclass(frozen=True)
class ExportedSheet:
    data: bytes  # the XLSX file
    rows: int  # one per entry still in the round (withdrawn ones are left out)


def export_workbook(session: Session, cycle: Cycle) -> ExportedSheet:
    """The cycle's answers as an XLSX file. A status too long for a spreadsheet
    cell is refused (the spreadsheet program would cut it)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    entries = CycleEntries(session, cycle).entries
    prefilled = prefilled_statuses(session, cycle, entries)
    book = Workbook()
    sheet = book.active
    sheet.title = t("Answers")
    names = headers()
    _append_text(sheet, [names[c] for c in COLUMNS])
    meta = book.create_sheet(META_SHEET)
    meta.append([META_MARK, FORMAT_VERSION])
    meta.append(["cycle", cycle.id])
    _append_text(meta, ["area", cycle.area.name])
    meta.append(list(META_COLUMNS))
    wrap = Alignment(wrap_text=True, vertical="top")
    for entry in entries:
        initiative = entry.initiative
        status = prefilled[entry.id]
        markup = status.to_markup() if status else ""
        if len(markup) > EXCEL_CELL_MAX:
            raise InvalidInput(
                t(
                    "The status of “{title}” (nr {nr}) is longer than a spreadsheet cell holds "
                    "({limit} characters); enter that answer with `statusbot entry set`.",
                    title=initiative.title,
                    nr=initiative_number(initiative),
                    limit=EXCEL_CELL_MAX,
                )
            )
        owner = initiative.owner
        row = [
            initiative_number(initiative),
            cycle.area.name,
            initiative.track.name,
            initiative.title,
            owner.label if owner is not None else "",
            state_label(entry),
            markup,
            _phase_name(entry.phase),
        ]
        _append_text(sheet, row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
        _append_text(meta, [row[0], entry.id, entry.version, markup, entry.phase or ""])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.cell(1, COLUMNS.index("nr") + 1).comment = Comment(
        t(
            "The initiative's key (nr in the registry file); #id (its id in "
            "`statusbot initiative list`) for one without a key."
        ),
        "statusbot",
    )
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column]
    sheet.freeze_panes = "A2"
    if entries:
        choices = ",".join(_phase_name(p) for p in PHASES)
        phases = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        column = get_column_letter(COLUMNS.index("phase") + 1)
        phases.add(f"{column}2:{column}{len(entries) + 1}")
        sheet.add_data_validation(phases)
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return ExportedSheet(buffer.getvalue(), len(entries))


@dataclass(frozen=True)
class Change:
    """One row to record: the sheet's line, the entry and what it says now."""

    line: int
    entry: Entry
    status: StatusText
    phase: str | None
    version: int | None  # the entry's version when exported


@dataclass
class ImportPlan:
    changes: list[Change] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class _Exported:
    entry_id: int
    version: int
    markup: str
    phase: str | None


def _open(path: Path) -> Any:
    from openpyxl import load_workbook

    if not path.is_file():
        raise InvalidInput(t("File {file} does not exist.", file=str(path)))
    check_xlsx_size(path)  # the registry import's limit: refused before it is read
    try:
        return load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(
            t(
                "{file} is not a readable XLSX workbook ({error}).",
                file=path.name,
                error=str(exc) or type(exc).__name__,
            )
        ) from None


def _changed_meta(path: Path) -> InvalidInput:
    return InvalidInput(
        t(
            "{file}: its hidden sheet “{sheet}” was changed; export the cycle again.",
            file=path.name,
            sheet=META_SHEET,
        )
    )


def _read_meta(book: Any, path: Path, cycle: Cycle) -> dict[int, _Exported]:
    if META_SHEET not in book.sheetnames or book[META_SHEET]["A1"].value != META_MARK:
        raise InvalidInput(
            t(
                "{file} is not an answers sheet exported by statusbot (its hidden sheet "
                "“{sheet}” is missing); export one with `statusbot answers export`.",
                file=path.name,
                sheet=META_SHEET,
            )
        )
    meta = book[META_SHEET]
    exported_cycle = _text(meta["B2"].value)
    if exported_cycle != str(cycle.id):
        raise InvalidInput(
            t(
                "{file} was exported for cycle {other} ({area}), not for cycle {cycle}; "
                "import it with --cycle {other}, or export cycle {cycle}.",
                file=path.name,
                other=exported_cycle or "?",
                area=_text(meta["B3"].value) or "?",
                cycle=cycle.id,
            )
        )
    exported: dict[int, _Exported] = {}  # by entry id: a key or title changed since still fits
    for values in meta.iter_rows(min_row=5, values_only=True):
        nr, entry_id, version, markup, phase = (list(values) + [None] * 5)[:5]
        if nr is None or entry_id is None:
            continue
        try:
            row = _Exported(int(entry_id), int(version or 0), _text(markup), _text(phase) or None)
        except (TypeError, ValueError):
            raise _changed_meta(path) from None
        exported[row.entry_id] = row
    return exported


def plan_import(session: Session, path: Path, cycle: Cycle) -> ImportPlan:
    """Read a filled-in answers sheet of ``cycle``: what would be recorded, and
    every bad row with its line."""
    book = _open(path)
    exported = _read_meta(book, path, cycle)
    sheet = book.worksheets[0]
    plan = ImportPlan()
    rows = list(sheet.iter_rows())
    if not rows:
        plan.problems.append((1, t("The sheet is empty; it needs the header row.")))
        return plan
    names = _header_names()
    columns: dict[str, int] = {}
    for index, cell in enumerate(rows[0]):
        column = names.get(_text(cell.value).casefold())
        if column is not None and column not in columns:
            columns[column] = index
    if "status" not in columns or not ("nr" in columns or "initiative" in columns):
        names_of = headers()
        plan.problems.append(
            (
                1,
                t(
                    "The header row needs the columns {status} and {nr} (or {initiative}).",
                    status=names_of["status"],
                    nr=names_of["nr"],
                    initiative=names_of["initiative"],
                ),
            )
        )
        return plan
    entries = CycleEntries(session, cycle)
    if not set(exported) <= entries.entry_ids:
        raise _changed_meta(path)
    seen: dict[int, int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if all(_text(c.value) == "" for c in cells):
            continue
        problem = _check_row(plan, entries, exported, seen, columns, line, cells)
        if problem is not None:
            plan.problems.append((line, problem))
    return plan


def _check_row(
    plan: ImportPlan,
    index: CycleEntries,
    exported: dict[int, _Exported],
    seen: dict[int, int],
    columns: dict[str, int],
    line: int,
    cells: tuple[Any, ...],
) -> str | None:
    """Add the row's change to ``plan``; the problem with it, if any."""
    for cell in cells:
        if cell.data_type == "f":
            return t("cell {cell} is a formula; type the text itself.", cell=cell.coordinate)

    def value(column: str) -> str:
        position = columns.get(column, len(cells))
        return _text(cells[position].value) if position < len(cells) else ""

    name = value("nr") or value("initiative")
    try:
        entry = index.find(name)
    except WorkflowError as exc:
        return exc.message
    if entry.id in seen:
        return t(
            "“{title}” is on line {other} too; give each initiative one row.",
            title=entry.initiative.title,
            other=seen[entry.id],
        )
    seen[entry.id] = line
    before = exported.get(entry.id)
    markup = value("status")
    try:
        phase = parse_phase(value("phase")) if "phase" in columns else None
        if not markup:
            plan.unchanged += 1  # an empty cell is no answer
            return None
        status = parse_status(markup)
    except WorkflowError as exc:
        return exc.message
    exported_status = StatusText.from_markup(before.markup) if before else None
    exported_phase = before.phase if before else entry.phase
    if status == exported_status and phase in (None, exported_phase):  # empty phase: kept
        plan.unchanged += 1
        return None
    if before is not None and before.version != entry.version:
        return t(
            "“{title}” was answered or changed after this file was exported; export again "
            "and redo this row, so the newer text is not overwritten.",
            title=entry.initiative.title,
        )
    plan.changes.append(Change(line, entry, status, phase, before.version if before else None))
    return None


def apply_import(
    session: Session, plan: ImportPlan, *, actor: Actor, now: datetime, locale: str | None
) -> list[tuple[int, str]]:
    """Record every change (in the caller's transaction); the rows the rules
    refused, with their lines (the caller then rolls everything back)."""
    refused: list[tuple[int, str]] = []
    for change in plan.changes:
        try:
            record_answer(
                session,
                entry=change.entry,
                status=change.status,
                phase=change.phase,
                actor=actor,
                via="spreadsheet",
                now=now,
                locale=locale,
                expected_version=change.version,
            )
        except WorkflowError as exc:
            refused.append((change.line, exc.message))
    return refused
