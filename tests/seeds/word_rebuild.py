"""Rebuild a seed report (/work/shared/seeds/*.txt) as the municipality's Word document.

The seeds are text extracted from the committee's Word tables: one line per
table row (cells separated by tabs, ``<p>`` paragraphs inside cells), a blank
line where a page broke, and ``--`` lines between pages. A row cut by a page
break appears as two lines; :func:`parse_seed` joins them back into the one
*logical* row Word had (a word hyphenated over the break is rejoined).

:func:`build_docx` writes the logical rows as the municipality lays them out:
the track cell merged down over its initiatives (``w:vMerge``), several
paragraphs in a Tiltag cell (title, then description), a track without
initiatives of its own as a track cell spanning the Tiltag column
(``w:gridSpan``), and optionally rows cut by a page break (a continuation row
under the merged track cell, Tiltag empty, the rest of the status).

Paragraphs keep the seed's inline markup in ``SeedParagraph.html``. By default
every paragraph is one plain run; with ``rich=True`` the seed's ``<i>`` becomes
italic runs and its numbered items ("<ol …> 1) … 2) … 3) …") paragraphs with
Word's own numbering (``w:numPr``, lvlText "%1)"), as the municipality's
document has them.
"""

from __future__ import annotations

import glob
import html
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

SEEDS = Path("/work/shared/seeds")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
COLUMNS = 4


def seed_path(number: str) -> Path:
    """The seed file whose name starts with ``number`` (e.g. "000")."""
    found = sorted(glob.glob(str(SEEDS / f"{number}_*.txt")))
    if not found:
        raise FileNotFoundError(f"no seed {number} in {SEEDS}")
    return Path(found[0])


@dataclass
class SeedParagraph:
    html: str  # the seed's markup (<i>, <ol> …)

    @property
    def text(self) -> str:
        return " ".join(html.unescape(_TAG.sub(" ", self.html)).split())


@dataclass
class SeedRow:
    """One logical row of the report table."""

    line: int  # the seed line it starts on (1-based)
    track: str
    cells: list[list[SeedParagraph]]  # Tiltag, Iværksættelse, Status
    # A track cell with no Tiltag beside it: the track is its only initiative.
    track_only: bool = False
    # Status paragraphs before each page break inside the row (the row's own
    # continuation lines in the seed that only continued the status).
    status_breaks: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.track_only:
            return self.track
        return self.cells[0][0].text if self.cells[0] else ""

    @property
    def description(self) -> list[str]:
        return [] if self.track_only else [p.text for p in self.cells[0][1:]]

    @property
    def plan(self) -> list[str]:
        return [p.text for p in self.cells[1]]

    @property
    def status(self) -> list[str]:
        return [p.text for p in self.cells[2]]


@dataclass
class SeedReport:
    heading: list[str]  # paragraphs above the table
    header: list[str]  # the table's header cells
    rows: list[SeedRow]


def cell_paragraphs(raw: str) -> list[SeedParagraph]:
    """A seed cell's paragraphs: each ``<p>…</p>``, and any text between them."""
    out: list[SeedParagraph] = []
    position = 0
    for match in _PARAGRAPH.finditer(raw):
        out.extend(_loose(raw[position : match.start()]))
        out.append(SeedParagraph(match[1].strip()))
        position = match.end()
    out.extend(_loose(raw[position:]))
    return [p for p in out if p.text]


def _loose(raw: str) -> list[SeedParagraph]:
    text = raw.strip()
    return [SeedParagraph(text)] if _TAG.sub("", text).strip() else []


def _starts_lower(paragraphs: list[SeedParagraph]) -> bool:
    return bool(paragraphs) and paragraphs[0].text[:1].islower()


def _join(previous: list[SeedParagraph], more: list[SeedParagraph]) -> None:
    """Append a continuation's paragraphs; one starting in lower case carries
    on the previous paragraph (a hyphen at the break joins the word)."""
    if not more:
        return
    if previous and _starts_lower(more):
        last = previous[-1].html.rstrip()
        if re.search(r"\w-$", last):
            previous[-1] = SeedParagraph(last[:-1] + more[0].html)
        else:
            previous[-1] = SeedParagraph(f"{last} {more[0].html}")
        more = more[1:]
    previous.extend(more)


