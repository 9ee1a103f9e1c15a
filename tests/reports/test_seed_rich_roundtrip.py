"""Done-when of issue 12: seed 000 rebuilt as the municipality's Word document
(italic recommendations, items numbered 1), 2), 3) by Word, multi-paragraph
cells) imported as a baseline, then rendered to every output — the words, the
italics and the numbers arrive in each."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy.orm import Session

from bot.importing import import_file
from bot.workflow.actor import Actor
from reports import build_document, render
from reports.baseline import find_area, import_baseline, read_baseline
from reports.model import ReportDocument
from tests.seeds.word_rebuild import SeedReport, build_docx, parse_seed, registry_csv, seed_path

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
AREA = "Socialområdet"
STRATEGY = "Udarbejde en strategi der tydeliggør"
OPTIONS = "Handle- og omstillingsmuligheder på Socialområdet"
ITEMS = [
    "strategien er kendt i hele organisationen",
    "der skabes et fælles ejerskab til strategien",
    "der arbejdes med strategiens pejlemærker både lokalt og samlet på Socialområdet"
    " samt i samspil med Socialområdets omgivelser.",
]
RECOMMENDATION_2 = (
    "Der skal igangsættes en udviklings- og omlægningsproces på bostøtteområdet, som sigter"
    " mod bedre udnyttelse af lovgivningens muligheder for tidsbegrænset bostøtte,"
    " gruppebaseret bostøtte og omlægning af bostøtteopgaver til virtuel bostøtte"
)


@pytest.fixture(scope="module")
def seed000() -> SeedReport:
    return parse_seed(seed_path("000"))


@pytest.fixture
def document(session: Session, tmp_path: Path, seed000: SeedReport) -> ReportDocument:
    registry = tmp_path / "registry.csv"
    registry.write_text(registry_csv(seed000, AREA), encoding="utf-8")
    import_file(session, registry, actor=Actor.cli(), now=NOW)
    baseline = read_baseline(build_docx(seed000, rich=True))
    result = import_baseline(
        session,
        area=find_area(session, AREA),
        as_of=date(2024, 4, 1),
        rows=baseline.rows,
        stated=baseline.stated,
        source_label="import:seed000.docx",
        actor=Actor.cli(),
        now=NOW,
    )
    assert result.unmatched == [] and result.cycle_id is not None
    session.commit()
    return build_document(session, result.cycle_id)


def _row(document: ReportDocument, title: str):  # type: ignore[no-untyped-def]
    return next(r for r in document.rows if r.title.startswith(title))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_the_model_keeps_numbers_italics_and_every_paragraph(
    document: ReportDocument, seed000: SeedReport
) -> None:
    strategy = _row(document, STRATEGY)
    numbered = [(b.number, b.delim, b.text) for b in strategy.blocks if b.kind == "ol"]
    assert numbered == [(1, ")", ITEMS[0]), (2, ")", ITEMS[1]), (3, ")", ITEMS[2])]
    options = _row(document, OPTIONS)
    italic = [
        "".join(s.text for s in b.segments if s.italic) for b in options.plan_marked
    ]
    assert RECOMMENDATION_2 in italic
    # Multi-paragraph cells: every seed paragraph's words, in order, row by row.
    for seed_row in seed000.rows:
        row = _row(document, seed_row.title)
        expected = [w for p in seed_row.status if p != "-" for w in _words(p)]
        got = [w for b in row.blocks for w in _words(b.text)]
        numbers = {str(n) for n in range(1, 4)}
        assert [w for w in got if w not in numbers] == [
            w for w in expected if w not in numbers
        ], seed_row.title


def test_html(document: ReportDocument, seed000: SeedReport) -> None:
    page = render(document, "html").decode()
    items = "".join(f"<li>{html.escape(t, quote=True)}</li>" for t in ITEMS)
    assert f'<ol class="paren">{items}</ol>' in page
    assert f"<em>{RECOMMENDATION_2}</em>" in page
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.split("<tbody>")[1]))
    for seed_row in seed000.rows:
        for paragraph in seed_row.status:
            assert " ".join(_words(paragraph)[-6:]) in " ".join(_words(text)), paragraph


def test_docx(document: ReportDocument) -> None:
    word = Document(io.BytesIO(render(document, "docx")))
    rows = word.tables[0].rows
    strategy = next(r for r in rows if r.cells[1].text.startswith(STRATEGY))
    numbering = word.part.numbering_part.element
    nums = {n.get(qn("w:numId")): n for n in numbering.iterchildren(qn("w:num"))}
    numbered = []
    for paragraph in strategy.cells[3].paragraphs:
        numpr = paragraph._p.pPr.find(qn("w:numPr"))
        if numpr is not None:
            num = nums[numpr.find(qn("w:numId")).get(qn("w:val"))]
            start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val"))
            numbered.append((start, paragraph.text))
    assert numbered == [("1", t) for t in ITEMS]
    options = next(r for r in rows if r.cells[1].text.startswith(OPTIONS))
    italic = ["".join(r.text for r in p.runs if r.italic) for p in options.cells[2].paragraphs]
    assert RECOMMENDATION_2 in italic


def test_markdown(document: ReportDocument) -> None:
    text = render(document, "md").decode()
    assert "\n".join(f"{n}) {t}" for n, t in enumerate(ITEMS, start=1)) in text
    assert f"*{RECOMMENDATION_2}*" in text


def test_word_again_reads_back_the_same(document: ReportDocument) -> None:
    """Our own Word output imported again gives the same statuses and plans."""
    rows = {r.title: r for r in read_baseline(render(document, "docx")).rows}
    for row in document.rows:
        again = rows[row.title]
        assert [(b.kind, b.number, b.text) for b in again.blocks] == [
            (b.kind, b.number, b.text) for b in row.blocks
        ]
        assert [[(r.text, r.italic, r.bold) for r in b.runs] for b in again.blocks] == [
            [(s.text, s.italic, s.bold) for s in b.segments] for b in row.blocks
        ]


def _pdf_chunks(data: bytes) -> list[tuple[str, bool]]:
    """The PDF's text pieces in reading order, each with whether its font is italic."""
    from pypdf import PdfReader

    chunks: list[tuple[str, bool]] = []

    def visit(text, _cm, _tm, font, _size):  # type: ignore[no-untyped-def]
        name = str((font or {}).get("/BaseFont", ""))
        if text.strip():
            chunks.append((text, "Italic" in name or "Oblique" in name))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return chunks


def _letters(text: str) -> str:
    """Letters and digits only: line-end hyphens (soft or not) and spaces drop out."""
    return "".join(_words(text.replace("\xad", "")))


def test_pdf(document: ReportDocument) -> None:
    pytest.importorskip("typst")
    chunks = _pdf_chunks(render(document, "pdf"))
    text = " ".join(t for t, _italic in chunks).replace("\xad", "")
    numbered = re.findall(r"(\d+)\)\s*((?:\w+\W+){3})", text)
    assert [(n, _letters(w)) for n, w in numbered[:3]] == [
        (str(number), _letters(" ".join(item.split()[:3])))
        for number, item in enumerate(ITEMS, start=1)
    ]
    italic = _letters(" ".join(t for t, is_italic in chunks if is_italic))
    assert _letters(RECOMMENDATION_2) in italic
    assert _letters("Stillingen som koordinator er ubesat.") in _letters(text)
