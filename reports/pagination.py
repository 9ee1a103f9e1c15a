"""Which table rows are kept on one page (Word's "cantSplit", Typst's unbreakable cells)."""

from __future__ import annotations

from reports.model import ReportRow

# A row with more text than this may be taller than an A4 landscape page (the
# status column holds ~70 characters a line, ~35 lines a page). Such a row must
# stay free to break: Typst would let an unbreakable row run off the page.
# Below it, a row that does not fit at the bottom of a page moves to the next.
MAX_UNSPLIT_CHARS = 1800
_BLOCK = 60  # a paragraph's last line and spacing, in characters


def fits_on_a_page(row: ReportRow) -> bool:
    status = sum(len(b.text) + _BLOCK for b in row.blocks)
    status += sum(len(n) + _BLOCK for n in row.notes)
    return status < MAX_UNSPLIT_CHARS and len(row.plan) + len(row.title) < MAX_UNSPLIT_CHARS // 2