def parse_seed(path: Path) -> SeedReport:
    lines = path.read_text(encoding="utf-8").split("\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Udviklingsspor\t"))
    heading = [" ".join(line.split()) for line in lines[:header_at] if line.strip()]
    header = lines[header_at].split("\t")
    rows: list[SeedRow] = []
    track = ""
    after_break = False
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip():
            after_break = True
            continue
        raw = (line.split("\t") + [""] * COLUMNS)[:COLUMNS]
        if all(set(c.strip()) <= {"-"} for c in raw):
            continue  # the "--" line between pages
        track_cell = " ".join(html.unescape(_TAG.sub(" ", raw[0])).split())
        cells = [cell_paragraphs(c) for c in raw[1:]]
        continues = (
            rows
            and not track_cell
            and (not cells[0] or (after_break and any(_starts_lower(c) for c in cells)))
        )
        after_break = False
        if continues:
            row = rows[-1]
            if not cells[0] and not cells[1]:
                row.status_breaks.append(len(row.cells[2]))
            for previous, more in zip(row.cells, cells, strict=True):
                _join(previous, more)
            continue
        if track_cell:
            track = track_cell
        rows.append(SeedRow(number, track, cells, track_only=bool(track_cell) and not cells[0]))
    return SeedReport(heading, header, rows)


# --- the Word document ------------------------------------------------------------


