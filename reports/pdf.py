"""PDF rendering: the document typeset by Typst as tagged PDF/UA-1 and PDF/A-2a.

Chosen by measurement (bench/report_bench.py): Typst lays out the
1,000-initiative report in a few seconds where WeasyPrint took over a minute.

No text of the report ever becomes Typst *markup*. Every piece of text is a
Typst string literal (:func:`lit`), and the document is assembled in code mode
from our own functions (the preamble below), so a title like ``#sys.exit()``,
``]``, ``$x$``, ``<lbl>`` or ``@ref`` prints as typed. Inline content goes
through :func:`inline` only.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from reports.model import ReportDocument, Segment, list_groups
from reports.pagination import TableRow, table_rows
from storage.richtext import safe_url

# The system packages, kept in one file that the Dockerfile and CI install from.
PACKAGES_FILE = Path(__file__).with_name("pdf_packages.txt")


def system_packages() -> list[str]:
    lines = PACKAGES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


INSTALL_HINT = (
    "PDF output needs Typst. Install it with: pip install 'statusbot[pdf]'  "
    "(and on Debian/Ubuntu its font: apt-get install " + " ".join(system_packages()) + ")"
)

# PDF/UA-1 (accessible) and PDF/A-2a (archival, tagged) at once; Typst refuses
# PDF/A-4 with PDF/UA-1 (no common PDF version), and PDF/A-2a is what agenda
# systems ask for.
PDF_STANDARDS = ["ua-1", "a-2a"]

# Fonts are looked up only here (plus Typst's own embedded fonts), never in
# whatever the machine has installed, so the same document gives the same bytes.
# Carlito is metric-compatible with Calibri (the DOCX font); DejaVu Sans is in
# Debian's fonts-dejavu-core, which CI and the Docker image install.
FONT_DIRS = (
    "/usr/share/fonts/truetype/crosextra",
    "/usr/share/fonts/truetype/dejavu",
)
FONTS = '("Carlito", "DejaVu Sans", "Libertinus Serif")'


class PdfUnavailable(RuntimeError):
    """Typst is not installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))


def pdf_available() -> bool:
    # Found, not imported: only the worker process loads Typst.
    return importlib.util.find_spec("typst") is not None


# Characters PDF text cannot carry usefully (controls, lone surrogates,
# non-characters); tabs and line ends become spaces as in the DOCX.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": " ", "\r": " ", "\t": " "})


def lit(text: str) -> str:
    """``text`` as a Typst string literal: shown verbatim, never read as markup."""
    return '"' + _INVALID.sub("", text).translate(_ESCAPES) + '"'


PREAMBLE = """\
#let red = rgb("#d00000")
#let chg(body) = underline(text(fill: red, body))
#let gone(body) = strike(text(fill: rgb("#555555"), body))
#let note(body) = text(style: "italic", size: 9pt, fill: rgb("#555555"), lang: lang,
  region: region, body)
#let narrow(body) = text(hyphenate: true, body)
#let trackfill = rgb("#f2f2f2")
#let headfill = rgb("#d9e2f3")
#set page(
  paper: "a4", flipped: true,
  margin: (top: 16mm, bottom: 18mm, x: 14mm),
  footer: context align(right, text(size: 8pt, fill: rgb("#555555"),
    page-label + " " + counter(page).display() + " " + of-label + " "
      + str(counter(page).final().first()))),
)
#set text(font: fonts, size: 10pt, lang: lang, region: region, hyphenate: false,
  costs: (hyphenation: 300%))
#set par(leading: 0.45em, spacing: 6pt, justify: false)
#set list(indent: 2pt, body-indent: 6pt, spacing: 3pt)
#show heading: set text(size: 15pt)
#show heading: set block(above: 0pt, below: 10pt)
"""


def _segment(segment: Segment) -> str:
    pieces = [lit(piece) for piece in segment.text.split("\n")]
    code = "{" + "; linebreak(); ".join(pieces) + "}" if len(pieces) > 1 else pieces[0]
    if segment.bold:
        code = f"strong({code})"
    if segment.italic:
        code = f"emph({code})"
    if segment.changed:
        code = f"chg({code})"
    elif segment.deleted:
        code = f"gone({code})"
    return code


def inline(segments: Iterable[Segment]) -> str:
    """The Typst code of one block's runs: italic, bold, links and line breaks;
    changed runs are red and underlined, deleted ones (drafts only) struck
    through. Text and link targets are string literals, never markup."""
    parts: list[str] = []
    for url, group in groupby(segments, key=lambda s: s.link and safe_url(s.link)):
        codes = [_segment(s) for s in group]
        body = codes[0] if len(codes) == 1 else "{" + "; ".join(codes) + "}"
        parts.append(f"link({lit(url)}, {body})" if url else "; ".join(codes))
    return "{" + "; ".join(parts) + "}" if parts else '""'


def _lines(lines: Iterable[str], *, changed: bool = False) -> str:
    blocks = [inline((Segment(line, changed),)) for line in lines]
    return "{" + "; parbreak(); ".join(blocks) + "}"


