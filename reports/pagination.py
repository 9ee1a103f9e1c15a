"""Which table rows are kept on one page (Word's "cantSplit", Typst's unbreakable
cells), and how an entry taller than a page is split into rows that each fit,
so every page names what its text belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reports.model import MarkedBlock, ReportRow, ReportTrack

# A row with more text than this may be taller than an A4 landscape page (the
# status column holds ~70 characters a line, ~35 lines a page). Such a row must
# stay free to break: Typst would let an unbreakable row run off the page.
# Below it, a row that does not fit at the bottom of a page moves to the next.
MAX_UNSPLIT_CHARS = 1800
# Above this much status text an entry is taller than a page (~35 lines of
# ~70 characters): it is set as rows of at most MAX_UNSPLIT_CHARS that each
# fit, the later ones headed "… (continued)". Between the two it stays one row
# free to break (split, its short tail would often share a page with its head).
PAGE_CHARS = 2450
_BLOCK = 60  # a paragraph's last line and spacing, in characters


def _size(texts: list[str]) -> int:
    return sum(len(text) + _BLOCK for text in texts)


def fits_on_a_page(row: ReportRow) -> bool:
    status = _size([b.text for b in row.blocks]) + _size(list(row.notes))
    return status < MAX_UNSPLIT_CHARS and len(row.plan) + len(row.title) < MAX_UNSPLIT_CHARS // 2


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of the rendered table: a whole entry, or one part of an entry
    too tall for a page (Word and Typst leave the track and initiative cells
    empty where they break a row themselves, so such an entry becomes rows that
    each fit, the later ones headed "<initiative> (continued)")."""

    row: ReportRow
    blocks: tuple[MarkedBlock, ...]  # this part's status blocks
    notes: tuple[str, ...]  # the entry's notes, on its last part
    continued: bool  # a later part: the initiative cell holds the cue only
    keep_together: bool  # never split over two pages
    track_rows: int  # > 0: the track cell starts here and spans this many rows
    track_continued: bool  # that track cell names the track with the cue


def _parts(row: ReportRow) -> list[tuple[MarkedBlock, ...]]:
    """The status blocks in page-sized parts (a block larger than a page alone)."""
    parts: list[list[MarkedBlock]] = [[]]
    for block in row.blocks:
        if parts[-1] and _size([b.text for b in [*parts[-1], block]]) >= MAX_UNSPLIT_CHARS:
            parts.append([])
        parts[-1].append(block)
    return [tuple(part) for part in parts]


def table_rows(track: ReportTrack) -> Iterator[TableRow]:
    """The track's rows as the PDF and DOCX tables draw them."""
    pieces: list[tuple[ReportRow, tuple[MarkedBlock, ...], tuple[str, ...], bool, bool]] = []
    for row in track.rows:
        status = _size([b.text for b in row.blocks]) + _size(list(row.notes))
        if status < PAGE_CHARS:
            pieces.append((row, row.blocks, row.notes, False, fits_on_a_page(row)))
            continue
        parts = _parts(row)
        short_heading = len(row.plan) + len(row.title) < MAX_UNSPLIT_CHARS // 2
        for index, part in enumerate(parts):
            notes = row.notes if index == len(parts) - 1 else ()
            fits = _size([b.text for b in part]) + _size(list(notes)) < MAX_UNSPLIT_CHARS
            # A part that may be taller than a page stays free to break.
            keep = len(parts) > 1 and fits and (index > 0 or short_heading)
            pieces.append((row, part, notes, index > 0, keep))
    # The track cell starts again (with the cue) at each later part of an entry.
    starts = [i for i, piece in enumerate(pieces) if i == 0 or piece[3]]
    spans = {
        start: end - start for start, end in zip(starts, [*starts[1:], len(pieces)], strict=True)
    }
    for i, (row, blocks, notes, continued, keep) in enumerate(pieces):
        yield TableRow(row, blocks, notes, continued, keep, spans.get(i, 0), i > 0 and i in spans)
