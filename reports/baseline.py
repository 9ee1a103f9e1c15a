"""Import a previous committee report (.docx) as an approved baseline cycle.

The report table is read the way the seeds lay it out: four columns (track,
initiative, plan, status), the track cell merged down over its initiatives (or
simply left empty), status cells made of paragraphs and bullet lists. Each row
is matched to the registry by track and title, ignoring case and whitespace.
Rows that match nothing are listed and nothing is guessed; by default nothing is
stored when any row is unmatched.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Conflict, InvalidInput, NotFound
from bot.workflow import audit
from bot.workflow.actor import Actor
from reports.docx_read import Paragraph, WordReader, _drop_prefix, to_block, typed_numbers
from reports.texts import note_texts
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Revision,
    RevisionReason,
    Track,
)
from storage.richtext import BULLET_PREFIX, Block, StatusText, clean_text

HEADER_WORDS = {"udviklingsspor", "development track", "track", "spor"}
EMPTY_MARKERS = {"-", "–", "—", ""}
# Our own renderer's notes under a status are not part of the status text.
_NOTES = {text for locale in ("da", "en") for text in note_texts(locale).values()}


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class BaselineRow:
    number: int  # 1-based row of the table, header included
    track: str
    title: str
    plan: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def status(self) -> StatusText:
        return StatusText(blocks=tuple(self.blocks))


@dataclass
class _Cell:
    paragraphs: list[tuple[str, bool]]  # (text, is bullet)
    merge: str | None  # None, "restart" or "continue"
    contents: list[Paragraph] = field(default_factory=list)  # with formatting

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.paragraphs if t).strip()


def _paragraph_text(p) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        parts.append(node.text or "" if node.tag == qn("w:t") else " ")
    return clean_text("".join(parts))


def _is_bullet(p, list_styles: set[str]) -> bool:  # type: ignore[no-untyped-def]
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        if ppr.find(qn("w:numPr")) is not None:
            return True
        style = ppr.find(qn("w:pStyle"))
        if style is not None and style.get(qn("w:val")) in list_styles:
            return True
    return False


def _cells(tr, list_styles: set[str], reader: WordReader) -> list[_Cell]:  # type: ignore[no-untyped-def]
    cells: list[_Cell] = []
    for tc in tr.iterchildren(qn("w:tc")):
        merge = None
        span = 1
        tcpr = tc.find(qn("w:tcPr"))
        if tcpr is not None:
            vmerge = tcpr.find(qn("w:vMerge"))
            if vmerge is not None:
                merge = "restart" if vmerge.get(qn("w:val")) == "restart" else "continue"
            grid_span = tcpr.find(qn("w:gridSpan"))
            if grid_span is not None:
                span = int(grid_span.get(qn("w:val"), "1"))
        ps = list(tc.iterchildren(qn("w:p")))
        paragraphs = [(_paragraph_text(p), _is_bullet(p, list_styles)) for p in ps]
        cells.append(_Cell(paragraphs, merge, [reader.paragraph(p, list_styles) for p in ps]))
        cells.extend(_Cell([], "span") for _ in range(span - 1))
    return cells


def _status_blocks(cell: _Cell) -> list[Block]:
    paragraphs: list[Paragraph] = []
    for paragraph in cell.contents:
        text = clean_text(paragraph.text)
        if text in _NOTES or not text:
            continue
        if paragraph.kind == "p" and (bullet := BULLET_PREFIX.match(paragraph.text)):
            paragraph = Paragraph(_drop_prefix(paragraph.runs, bullet.end()), "li")
        paragraphs.append(paragraph)
    blocks = [b for b in map(to_block, typed_numbers(paragraphs)) if b is not None]
    if len(blocks) == 1 and blocks[0].text.strip() in EMPTY_MARKERS:
        return []
    return blocks


def read_baseline_docx(source: str | Path | bytes) -> list[BaselineRow]:
    """The initiative rows of the first report table in a .docx file."""
    try:
        document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except Exception as exc:  # python-docx raises several kinds for non-docx input
        raise InvalidInput(f"Cannot read the file as a Word document (.docx): {exc}") from exc
    list_styles = {
        s.style_id
        for s in document.styles
        if s.name and ("list" in s.name.casefold() or "liste" in s.name.casefold())
    }
    for table in document.tables:
        rows = list(table._tbl.iterchildren(qn("w:tr")))
        if not rows:
            continue
        reader = WordReader(document)
        header = _cells(rows[0], list_styles, reader)
        if len(header) < 4 or normalise(header[0].text) not in HEADER_WORDS:
            continue
        return _rows(rows[1:], list_styles, reader)
    raise InvalidInput(
        "No report table found: expected a table whose first row starts with "
        "'Udviklingsspor' (or 'Development track') and has four columns."
    )


def _rows(trs: Iterable, list_styles: set[str], reader: WordReader) -> list[BaselineRow]:  # type: ignore[type-arg]
    out: list[BaselineRow] = []
    track = ""
    header_first = None
    for number, tr in enumerate(trs, start=2):
        cells = _cells(tr, list_styles, reader)
        if len(cells) < 4:
            raise InvalidInput(f"Table row {number}: expected four columns, found {len(cells)}.")
        track_cell, title_cell, plan_cell, status_cell = cells[:4]
        if header_first is None and normalise(track_cell.text) in HEADER_WORDS:
            header_first = number  # a repeated header row (page break in a converted file)
            continue
        if track_cell.merge != "continue" and track_cell.text:
            track = track_cell.text
        title = title_cell.text
        plan = "\n".join(t for t, _ in plan_cell.paragraphs if t)
        blocks = _status_blocks(status_cell)
        if not title:
            if not (plan or blocks):
                continue  # an empty row
            if not out:
                raise InvalidInput(f"Table row {number}: text without an initiative title.")
            # The rest of the previous initiative, split over a page break.
            previous = out[-1]
            previous.plan = "\n".join(x for x in (previous.plan, plan) if x)
            previous.blocks.extend(blocks)
            continue
        if not track:
            raise InvalidInput(f"Table row {number}: initiative {title!r} has no track.")
        out.append(BaselineRow(number, track, title, plan, blocks))
    return out


@dataclass
class BaselineResult:
    cycle_id: int | None
    matched: list[tuple[BaselineRow, int]]  # row, initiative id
    unmatched: list[BaselineRow]
    not_in_file: list[str]  # "track / title" of active initiatives without a row


def find_area(session: Session, name: str, *, team_id: str = "") -> Area:
    """The workspace's area named (or numbered) ``name``."""
    wanted = normalise(name)
    for area in session.scalars(select(Area).where(Area.team_id == team_id)):
        if normalise(area.name) == wanted or normalise(area.key) == wanted or str(area.id) == name:
            return area
    raise NotFound(f"No area named {name!r}.")


