"""Word rendering (python-docx): A4 landscape, one four-column table.

Everything around the table (page setup, styles, title, intro, legend, footer)
goes through python-docx. The table does not: python-docx builds cells through
many small lookups and keeps the whole XML tree in memory, which at 10,000
initiatives costs seconds and hundreds of megabytes. So the document is saved
with a marker paragraph, and the table's WordprocessingML is written, escaped,
row by row into ``word/document.xml`` in its place while the package is copied.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor

from reports.model import MarkedBlock, ReportDocument, ReportRow

RED = "FF0000"
HEADER_FILL = "D9E2F3"
TRACK_FILL = "F2F2F2"
# A4 landscape minus 14 mm margins left and right, in twentieths of a point.
TABLE_WIDTH = 15250
COLUMN_SHARES = (0.14, 0.21, 0.23, 0.42)
_FIRST_THREE = tuple(round(TABLE_WIDTH * s) for s in COLUMN_SHARES[:3])
COLUMN_WIDTHS = (*_FIRST_THREE, TABLE_WIDTH - sum(_FIRST_THREE))
BULLET_STYLE = "ListBullet"  # style id of "List Bullet" in python-docx's template

# Characters XML 1.0 cannot hold at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value).replace("\n", " ").replace("\t", " "))


def _run(text: str, *, red: bool = False, bold: bool = False, italic: bool = False) -> str:
    props = ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if red:
        props += f'<w:color w:val="{RED}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{_text(text)}</w:t></w:r>'


_CELL_P = '<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>'
_BULLET_P = (
    f'<w:pPr><w:pStyle w:val="{BULLET_STYLE}"/><w:spacing w:before="0" w:after="20"/></w:pPr>'
)
_NOTE_P = '<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>'


def _block(block: MarkedBlock) -> str:
    runs = "".join(_run(s.text, red=s.changed) for s in block.segments)
    ppr = _BULLET_P if block.kind == "li" else _CELL_P
    return f"<w:p>{ppr}{runs}</w:p>"


def _paragraphs(
    lines: Iterable[str], *, red: bool = False, bold: bool = False, empty: str = "<w:p/>"
) -> str:
    out = "".join(f"<w:p>{_CELL_P}{_run(line, red=red, bold=bold)}</w:p>" for line in lines)
    return out or empty


def _cell(index: int, content: str, *, merge: str | None = None, fill: str | None = None) -> str:
    props = f'<w:tcW w:w="{COLUMN_WIDTHS[index]}" w:type="dxa"/>'
    if merge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif merge == "continue":
        props += "<w:vMerge/>"
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def _status_cell(row: ReportRow, empty: str) -> str:
    parts = [_block(b) for b in row.blocks] or [_paragraphs([empty])]
    parts.extend(f"<w:p>{_NOTE_P}{_run(note, italic=True)}</w:p>" for note in row.notes)
    return "".join(parts)


def _table_start(document: ReportDocument) -> str:
    labels = document.labels
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="444444"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in COLUMN_WIDTHS)
    header_cells = "".join(
        _cell(i, _paragraphs([text], bold=True), fill=HEADER_FILL)
        for i, text in enumerate((labels.track, labels.initiative, labels.plan, labels.status))
    )
    return "".join(
        [
            "<w:tbl>",
            f'<w:tblPr><w:tblW w:w="{TABLE_WIDTH}" w:type="dxa"/>',
            f'<w:tblLayout w:type="fixed"/><w:tblBorders>{borders}</w:tblBorders>',
            '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>',
            '</w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0"',
            ' w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>',
            f"<w:tblGrid>{grid}</w:tblGrid>",
            f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header_cells}</w:tr>",
        ]
    )


def _table_rows(document: ReportDocument) -> Iterator[str]:
    empty = document.labels.empty_status
    for track in document.tracks:
        for index, row in enumerate(track.rows):
            if index == 0:
                track_cell = _cell(
                    0, _paragraphs([track.name], bold=True), merge="restart", fill=TRACK_FILL
                )
            else:
                track_cell = _cell(0, "<w:p/>", merge="continue", fill=TRACK_FILL)
            yield (
                "<w:tr>"
                + track_cell
                + _cell(
                    1,
                    _paragraphs([row.title], red=row.flags.new)
                    + _paragraphs(row.description, red=row.flags.new, empty=""),
                )
                + _cell(2, "".join(_block(b) for b in row.plan_marked) or "<w:p/>")
                + _cell(3, _status_cell(row, empty))
                + "</w:tr>"
            )


def _footer_xml(document: ReportDocument) -> str:
    def field(instr: str) -> str:
        return (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            "<w:r><w:t>1</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )

    labels = document.labels
    return (
        f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="right"/></w:pPr>'
        + _run(f"{labels.page} ")
        + field("PAGE")
        + _run(f" {labels.of} ")
        + field("NUMPAGES")
        + "</w:p>"
    )


def render_docx(document: ReportDocument) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title = document.title
    props.author = "statusbot"
    props.language = "da-DK" if document.locale == "da" else "en-GB"

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(14)
    section.top_margin = Mm(16)
    section.bottom_margin = Mm(16)

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    lang = "da-DK" if document.locale == "da" else "en-GB"
    normal.element.get_or_add_rPr().append(
        parse_xml(f'<w:lang {nsdecls("w")} w:val="{lang}" w:eastAsia="{lang}"/>')
    )

    heading = doc.add_heading(level=1)
    title_run = heading.add_run(document.title)
    title_run.font.color.rgb = RGBColor(0, 0, 0)
    title_run.font.size = Pt(15)
    for paragraph in document.intro:
        doc.add_paragraph(paragraph)
    if document.labels.legend_marked:
        legend = doc.add_paragraph(document.labels.legend_before or "")
        marked = legend.add_run(document.labels.legend_marked)
        marked.bold = True
        marked.font.color.rgb = RGBColor(0xFF, 0, 0)
        legend.add_run(document.labels.legend_after or "")

    # The table goes in after saving (see the module docstring): a marker
    # paragraph holds its place.
    marker = f"statusbot-table-{uuid.uuid4().hex}"
    doc.add_paragraph(marker)

    footer = section.footer
    footer_p = footer.paragraphs[0]._p
    footer_p.addprevious(parse_xml(_footer_xml(document)))
    footer_p.getparent().remove(footer_p)

    skeleton = io.BytesIO()
    doc.save(skeleton)
    return _insert_table(skeleton.getvalue(), marker, document)


def _insert_table(skeleton: bytes, marker: str, document: ReportDocument) -> bytes:
    """Copy the saved package, streaming the table rows into ``word/document.xml``
    in place of the marker paragraph."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            at = data.index(marker.encode())
            start = max(data.rfind(b"<w:p>", 0, at), data.rfind(b"<w:p ", 0, at))
            end = data.index(b"</w:p>", at) + len(b"</w:p>")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w", force_zip64=True) as stream:
                stream.write(data[:start])
                stream.write(_table_start(document).encode())
                chunk: list[str] = []
                for n, row in enumerate(_table_rows(document), start=1):
                    chunk.append(row)
                    if n % 200 == 0:
                        stream.write("".join(chunk).encode())
                        chunk.clear()
                stream.write("".join(chunk).encode())
                stream.write(b"</w:tbl>")
                stream.write(data[end:])
    return out.getvalue()