def _status(part: TableRow, empty: str) -> str:
    parts: list[str] = []
    for kind, blocks in list_groups(part.blocks):
        if kind == "ul":
            parts.append("list(" + ", ".join(inline(b.segments) for b in blocks) + ")")
        elif kind == "ol":
            numbering = lit("1)" if blocks[0].delim == ")" else "1.")
            items = ", ".join(inline(b.segments) for b in blocks)
            start = int(blocks[0].number or 1)
            parts.append(f"enum(start: {start}, numbering: {numbering}, {items})")
        else:
            parts.append(inline(blocks[0].segments))
    if not parts:
        parts.append(f"text(lang: lang, region: region, {lit(empty)})")
    parts.extend(f"note({lit(n)})" for n in part.notes)
    return "{" + "; parbreak(); ".join(parts) + "}"


def _typst_date(moment: datetime) -> str:
    m = moment.astimezone(UTC) if moment.tzinfo else moment
    return (
        f"datetime(year: {m.year}, month: {m.month}, day: {m.day}, "
        f"hour: {m.hour}, minute: {m.minute}, second: {m.second})"
    )


def typst_source(document: ReportDocument) -> str:
    """The whole document as Typst source (see the module docstring on escaping)."""
    labels = document.labels
    da = document.locale == "da"
    author = document.author or document.area_name
    out = [
        f"#set document(title: {lit(document.title)}, author: {lit(author)}, "
        f"date: {_typst_date(document.generated_at)})\n",
        f"#let page-label = {lit(labels.page)}\n",
        f"#let of-label = {lit(labels.of)}\n",
        f"#let fonts = {FONTS}\n",
        f"#let lang = {lit('da' if da else 'en')}\n",
        f"#let region = {lit('DK' if da else 'GB')}\n",
        PREAMBLE,
    ]
    # The area's own texts in their language (hyphenation, screen readers),
    # the labels in the reader's (see ReportDocument.text_locale).
    texts_lang = ""
    if document.text_locale != document.locale:
        ours = document.text_locale == "da"
        texts_lang = (
            f"text(lang: {lit('da' if ours else 'en')}, region: {lit('DK' if ours else 'GB')})"
        )
    if document.date_line:
        out.append(f"#align(right, {lit(document.date_line)})\n")
    out.append(f"#heading(level: 1, {lit(document.title)})\n")
    if document.intro:
        # A paragraph break must show: the cells' 6pt is barely more than a line's leading.
        intro = "; ".join(f"par({lit(p)})" for p in document.intro)
        in_lang = f"set {texts_lang}; " if texts_lang else ""
        out.append(f"#{{set par(spacing: 1em); {in_lang}{intro}}}\n")
    if labels.legend_marked:
        out.append(
            f"#par({{{lit(labels.legend_before or '')}; "
            f"strong(chg({lit(labels.legend_marked)})); {lit(labels.legend_after or '')}}})\n"
        )
    if labels.legend_deleted:
        out.append(f"#par({lit(labels.legend_deleted)})\n")
    header = ", ".join(
        f"table.cell(fill: headfill, text(lang: lang, region: region, strong({lit(t)})))"
        for t in (labels.track, labels.initiative, labels.plan, labels.status)
    )
    if texts_lang:
        out.append(f"#show table: set {texts_lang}\n")
    out.append(
        '#table(\n  columns: (14%, 21%, 23%, 42%),\n  stroke: 0.75pt + rgb("#444444"),\n'
        "  inset: (x: 4.25pt, y: 4pt),\n  align: left + top,\n"
        f"  table.header(repeat: true, {header}),\n"
    )
    empty = labels.empty_status
    continued = labels.continued
    for track in document.tracks:
        for part in table_rows(track):
            row = part.row
            cells = []
            if part.track_rows:
                name = continued.format(name=track.name) if part.track_continued else track.name
                cells.append(
                    f"table.cell(rowspan: {part.track_rows}, fill: trackfill, "
                    f"narrow(strong({lit(name)})))"
                )
            if part.continued:  # a later part of an entry taller than a page
                cells.append(f"narrow(emph({lit(continued.format(name=row.title))}))")
                cells.append('""')
            else:
                new = row.flags.new
                cells.append(f"narrow({_lines([row.title, *row.description], changed=new)})")
                plan = [inline(b.segments) for b in row.plan_marked]
                cells.append("narrow({" + "; parbreak(); ".join(plan) + "})" if plan else '""')
            status = _status(part, empty)
            if part.keep_together:
                status = f"table.cell(breakable: false, {status})"
            cells.append(status)
            out.append("  " + ", ".join(cells) + ",\n")
    out.append(")\n")
    return "".join(out)


def _font_paths() -> list[str]:
    return [d for d in FONT_DIRS if Path(d).is_dir()]


class PdfError(RuntimeError):
    """Typst could not make the PDF (its message says why)."""


WORKER = Path(__file__).with_name("typst_worker.py")
TIMEOUT_SECONDS = 600


def render_pdf(document: ReportDocument) -> bytes:
    """The PDF, compiled in a child process (see :mod:`reports.typst_worker`)."""
    if not pdf_available():
        raise PdfUnavailable()
    settings = {
        "font_paths": _font_paths(),
        "pdf_standards": PDF_STANDARDS,
        "timestamp": int(document.generated_at.timestamp()),
    }
    payload = json.dumps(settings).encode() + b"\n" + typst_source(document).encode("utf-8")
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER)],
            input=payload,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfError(f"Typst did not finish the PDF within {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        detail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise PdfError(f"Typst could not make the PDF: {detail or done.returncode}")
    return done.stdout
