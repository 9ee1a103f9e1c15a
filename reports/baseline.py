"""Import a previous committee report (.docx) as an approved baseline cycle.

The report table is read the way the seeds lay it out: four columns (track,
initiative, plan, status), the track cell merged down over its initiatives (or
simply left empty), status cells made of paragraphs and bullet lists. Each row
is matched to the registry by track and title, ignoring case and whitespace.
Rows that match nothing are listed and nothing is guessed; by default nothing is
stored when any row is unmatched.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Conflict, InvalidInput, NotFound
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import fail
from reports.docx_read import WordParagraph, WordReader, drop_prefix, to_block, typed_numbers
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
from storage.richtext import (
    BULLET_PREFIX,
    MAX_BLOCK_CHARS,
    MAX_BLOCKS,
    MAX_STATUS_CHARS,
    Block,
    StatusText,
    clean_text,
)

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
    description: str = ""  # the Tiltag cell's further paragraphs
    # Rows after a page break that were read as the rest of this one.
    continued: list[int] = field(default_factory=list)

    @property
    def status(self) -> StatusText:
        return StatusText(blocks=tuple(self.blocks))


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a table cell, as plain text (``rich``: with its runs and
    Word's list numbering)."""

    text: str
    bullet: bool = False
    rich: WordParagraph | None = None


@dataclass
class _Cell:
    paragraphs: list[Paragraph]
    merge: str | None  # None, "restart", "continue" (vertical) or "span" (covered)
    span: int = 1  # grid columns this cell covers

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.paragraphs if p.text).strip()


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


def read_paragraph(  # type: ignore[no-untyped-def]
    p, list_styles: set[str], reader: WordReader | None = None
) -> Paragraph:
    """One ``w:p`` of a cell, with its formatting when ``reader`` is given."""
    rich = reader.paragraph(p, list_styles) if reader is not None else None
    return Paragraph(_paragraph_text(p), _is_bullet(p, list_styles), rich)


def _cells(tr, list_styles: set[str], reader: WordReader | None = None) -> list[_Cell]:  # type: ignore[no-untyped-def]
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
        paragraphs = [read_paragraph(p, list_styles, reader) for p in tc.iterchildren(qn("w:p"))]
        cells.append(_Cell(paragraphs, merge, span))
        cells.extend(_Cell([], "span") for _ in range(span - 1))
    return cells


def title_and_description(cell: _Cell) -> tuple[str, str]:
    """A Tiltag cell: its first paragraph is the title, the further ones the
    description (paragraphs separated by a blank line)."""
    texts = [p.text for p in cell.paragraphs if p.text]
    if not texts:
        return "", ""
    return texts[0], "\n\n".join(texts[1:])


def plan_text(cell: _Cell) -> str:
    """A plan cell's paragraphs, one a line; italic, bold and links written as
    typed text (``*Anbefaling 2*``), which the report shows formatted."""
    return "\n".join(_inline_markup(p) for p in cell.paragraphs if p.text)


def _inline_markup(paragraph: Paragraph) -> str:
    rich = paragraph.rich
    if rich is None or not any(set(run) - {"text"} for run in rich.runs):  # unformatted
        return paragraph.text
    block = to_block(WordParagraph(rich.runs))
    if block is None:
        return paragraph.text
    line = StatusText(blocks=(block,)).to_markup().replace("\\\n", " ").replace("\n", " ")
    return " ".join(line.split())


def status_blocks(cell: _Cell) -> list[Block]:
    """A status cell's paragraphs as blocks: italic, bold, links and line breaks
    kept, Word's bullets and numbering (or numbers typed on consecutive
    paragraphs) as lists with their numbers."""
    paragraphs: list[WordParagraph] = []
    for paragraph in cell.paragraphs:
        if paragraph.text in _NOTES or not paragraph.text:
            continue
        rich = paragraph.rich or WordParagraph(
            [{"text": paragraph.text}], "li" if paragraph.bullet else "p"
        )
        if rich.kind == "p" and (bullet := BULLET_PREFIX.match(rich.text)):
            rich = WordParagraph(drop_prefix(rich.runs, bullet.end()), "li")
        paragraphs.append(rich)
    blocks = [b for b in map(to_block, typed_numbers(paragraphs)) if b is not None]
    if len(blocks) == 1 and blocks[0].text.strip() in EMPTY_MARKERS:
        return []
    return blocks


