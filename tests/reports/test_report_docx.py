import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from reports import render
from reports.docx_render import COLUMN_WIDTHS, TABLE_WIDTH
from reports.model import ReportDocument


@pytest.fixture
def word(doc: ReportDocument):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(render(doc, "docx")))


def _w(el, name: str) -> str | None:  # type: ignore[no-untyped-def]
    return el.get(qn(f"w:{name}"))


def test_page_is_a4_landscape(word) -> None:  # type: ignore[no-untyped-def]
    section = word.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Mm(297)) < Mm(1)
    assert abs(section.page_height - Mm(210)) < Mm(1)


def test_title_intro_and_red_legend_above_the_table(word, doc: ReportDocument) -> None:  # type: ignore[no-untyped-def]
    paragraphs = word.paragraphs
    assert paragraphs[0].text == doc.title
    assert paragraphs[0].style.name == "Heading 1"
    assert paragraphs[1].text.startswith("Kommunalbestyrelsen besluttede den 12. december 2023")
    legend = paragraphs[3]
    assert legend.text == (
        "Ændringer i forhold til seneste status i september 2023 er markeret med "
        "rødt og understreget."
    )
    red = [
        r for r in legend.runs if r.font.color.rgb is not None and str(r.font.color.rgb) == "FF0000"
    ]
    assert [r.text for r in red] == ["rødt og understreget"] and red[0].bold and red[0].underline
    body = word.element.body
    assert body.index(legend._p) < body.index(word.tables[0]._tbl)


def test_table_has_fixed_widths_and_repeated_header(word) -> None:  # type: ignore[no-untyped-def]
    table = word.tables[0]
    tbl = table._tbl
    assert _w(tbl.tblPr.find(qn("w:tblLayout")), "type") == "fixed"
    widths = [int(_w(g, "w")) for g in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert widths == list(COLUMN_WIDTHS) and sum(widths) == TABLE_WIDTH
    rows = tbl.findall(qn("w:tr"))
    assert len(rows) == 8
    assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    # Rows that fit on a page are not split across two (issue 12).
    assert all(r.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for r in rows[1:])
    assert [c.text for c in table.rows[0].cells] == [
        "Udviklingsspor",
        "Tiltag",
        "Iværksættelse af tiltag",
        "Status på tiltag pr. 1/4-24",
    ]


def test_track_column_is_merged_vertically(word) -> None:  # type: ignore[no-untyped-def]
    rows = word.tables[0]._tbl.findall(qn("w:tr"))[1:]
    merges = []
    for tr in rows:
        tc = tr.findall(qn("w:tc"))[0]
        vmerge = tc.tcPr.find(qn("w:vMerge"))
        merges.append(None if vmerge is None else (_w(vmerge, "val") or "continue"))
    assert merges == [
        "restart",
        "continue",
        "continue",
        "restart",
        "continue",
        "restart",
        "continue",
    ]
    table = word.tables[0]
    # python-docx resolves merged cells to the top cell's text.
    assert table.cell(2, 0).text == "Organisering"
    assert table.cell(5, 0).text == "Digitalisering og data"


def test_changes_are_red_runs(word) -> None:  # type: ignore[no-untyped-def]
    table = word.tables[0]
    red = [
        run.text
        for row in table.rows[1:]
        for paragraph in row.cells[3].paragraphs
        for run in paragraph.runs
        if run.font.color.rgb is not None and str(run.font.color.rgb) == "FF0000"
    ]
    assert "Anne Holm er ansat som områdechef pr. 1. maj 2024." in red
    assert "2,9" in red and "og godkendt" in red
    assert "Ledergruppen mødes hver anden uge med fast dagsorden." not in red
    assert not any("Tidsplanen" in p.text for row in table.rows for p in row.cells[3].paragraphs)
    new_title = table.rows[3].cells[1].paragraphs[0].runs[0]
    assert new_title.text == "Fælles introduktionsforløb for nye medarbejdere"
    assert str(new_title.font.color.rgb) == "FF0000"


def test_bullets_use_the_list_style(word) -> None:  # type: ignore[no-untyped-def]
    cell = word.tables[0].rows[4].cells[3]
    styles = [(p.style.name, p.text) for p in cell.paragraphs]
    assert styles == [
        ("Normal", "Udbuddet er forberedt, og budgettet er 2,9 mio. kr. inkl. implementering."),
        ("List Bullet", "Kravspecifikation udarbejdet og godkendt"),
        ("List Bullet", "Markedsdialog gennemført"),
    ]
    numpr = word.styles["List Bullet"].element.pPr.find(qn("w:numPr"))
    assert numpr is not None  # the style really is a numbered (bulleted) list


def test_footer_has_page_numbers(word) -> None:  # type: ignore[no-untyped-def]
    footer = word.sections[0].footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "Side" in "".join(t.text or "" for t in footer.iter(qn("w:t")))


def test_user_text_stays_plain_text(word) -> None:  # type: ignore[no-untyped-def]
    row = word.tables[0].rows[7]
    assert row.cells[1].text == "Opfølgning på <b>budget</b> & *forbrug*"
    first = row.cells[3].paragraphs[0]
    assert first.text == '=HYPERLINK("https://example.org/x";"Se budget") <script>alert(1)</script>'
    # No field codes anywhere but the footer's page numbers; the one hyperlink is
    # the typed Markdown link (issue 12), a relationship to its https target.
    body = word.element.body
    assert not list(body.iter(qn("w:fldSimple"))) and not list(body.iter(qn("w:instrText")))
    links = list(body.iter(qn("w:hyperlink")))
    assert len(links) == 1
    rel = word.part.rels[links[0].get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.org"
