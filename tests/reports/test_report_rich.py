"""Rich status text in every output: italics and bold with change marks, numbered
lists with their numbers (real Word numbering), links, line breaks, escaping."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.oxml.ns import qn

from reports import render
from reports.baseline import read_baseline_docx
from reports.diff import diff_status
from reports.model import MarkedBlock, ReportDocument, ReportRow, ReportTrack, Segment
from reports.texts import labels
from storage.richtext import StatusText
from tests.reports.test_report_axe import _axe, axe_ready  # noqa: F401 (a fixture)

BEFORE = "Planen er vedtaget.\n\nStrategien understøtter, at:\n1) den er kendt\n2) den bruges"
NOW = (
    "Planen er *endelig* vedtaget.\n\n"
    "Strategien understøtter, at:\n1) den er kendt\n2) den bruges\n3) den **følges op**\n\n"
    "Se [planen](https://example.dk/plan?a=1&b=2).\\\nNy linje.\n\n"
    "4. april\n5. maj"
)


def _row(n: int, before: str | None, now: str) -> ReportRow:
    previous = StatusText.from_markup(before) if before else None
    diff = diff_status(previous, StatusText.from_markup(now))
    return ReportRow(
        initiative_id=n,
        entry_id=n,
        title=f"Tiltag {n}",
        plan="Plan",
        blocks=tuple(diff.blocks),
        flags={"changed": diff.changed},
    )


def _document(*rows: ReportRow) -> ReportDocument:
    as_of, previous = date(2024, 4, 1), date(2023, 9, 1)
    return ReportDocument(
        cycle_id=2,
        area_id=1,
        area_name="Socialområdet",
        locale="da",
        as_of=as_of,
        title="Status",
        intro=(),
        previous_cycle_id=1,
        previous_as_of=previous,
        labels=labels(as_of, previous, "da"),
        tracks=(ReportTrack(track_id=1, name="Organisering", rows=rows),),
    )


@pytest.fixture
def rich() -> ReportDocument:
    return _document(_row(1, BEFORE, NOW))


def test_a_changed_word_keeps_its_italics(rich: ReportDocument) -> None:
    first = rich.rows[0].blocks[0]
    assert [(s.text, s.changed, s.italic) for s in first.segments] == [
        ("Planen er ", False, False),
        ("endelig", True, True),
        (" vedtaget.", False, False),
    ]


def test_html(rich: ReportDocument) -> None:
    page = render(rich, "html").decode()
    cell = page[page.index('<td class="status">') :]
    assert '<p>Planen er <ins class="chg"><em>endelig</em></ins> vedtaget.</p>' in cell
    assert (
        '<ol class="paren"><li>den er kendt</li><li>den bruges</li>'
        '<li><ins class="chg">den <strong>følges op</strong></ins></li></ol>'
    ) in cell
    assert '<a href="https://example.dk/plan?a=1&amp;b=2"><ins class="chg">planen</ins></a>' in cell
    assert "<br>" in cell
    assert '<ol start="4">' in cell
    ElementTree.fromstring(cell[: cell.index("</td>") + 5].replace("<br>", "<br/>"))


def test_markdown(rich: ReportDocument) -> None:
    text = render(rich, "md").decode()
    assert "Planen er <ins>*endelig*</ins> vedtaget." in text
    assert "1) den er kendt\n2) den bruges\n3) <ins>den **følges op**</ins>" in text
    assert "<ins>Se [planen](<https://example.dk/plan?a=1&b=2>).<br>Ny linje.</ins>" in text
    assert "\n\n4. <ins>april</ins>\n5. <ins>maj</ins>" in text


def test_docx_runs_hyperlinks_and_word_numbering(rich: ReportDocument) -> None:
    word = Document(io.BytesIO(render(rich, "docx")))
    cell = word.tables[0].rows[1].cells[3]
    paragraphs = cell.paragraphs
    italic = [r for r in paragraphs[0].runs if r.italic]
    assert [(r.text, str(r.font.color.rgb)) for r in italic] == [("endelig", "FF0000")]
    bold = [r.text for p in paragraphs for r in p.runs if r.bold]
    assert bold == ["følges op"]

    numbering = word.part.numbering_part.element
    nums = {n.get(qn("w:numId")): n for n in numbering.iterchildren(qn("w:num"))}
    abstracts = {
        a.get(qn("w:abstractNumId")): a for a in numbering.iterchildren(qn("w:abstractNum"))
    }

    def number_of(p) -> tuple[str, str, str] | None:  # type: ignore[no-untyped-def]
        numpr = p._p.find(qn("w:pPr")).find(qn("w:numPr"))
        if numpr is None:
            return None
        num = nums[numpr.find(qn("w:numId")).get(qn("w:val"))]
        start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val"))
        abstract = abstracts[num.find(qn("w:abstractNumId")).get(qn("w:val"))]
        text = abstract.find(qn("w:lvl")).find(qn("w:lvlText")).get(qn("w:val"))
        return num.get(qn("w:numId")), start, text

    numbered = [(p.text, number_of(p)) for p in paragraphs if number_of(p)]
    first_list = {n for _t, n in numbered[:3]}
    second_list = {n for _t, n in numbered[3:]}
    texts = [t for t, _n in numbered]
    assert texts == ["den er kendt", "den bruges", "den følges op", "april", "maj"]
    assert len(first_list) == 1 and len(second_list) == 1 and first_list != second_list
    assert next(iter(first_list))[1:] == ("1", "%1)")
    assert next(iter(second_list))[1:] == ("4", "%1.")
    # Everything numbered lists need sits in the schema's order: abstractNums first.
    tags = [child.tag for child in numbering]
    assert tags.index(qn("w:num")) > max(i for i, t in enumerate(tags) if t == qn("w:abstractNum"))

    [link] = list(cell._tc.iter(qn("w:hyperlink")))
    rel = word.part.rels[link.get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.dk/plan?a=1&b=2"
    assert "".join(t.text for t in link.iter(qn("w:t"))) == "planen"
    assert any(p._p.find(".//" + qn("w:br")) is not None for p in paragraphs)


def test_our_own_docx_reads_back_with_its_formatting(rich: ReportDocument) -> None:
    [row] = read_baseline_docx(render(rich, "docx"))
    assert row.status == StatusText.from_markup(NOW)


def test_hostile_text_and_links_inject_nothing() -> None:
    hostile = (
        '[<script>alert(1)</script>](https://e.dk/?q="x") og [x](javascript:alert(1)) '
        "*<img src=x onerror=alert(1)>* **]]>** <!-- & -->"
    )
    doc = _document(_row(1, None, hostile))
    page = render(doc, "html").decode()
    body = page.split("<tbody>")[1]
    assert "<script>" not in body and "<img" not in body and "<!--" not in body
    assert "href" not in body  # a quote in a URL or a javascript: link is no link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    md = render(doc, "md").decode()
    assert "<script>" not in md and "<img" not in md and "<!--" not in md
    Document(io.BytesIO(render(doc, "docx")))  # well-formed XML whatever the text


def test_a_link_that_skipped_validation_is_dropped_by_every_renderer() -> None:
    bad = 'https://e.dk/"><script>alert(1)</script>'
    block = MarkedBlock("p", (Segment("klik", link=bad), Segment(" her")))
    doc = _document(
        ReportRow(initiative_id=1, entry_id=1, title="T", plan="", blocks=(block,))
    )
    assert "<script>" not in render(doc, "html").decode()
    assert "href" not in render(doc, "html").decode().split("<tbody>")[1]
    assert "<script>" not in render(doc, "md").decode()
    word = Document(io.BytesIO(render(doc, "docx")))
    assert not list(word.element.body.iter(qn("w:hyperlink")))


TYPST_HOSTILE = (
    '#sys.exit() ] [ $x^2$ \\ <lbl> @ref `kode` #import "x": * = ~ /* ikke */ // nej'
    "\n\n*Kursiv #let x = 1* og **fed ]#text(red)[** og [et #link](https://e.dk/a?b=%22%5D)"
)


def _pdf_text(data: bytes) -> list[tuple[str, str]]:
    from pypdf import PdfReader

    chunks: list[tuple[str, str]] = []

    def visit(text, _cm, _tm, font, _size):  # type: ignore[no-untyped-def]
        if text.strip():
            chunks.append((text, str((font or {}).get("/BaseFont", ""))))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return chunks


def test_pdf_prints_typst_markup_as_typed_with_formatting_and_numbers() -> None:
    pytest.importorskip("typst")
    doc = _document(_row(1, BEFORE, NOW), _row(2, None, TYPST_HOSTILE))
    chunks = _pdf_text(render(doc, "pdf"))
    text = "".join(t for t, _f in chunks).replace("\xad", "")
    flat = " ".join(text.split())
    assert '#sys.exit() ] [ $x^2$ \\ <lbl> @ref `kode` #import "x": * = ~ /* ikke */ // nej' in flat
    italic = " ".join(t for t, f in chunks if "Italic" in f or "Oblique" in f)
    bold = " ".join(t for t, f in chunks if "Bold" in f)
    assert "Kursiv #let x = 1" in italic and "endelig" in italic
    assert "fed ]#text(red)[" in bold and "følges op" in bold
    assert re.search(r"1\)\s*den er kendt\s*2\)\s*den bruges\s*3\)\s*den følges op", flat)
    assert re.search(r"4\.\s*april\s*5\.\s*maj", flat)
    assert "Ny linje." in flat


def test_typst_source_holds_user_text_only_in_string_literals() -> None:
    from reports.pdf import typst_source

    bad = 'https://e.dk/"); #sys.exit(); ("'
    block = MarkedBlock("p", (Segment(TYPST_HOSTILE, italic=True, link=bad),))
    doc = _document(
        _row(1, None, TYPST_HOSTILE),
        ReportRow(initiative_id=2, entry_id=2, title="]#x", plan="", blocks=(block,)),
    )
    source = typst_source(doc)
    body = source[source.index("#table(") + 1 :]
    # Outside string literals only our own code remains: no user text, no '#'.
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)
    assert "#" not in outside and "sys" not in outside and "$" not in outside
    assert "link(" in outside  # the typed https link, as code around a literal
    assert outside.count("link(") == 1  # the unvalidated one is not a link
    assert "emph(" in outside and "strong(" in outside and "enum(" not in outside


@pytest.mark.usefixtures("axe_ready")
def test_rich_status_text_has_no_axe_violations(tmp_path: Path) -> None:
    """Italic, bold, links, line breaks and numbered lists pass axe-core too."""
    path = tmp_path / "rich.html"
    path.write_bytes(render(_document(_row(1, BEFORE, NOW), _row(2, None, TYPST_HOSTILE)), "html"))
    (result,) = _axe([path])
    assert result["passes"] > 10, result
    assert result["violations"] == [], json.dumps(result, indent=1, ensure_ascii=False)