# --- the date the document gives itself ("Status … pr. april 2024") --------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januar", "january", "jan"),
            ("februar", "february", "feb"),
            ("marts", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"\bpr\.?\s+(\d{1,2})[./](\d{1,2})[-./](\d{2,4})\b", re.IGNORECASE)
_WORD_DATE = re.compile(
    r"\b(?:pr\.?|as of|per)\s+(?:(\d{1,2})\.?\s+)?([a-zæøå]+)\.?\s+(\d{4})\b", re.IGNORECASE
)


@dataclass(frozen=True)
class StatedDate:
    """The date a report names for itself: a day, or a whole month."""

    text: str  # as written, e.g. "pr. april 2024"
    first: date
    last: date

    def contradicts(self, as_of: date) -> bool:
        return not self.first <= as_of <= self.last


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def stated_date(text: str) -> StatedDate | None:
    """The first "pr. <date>" in ``text`` (30/8-23, 1. april 2024, april 2024)."""
    found: list[tuple[int, StatedDate]] = []
    for match in _NUMERIC_DATE.finditer(text):
        try:
            day = date(_year(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            continue
        found.append((match.start(), StatedDate(match[0], day, day)))
    for match in _WORD_DATE.finditer(text):
        month = MONTHS.get(match[2].casefold())
        if month is None:
            continue
        year = _year(match[3])
        try:
            if match[1]:
                day = date(year, month, int(match[1]))
                found.append((match.start(), StatedDate(match[0], day, day)))
            else:
                last = date(year, month, calendar.monthrange(year, month)[1])
                found.append((match.start(), StatedDate(match[0], date(year, month, 1), last)))
        except ValueError:
            continue
    return min(found, key=lambda pair: pair[0])[1] if found else None


@dataclass
class BaselineDocument:
    rows: list[BaselineRow]
    # The report's own date: its heading's "pr. …", else the status column's.
    stated: StatedDate | None = None


def read_baseline(source: str | Path | bytes) -> BaselineDocument:
    """The initiative rows of the first report table in a .docx file, and the
    date the report states for itself."""
    try:
        document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except Exception:  # python-docx raises several kinds for non-docx input, in English
        raise fail(
            InvalidInput,
            "The file cannot be read as a Word document (.docx); save it from Word as .docx.",
        ) from None
    list_styles = {
        s.style_id
        for s in document.styles
        if s.name and ("list" in s.name.casefold() or "liste" in s.name.casefold())
    }
    for table in document.tables:
        rows = list(table._tbl.iterchildren(qn("w:tr")))
        if not rows:
            continue
        header = _cells(rows[0], list_styles)  # its text only
        if len(header) < 4 or normalise(header[0].text) not in HEADER_WORDS:
            continue
        stated = None
        for paragraph in document.paragraphs:
            stated = stated_date(paragraph.text)
            if stated is not None:
                break
        if stated is None:
            stated = stated_date(header[3].text)
        return BaselineDocument(_rows(rows[1:], list_styles, WordReader(document)), stated)
    raise fail(
        InvalidInput,
        "No report table found: expected a table whose first row starts with "
        "'Udviklingsspor' (or 'Development track') and has four columns.",
    )


def read_baseline_docx(source: str | Path | bytes) -> list[BaselineRow]:
    """The initiative rows of the first report table in a .docx file."""
    return read_baseline(source).rows


def _continue_row(previous: BaselineRow, number: int, plan: str, blocks: list[Block]) -> None:
    """The rest of ``previous``, split over a page break."""
    previous.plan = "\n".join(x for x in (previous.plan, plan) if x)
    previous.blocks.extend(blocks)
    previous.continued.append(number)


def _rows(trs: Iterable, list_styles: set[str], reader: WordReader) -> list[BaselineRow]:  # type: ignore[type-arg]
    out: list[BaselineRow] = []
    track = ""
    header_first = None
    for number, tr in enumerate(trs, start=2):
        cells = _cells(tr, list_styles, reader)
        if len(cells) < 4:
            raise fail(
                InvalidInput,
                "Table row {number}: expected four columns, found {found}.",
                number=number,
                found=len(cells),
            )
        track_cell, title_cell, plan_cell, status_cell = cells[:4]
        if header_first is None and normalise(track_cell.text) in HEADER_WORDS:
            header_first = number  # a repeated header row (page break in a converted file)
            continue
        # A track cell spanning the Tiltag column names a track of one initiative.
        spans_title = track_cell.span >= 2 and track_cell.merge != "continue"
        new_track = track_cell.merge != "continue" and bool(track_cell.text) and (
            track_cell.merge == "restart"
            or spans_title
            or normalise(track_cell.text) != normalise(track)
        )
        if new_track:
            track = track_cell.text
        if spans_title:
            title, description = track_cell.text, ""
        else:
            title, description = title_and_description(title_cell)
        plan = plan_text(plan_cell)
        try:
            blocks = status_blocks(status_cell)
        except ValidationError:
            raise _too_long(number) from None
        if not title:
            if not (plan or blocks or description):
                continue  # an empty row
            if new_track:
                raise fail(
                    InvalidInput,
                    "Table row {number}: the Tiltag cell is empty under the new track "
                    "“{track}”; a row continuing the previous initiative cannot start a "
                    "track. Give the row its initiative's title.",
                    number=number,
                    track=track,
                )
            if not out:
                raise fail(
                    InvalidInput,
                    "Table row {number}: text without an initiative title.",
                    number=number,
                )
            _continue_row(out[-1], number, plan, blocks)
            continue
        if not track:
            raise fail(
                InvalidInput,
                "Table row {number}: initiative “{title}” has no track.",
                number=number,
                title=title,
            )
        out.append(BaselineRow(number, track, title, plan, blocks, description))
    for row in out:
        try:
            row.status  # noqa: B018 - validates the whole status
        except ValidationError:
            raise _too_long(row.number) from None
    return out


def _too_long(number: int) -> InvalidInput:
    return fail(
        InvalidInput,
        "Table row {number}: the status is too long (a paragraph may have at most "
        "{block} characters, a status at most {status} characters or {blocks} paragraphs).",
        number=number,
        block=f"{MAX_BLOCK_CHARS:,}",
        status=f"{MAX_STATUS_CHARS:,}",
        blocks=MAX_BLOCKS,
    )


@dataclass
class BaselineResult:
    cycle_id: int | None
    matched: list[tuple[BaselineRow, int]]  # row, initiative id
    unmatched: list[BaselineRow]
    not_in_file: list[str]  # "track / title" of active initiatives without a row


def _span(stated: StatedDate) -> str:
    if stated.first == stated.last:
        return stated.first.isoformat()
    return f"{stated.first.isoformat()} – {stated.last.isoformat()}"


def find_area(session: Session, name: str, *, team_id: str = "") -> Area:
    """The workspace's area named (or numbered) ``name``."""
    wanted = normalise(name)
    for area in session.scalars(select(Area).where(Area.team_id == team_id)):
        if normalise(area.name) == wanted or normalise(area.key) == wanted or str(area.id) == name:
            return area
    raise fail(NotFound, "No area named “{name}”.", name=name)


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
    stated: StatedDate | None = None,
    force: bool = False,
) -> BaselineResult:
    """Store ``rows`` as an approved baseline cycle of ``area`` (flushed, not committed).

    With unmatched rows and ``allow_unmatched`` false nothing is stored and the
    result has ``cycle_id=None``. An ``as_of`` outside the date the document
    states for itself (``stated``) is refused unless ``force``.
    """
    if stated is not None and stated.contradicts(as_of) and not force:
        raise fail(
            InvalidInput,
            "--as-of {as_of} contradicts the document's own date “{stated}” ({span}); "
            "check the date, or pass --force.",
            as_of=as_of.isoformat(),
            stated=stated.text,
            span=_span(stated),
        )
    existing = session.scalars(
        select(Cycle).where(Cycle.area_id == area.id, Cycle.as_of == as_of, Cycle.is_baseline)
    ).first()
    if existing is not None:
        raise fail(
            Conflict,
            "{area} already has a baseline as of {as_of} (cycle {cycle}).",
            area=area.name,
            as_of=as_of.isoformat(),
            cycle=existing.id,
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
            raise fail(
                InvalidInput,
                "Table rows {first} and {second} are both {track} / {title}.",
                first=seen[found.id].number,
                second=row.number,
                track=row.track,
                title=row.title,
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
    by_id = {initiative.id: initiative for initiative in registry.values()}
    for row, initiative_id in matched:
        initiative = by_id[initiative_id]
        if row.description and not initiative.description:
            initiative.description = row.description
        entry = Entry(
            cycle_id=cycle.id,
            initiative_id=initiative_id,
            status=row.status,
            plan=row.plan,
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
