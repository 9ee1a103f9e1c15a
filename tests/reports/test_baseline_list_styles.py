"""A Word baseline whose numbered list takes its numbering from the paragraph
style (Word's *List Number*: the ``w:numPr`` is in the style, not in the
paragraph) keeps its numbers — in the imported status and in every output —
as direct numbering does; a *List Bullet* list stays bullets."""

from __future__ import annotations

import io
import re

import pytest
from docx.oxml.ns import qn

from reports import render
from reports.baseline import read_baseline_docx
from storage.richtext import StatusText
from tests.reports.test_report_baseline import report_table
from tests.reports.test_report_rich import _document, _pdf_text, _row


def _baseline(style: str) -> bytes:
    document, table = report_table(2, "marts 2024")
    table.cell(1, 0).text = "Organisering"
    table.cell(1, 1).text = "Ny ledelsesstruktur"
    status = table.cell(1, 3)
    status.text = "Strategien understøtter, at:"
    for text in ("den er kendt", "den bruges", "den følges op"):
        paragraph = status.add_paragraph(text, style=style)
        assert paragraph._p.find(qn("w:pPr")).find(qn("w:numPr")) is None  # from the style
    status.add_paragraph("Næste skridt aftales i maj.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_list_number_style_is_imported_numbered() -> None:
    [row] = read_baseline_docx(_baseline("List Number"))
    assert [(b.kind, b.number) for b in row.status.blocks] == [
        ("p", None), ("ol", 1), ("ol", 2), ("ol", 3), ("p", None),
    ]  # fmt: skip
    assert row.status == StatusText.from_markup(
        "Strategien understøtter, at:\n\n1. den er kendt\n2. den bruges\n3. den følges op\n\n"
        "Næste skridt aftales i maj."
    )


def test_list_bullet_style_stays_bullets() -> None:
    [row] = read_baseline_docx(_baseline("List Bullet"))
    assert [b.kind for b in row.status.blocks] == ["p", "li", "li", "li", "p"]


def test_the_numbers_survive_into_every_output() -> None:
    [row] = read_baseline_docx(_baseline("List Number"))
    markup = row.status.to_markup()
    document = _document(_row(1, markup, markup))  # unchanged: no change marks
    assert "1. den er kendt\n2. den bruges\n3. den følges op" in render(document, "md").decode()
    page = render(document, "html").decode()
    assert "<ol><li>den er kendt</li><li>den bruges</li><li>den følges op</li></ol>" in page
    # Word numbering in our own .docx, which reads back as the same status.
    [back] = read_baseline_docx(render(document, "docx"))
    assert back.status == row.status


def test_the_numbers_reach_the_pdf() -> None:
    pytest.importorskip("typst")
    [row] = read_baseline_docx(_baseline("List Number"))
    markup = row.status.to_markup()
    chunks = _pdf_text(render(_document(_row(1, markup, markup)), "pdf"))
    flat = " ".join("".join(t for t, _f in chunks).replace("\xad", "").split())
    assert re.search(r"1\.\s*den er kendt\s*2\.\s*den bruges\s*3\.\s*den følges op", flat), flat