def _set_paragraphs(cell, paragraphs: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Write ``paragraphs`` into a table cell, one Word paragraph each."""
    first, *rest = paragraphs or [""]
    cell.paragraphs[0].text = first
    for text in rest:
        cell.add_paragraph(text)


_ITALIC = re.compile(r"<i>(.*?)</i>", re.DOTALL)
_ITEM = re.compile(r"(?:^|\s)(\d{1,3})\)\s+")


class _Numbering:
    """Word numbering for the rebuilt document: one list definition ("%1)"),
    one ``w:num`` per list so each restarts."""

    def __init__(self, document) -> None:  # type: ignore[no-untyped-def]
        self.element = document.part.numbering_part.element
        abstracts = self.element.iterchildren(qn("w:abstractNum"))
        ids = [int(a.get(qn("w:abstractNumId"))) for a in abstracts]
        self.abstract_id = max(ids, default=-1) + 1
        nums = [int(n.get(qn("w:numId"))) for n in self.element.iterchildren(qn("w:num"))]
        self.next_num = max(nums, default=0) + 1
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{self.abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1)"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
        )
        existing = list(self.element.iterchildren(qn("w:abstractNum")))
        if existing:
            existing[-1].addnext(abstract)
        else:
            self.element.insert(0, abstract)

    def new_list(self, start: int) -> int:
        num_id = self.next_num
        self.next_num += 1
        self.element.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{self.abstract_id}"/><w:lvlOverride w:ilvl="0">'
                f'<w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
            )
        )
        return num_id


def _add_runs(paragraph, markup: str) -> None:  # type: ignore[no-untyped-def]
    """``markup``'s text as runs, ``<i>…</i>`` italic."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _ITALIC.finditer(markup):
        pieces += [(markup[position : match.start()], False), (match[1], True)]
        position = match.end()
    pieces.append((markup[position:], False))
    texts = [(re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", t))), i) for t, i in pieces]
    texts = [(t, i) for t, i in texts if t.strip()]
    for index, (text, italic) in enumerate(texts):
        if index == 0:
            text = text.lstrip()
        if index == len(texts) - 1:
            text = text.rstrip()
        paragraph.add_run(text).italic = italic or None


def _rich_paragraphs(cell, paragraphs: list[SeedParagraph], numbering: _Numbering) -> None:  # type: ignore[no-untyped-def]
    """Write ``paragraphs`` into a cell with italics and Word-numbered items."""
    first = True
    for paragraph in paragraphs or [SeedParagraph("")]:
        pieces: list[tuple[str, int | None]] = [(paragraph.html, None)]
        if "<ol" in paragraph.html:
            text = _TAG.sub(" ", paragraph.html)
            marks = list(_ITEM.finditer(text))
            head = text[: marks[0].start()] if marks else text
            pieces = [(head, None)] if head.strip() else []
            for index, mark in enumerate(marks):
                end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
                pieces.append((text[mark.end() : end], int(mark[1])))
        num_id = None
        for markup, number in pieces:
            target = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if number is not None:
                if num_id is None:
                    num_id = numbering.new_list(number)
                ppr = target._p.get_or_add_pPr()
                ppr.insert(
                    0,
                    parse_xml(
                        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/>'
                        f'<w:numId w:val="{num_id}"/></w:numPr>'
                    ),
                )
            _add_runs(target, markup)


def _span_first_two(row) -> None:  # type: ignore[no-untyped-def]
    """Merge the row's first two cells horizontally (one ``w:tc`` with gridSpan 2)."""
    first, second = row.cells[0]._tc, row.cells[1]._tc
    second.getparent().remove(second)
    tc_pr = first.get_or_add_tcPr()
    element = OxmlElement("w:gridSpan")
    element.set(qn("w:val"), "2")
    tc_pr.append(element)


def build_docx(
    report: SeedReport,
    *,
    split_rows: bool = True,
    header: list[str] | None = None,
    rich: bool = False,
) -> bytes:
    """The report as a .docx. With ``split_rows``, a row the seed shows cut by a
    page break (only its status continuing) is written as two table rows; with
    ``rich``, plan and status cells keep the seed's italics and numbered items."""
    document = Document()
    numbering = _Numbering(document) if rich else None
    for text in report.heading:
        document.add_paragraph(text)
    pieces: list[tuple[SeedRow, list[str], list, list]] = []  # type: ignore[type-arg]
    for row in report.rows:
        title = [row.title, *row.description]
        plan, status_cell = (row.cells[1], row.cells[2]) if rich else (row.plan, row.status)
        breaks = row.status_breaks if split_rows else []
        bounds = [0, *breaks, len(status_cell)]
        for index, (start, end) in enumerate(itertools.pairwise(bounds)):
            status = status_cell[start:end]
            if index == 0:
                pieces.append((row, title, plan, status))
            else:
                pieces.append((row, [], [], status))
    table = document.add_table(rows=1 + len(pieces), cols=COLUMNS)
    for cell, text in zip(table.rows[0].cells, header or report.header, strict=True):
        cell.text = " ".join(text.split())
    # Track cells merged down over their rows; track-only rows span two columns.
    groups: list[tuple[int, int, SeedRow]] = []
    for number, (row, title, plan, status) in enumerate(pieces, start=1):
        cells = table.rows[number].cells
        _set_paragraphs(cells[1], title)
        if numbering is not None:
            _rich_paragraphs(cells[2], plan, numbering)
            _rich_paragraphs(cells[3], status, numbering)
        else:
            _set_paragraphs(cells[2], plan)
            _set_paragraphs(cells[3], status)
        if groups and groups[-1][2].track == row.track:
            groups[-1] = (groups[-1][0], number, groups[-1][2])
        else:
            groups.append((number, number, row))
    for first, last, row in groups:
        if last > first:
            table.cell(first, 0).merge(table.cell(last, 0))
        table.cell(first, 0).paragraphs[0].text = row.track
    for number, (row, title, _plan, _status) in enumerate(pieces, start=1):
        if row.track_only and title:
            _span_first_two(table.rows[number])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def registry_csv(report: SeedReport, area: str) -> str:
    """An import file (semicolon CSV) with every logical row of ``report``."""
    lines = ["område;udviklingsspor;tiltag;iværksættelse"]
    for row in report.rows:
        cells = [area, row.track, row.title, " ".join(row.plan)]
        lines.append(";".join('"' + c.replace('"', '""') + '"' for c in cells))
    return "\n".join(lines) + "\n"


def import_seed_baseline(  # type: ignore[no-untyped-def]
    session, folder: Path, report: SeedReport, area: str, as_of, now
) -> int:
    """``report`` imported as ``area``'s registry and, rebuilt as the
    municipality's Word document (``rich``), as its approved baseline; the
    baseline cycle's id."""
    from bot.importing import import_file
    from bot.workflow.actor import Actor
    from reports.baseline import find_area, import_baseline, read_baseline

    registry = folder / "registry.csv"
    registry.write_text(registry_csv(report, area), encoding="utf-8")
    import_file(session, registry, actor=Actor.cli(), now=now)
    baseline = read_baseline(build_docx(report, rich=True))
    result = import_baseline(
        session,
        area=find_area(session, area),
        as_of=as_of,
        rows=baseline.rows,
        stated=baseline.stated,
        source_label="import:seed.docx",
        actor=Actor.cli(),
        now=now,
    )
    assert result.unmatched == [] and result.cycle_id is not None
    return result.cycle_id