def import_baseline(
    session: Session,
    *,
    area: Area,
    as_of: date,
    rows: list[BaselineRow],
    source_label: str,
    actor: Actor,
    now: datetime,
    allow_unmatched: bool = False,
) -> BaselineResult:
    """Store ``rows`` as an approved baseline cycle of ``area`` (flushed, not committed).

    With unmatched rows and ``allow_unmatched`` false nothing is stored and the
    result has ``cycle_id=None``.
    """
    existing = session.scalars(
        select(Cycle).where(Cycle.area_id == area.id, Cycle.as_of == as_of, Cycle.is_baseline)
    ).first()
    if existing is not None:
        raise Conflict(
            f"{area.name} already has a baseline as of {as_of.isoformat()} (cycle {existing.id})."
        )
    tracks = {
        t.id: normalise(t.name)
        for t in session.scalars(select(Track).where(Track.area_id == area.id))
    }
    registry: dict[tuple[str, str], Initiative] = {}
    for initiative in session.scalars(select(Initiative).where(Initiative.area_id == area.id)):
        key = (tracks[initiative.track_id], normalise(initiative.title))
        if key not in registry or initiative.retired_at is None:  # the active one wins
            registry[key] = initiative

    matched: list[tuple[BaselineRow, int]] = []
    unmatched: list[BaselineRow] = []
    seen: dict[int, BaselineRow] = {}
    for row in rows:
        found = registry.get((normalise(row.track), normalise(row.title)))
        if found is None:
            unmatched.append(row)
            continue
        if found.id in seen:
            raise InvalidInput(
                f"Table rows {seen[found.id].number} and {row.number} are both "
                f"{row.track} / {row.title}."
            )
        seen[found.id] = row
        matched.append((row, found.id))
    not_in_file = [
        f"{initiative.track.name} / {initiative.title}"
        for initiative in registry.values()
        if initiative.active and initiative.retired_at is None and initiative.id not in seen
    ]
    result = BaselineResult(None, matched, unmatched, not_in_file)
    if (unmatched and not allow_unmatched) or not matched:
        return result

    cycle = Cycle(
        area_id=area.id,
        as_of=as_of,
        deadline=datetime.combine(as_of, time(0), tzinfo=UTC),
        state=CycleState.APPROVED,
        is_baseline=True,
        opened_by=actor.label,
        opened_at=now,
        closed_at=now,
        approved_at=now,
    )
    session.add(cycle)
    session.flush()
    for row, initiative_id in matched:
        entry = Entry(
            cycle_id=cycle.id,
            initiative_id=initiative_id,
            status=row.status,
            source=EntrySource.IMPORT,
            answered_at=now,
        )
        session.add(entry)
        session.flush()
        session.add(
            Revision(
                entry_id=entry.id,
                number=1,
                status=row.status,
                reason=RevisionReason.IMPORT,
                author_label=source_label[:200],
                created_at=now,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "baseline_import",
        area_id=area.id,
        cycle_id=cycle.id,
        now=now,
        source=source_label,
        rows=len(matched),
        unmatched=[f"{r.track} / {r.title}" for r in unmatched],
    )
    result.cycle_id = cycle.id
    return result
