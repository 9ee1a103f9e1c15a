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
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC
from itertools import groupby

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from reports.model import MarkedBlock, ReportDocument, Segment, list_groups
from reports.ooxml import app_properties, xml_text, zip_date
from reports.pagination import TableRow, table_rows
from storage.richtext import safe_url

RED = "FF0000"
GREY = "555555"
LINK_BLUE = "0563C1"
HEADER_FILL = "D9E2F3"
TRACK_FILL = "F2F2F2"
# A4 landscape minus 14 mm margins left and right, in twentieths of a point.
TABLE_WIDTH = 15250
COLUMN_SHARES = (0.14, 0.21, 0.23, 0.42)
_FIRST_THREE = tuple(round(TABLE_WIDTH * s) for s in COLUMN_SHARES[:3])
COLUMN_WIDTHS = (*_FIRST_THREE, TABLE_WIDTH - sum(_FIRST_THREE))
BULLET_STYLE = "ListBullet"  # style id of "List Bullet" in python-docx's template

def _run(
    text: str,
    *,
    red: bool = False,
    bold: bool = False,
    italic: bool = False,
    link: bool = False,
    gone: bool = False,
    lang: str | None = None,
) -> str:
    props = ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if gone:  # drafts only: text deleted since the previous report
        props += f'<w:strike/><w:color w:val="{GREY}"/>'
    if red:  # red and underlined: colour alone is not a cue (WCAG 1.4.1)
        props += f'<w:color w:val="{RED}"/><w:u w:val="single"/>'
    elif link:
        props += f'<w:color w:val="{LINK_BLUE}"/><w:u w:val="single"/>'
    if lang:  # text in another language than the document's (ReportDocument.text_locale)
        props += f'<w:lang w:val="{lang}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    # A line break inside a paragraph is a <w:br/> between the text pieces.
    pieces = [
        f'<w:t xml:space="preserve">{xml_text(t)}</w:t>' if t else "" for t in text.split("\n")
    ]
    return f"<w:r>{rpr}{'<w:br/>'.join(pieces)}</w:r>"


_CELL_P = '<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>'
_BULLET_P = (
    f'<w:pPr><w:pStyle w:val="{BULLET_STYLE}"/><w:spacing w:before="0" w:after="20"/></w:pPr>'
)
_NUMBERED_P = (
    '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
    '<w:spacing w:before="0" w:after="20"/><w:ind w:left="360" w:hanging="360"/></w:pPr>'
)
_NOTE_P = '<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>'


class _Parts:
    """Relationship ids of the document's hyperlinks, and Word numbering for its
    numbered lists: one ``w:num`` per list, restarting at the list's first number."""

    def __init__(self, doc: DocxDocument, document: ReportDocument) -> None:
        self.links: dict[str, str] = {}
        # The language of the area's texts where it is not the document's.
        self.texts_lang = texts_language(document)
        self._lists: list[int] = []  # numId of each numbered list, in document order
        self._taken = 0
        numbering = doc.part.numbering_part.element
        abstract: dict[str, int] = {}
        abstracts = numbering.iterchildren(qn("w:abstractNum"))
        next_abstract = 1 + max((int(a.get(qn("w:abstractNumId"))) for a in abstracts), default=-1)
        next_num = 1 + max(
            (int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num"))), default=0
        )
        for part in (part for track in document.tracks for part in table_rows(track)):
            for segment in (s for block in part.row.plan_marked for s in block.segments):
                self._link(doc, segment)
            for kind, items in list_groups(part.blocks):
                for segment in (s for block in items for s in block.segments):
                    self._link(doc, segment)
                if kind != "ol":
                    continue
                delim = items[0].delim
                if delim not in abstract:
                    abstract[delim] = next_abstract
                    next_abstract += 1
                    _insert_abstract(numbering, abstract[delim], delim)
                numbering.append(
                    parse_xml(
                        f'<w:num {nsdecls("w")} w:numId="{next_num}">'
                        f'<w:abstractNumId w:val="{abstract[delim]}"/><w:lvlOverride w:ilvl="0">'
                        f'<w:startOverride w:val="{items[0].number or 1}"/></w:lvlOverride></w:num>'
                    )
                )
                self._lists.append(next_num)
                next_num += 1

    def _link(self, doc: DocxDocument, segment: Segment) -> None:
        if segment.link and segment.link not in self.links and safe_url(segment.link):
            self.links[segment.link] = doc.part.relate_to(
                segment.link, RT.HYPERLINK, is_external=True
            )

    def next_list(self) -> int:
        """The numId of the next numbered list (the table is written in the same order)."""
        num_id = self._lists[self._taken]
        self._taken += 1
        return num_id


def _insert_abstract(numbering, abstract_id: int, delim: str) -> None:  # type: ignore[no-untyped-def]
    element = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="decimal"/><w:lvlText w:val="%1{delim}"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
    )
    existing = list(numbering.iterchildren(qn("w:abstractNum")))
    if existing:  # every abstractNum comes before the first num
        existing[-1].addnext(element)
    else:
        numbering.insert(0, element)


def _runs(block: MarkedBlock, parts: _Parts) -> str:
    out: list[str] = []

    def link_of(segment: Segment) -> str | None:  # only links that passed the check
        return segment.link if segment.link in parts.links else None

    for link, group in groupby(block.segments, key=link_of):
        runs = "".join(
            _run(
                s.text,
                red=s.changed,
                bold=s.bold,
                italic=s.italic,
                link=link is not None,
                gone=s.deleted,
                lang=parts.texts_lang,
            )
            for s in group
        )
        if link:
            runs = f'<w:hyperlink r:id="{parts.links[link]}" w:history="1">{runs}</w:hyperlink>'
        out.append(runs)
    return "".join(out)


def _plan_paragraph(block: MarkedBlock, parts: _Parts) -> str:
    return f"<w:p>{_CELL_P}{_runs(block, parts)}</w:p>"


def _status_blocks(blocks: Iterable[MarkedBlock], parts: _Parts) -> list[str]:
    out: list[str] = []
    for kind, items in list_groups(blocks):
        if kind == "ol":
            ppr = _NUMBERED_P.format(num_id=parts.next_list())
        else:
            ppr = _BULLET_P if kind == "ul" else _CELL_P
        out.extend(f"<w:p>{ppr}{_runs(b, parts)}</w:p>" for b in items)
    return out


def _paragraphs(
    lines: Iterable[str],
    *,
    red: bool = False,
    bold: bool = False,
    empty: str = "<w:p/>",
    lang: str | None = None,
) -> str:
    out = "".join(
        f"<w:p>{_CELL_P}{_run(line, red=red, bold=bold, lang=lang)}</w:p>" for line in lines
    )
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


def _status_cell(part: TableRow, empty: str, parts: _Parts) -> str:
    paragraphs = _status_blocks(part.blocks, parts) or [_paragraphs([empty])]
    paragraphs.extend(f"<w:p>{_NOTE_P}{_run(note, italic=True)}</w:p>" for note in part.notes)
    return "".join(paragraphs)


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


def _table_rows(document: ReportDocument, parts: _Parts) -> Iterator[str]:
    empty = document.labels.empty_status
    continued = document.labels.continued
    for track in document.tracks:
        # Word leaves the merged track cell and the initiative cell empty on a
        # page where it breaks a row, and repeats no row but the header, so an
        # entry taller than a page comes as rows that each fit, the later ones
        # headed "… (continued)" (reports.pagination.table_rows).
        for part in table_rows(track):
            row = part.row
            if part.track_rows:
                name = continued.format(name=track.name) if part.track_continued else track.name
                track_cell = _cell(
                    0,
                    _paragraphs([name], bold=True, lang=parts.texts_lang),
                    merge="restart",
                    fill=TRACK_FILL,
                )
            else:
                track_cell = _cell(0, "<w:p/>", merge="continue", fill=TRACK_FILL)
            if part.continued:
                cue = continued.format(name=row.title)
                heading = f"<w:p>{_CELL_P}{_run(cue, italic=True, lang=parts.texts_lang)}</w:p>"
                plan = "<w:p/>"
            else:
                heading = _paragraphs(
                    [row.title], red=row.flags.new, lang=parts.texts_lang
                ) + _paragraphs(row.description, red=row.flags.new, empty="", lang=parts.texts_lang)
                plan = "".join(_plan_paragraph(b, parts) for b in row.plan_marked) or "<w:p/>"
            # A row that fits on a page is not split over two (Word: "cantSplit").
            props = "<w:trPr><w:cantSplit/></w:trPr>" if part.keep_together else ""
            yield (
                f"<w:tr>{props}"
                + track_cell
                + _cell(1, heading)
                + _cell(2, plan)
                + _cell(3, _status_cell(part, empty, parts))
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


# Parts of python-docx's template that describe the template, not our document.
_TEMPLATE_PARTS = (RT.THUMBNAIL,)
_TEMPLATE_DOCUMENT_PARTS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.CUSTOM_XML,
    RT.WEB_SETTINGS,
)


def _metadata(doc, document: ReportDocument, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Title, author, language and dates of this document; nothing of the template's."""
    props = doc.core_properties
    core = props._element
    for child in list(core):
        core.remove(child)
    moment = document.generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    author = document.author or document.area_name
    props.title = document.title
    props.author = author
    props.last_modified_by = author
    props.language = lang
    props.created = moment
    props.modified = moment
    props.revision = 1

    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype in _TEMPLATE_PARTS:
            package.rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = app_properties(document.author)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in _TEMPLATE_DOCUMENT_PARTS:
            doc.part.rels.pop(rid)

    settings = doc.settings.element
    for name in ("w:savePreviewPicture", "w:rsids", "w14:docId", "w:proofState"):
        for found in settings.findall(qn(name)):
            settings.remove(found)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), lang)
        theme_lang.attrib.pop(qn("w:eastAsia"), None)
    if lang.startswith("da"):
        for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
            found = settings.find(qn(name))
            if found is not None:
                found.set(qn("w:val"), value)
    # Moderate hyphenation, as in the PDF: no more than two hyphens in a row.
    tab_stop = settings.find(qn("w:defaultTabStop"))
    if tab_stop is not None:
        tab_stop.addnext(parse_xml(f'<w:consecutiveHyphenLimit {nsdecls("w")} w:val="2"/>'))
        tab_stop.addnext(parse_xml(f"<w:autoHyphenation {nsdecls('w')}/>"))

    # The language of every style that does not name its own.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    if default_lang is not None:
        default_lang.set(qn("w:val"), lang)
        default_lang.set(qn("w:eastAsia"), lang)


def _lang(locale: str) -> str:
    return "da-DK" if locale == "da" else "en-GB"


def texts_language(document: ReportDocument) -> str | None:
    """The area's texts' language where it is not the document's (labels'), else None."""
    return _lang(document.text_locale) if document.text_locale != document.locale else None


def render_docx(document: ReportDocument) -> bytes:
    doc = Document()
    lang = _lang(document.locale)
    _metadata(doc, document, lang)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(14)
    section.top_margin = Mm(16)
    section.bottom_margin = Mm(16)

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    normal.element.get_or_add_rPr().append(
        parse_xml(f'<w:lang {nsdecls("w")} w:val="{lang}" w:eastAsia="{lang}"/>')
    )

    if document.date_line:
        doc.add_paragraph(document.date_line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading = doc.add_heading(level=1)
    title_run = heading.add_run(document.title)
    title_run.font.color.rgb = RGBColor(0, 0, 0)
    title_run.font.size = Pt(15)
    texts_lang = texts_language(document)
    for paragraph in document.intro:
        run = doc.add_paragraph().add_run(paragraph)
        if texts_lang:
            run._r.get_or_add_rPr().append(
                parse_xml(f'<w:lang {nsdecls("w")} w:val="{texts_lang}"/>')
            )
    if document.labels.legend_marked:
        legend = doc.add_paragraph(document.labels.legend_before or "")
        marked = legend.add_run(document.labels.legend_marked)
        marked.bold = True
        marked.underline = True
        marked.font.color.rgb = RGBColor(0xFF, 0, 0)
        legend.add_run(document.labels.legend_after or "")
    if document.labels.legend_deleted:
        doc.add_paragraph(document.labels.legend_deleted)

    # The table goes in after saving (see the module docstring): a marker
    # paragraph holds its place.
    marker = f"statusbot-table-{uuid.uuid4().hex}"
    doc.add_paragraph(marker)
    parts = _Parts(doc, document)  # hyperlinks and list numbering go in before saving

    footer = section.footer
    footer_p = footer.paragraphs[0]._p
    footer_p.addprevious(parse_xml(_footer_xml(document)))
    footer_p.getparent().remove(footer_p)

    skeleton = io.BytesIO()
    doc.save(skeleton)
    return _insert_table(skeleton.getvalue(), marker, document, parts)


def _insert_table(skeleton: bytes, marker: str, document: ReportDocument, parts: _Parts) -> bytes:
    """Copy the saved package, streaming the table rows into ``word/document.xml``
    in place of the marker paragraph."""
    out = io.BytesIO()
    # Every part dated like the document, so the same document gives the same bytes.
    stamp = zip_date(document.generated_at)
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                info = zipfile.ZipInfo(info.filename, date_time=stamp)
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            at = data.index(marker.encode())
            start = max(data.rfind(b"<w:p>", 0, at), data.rfind(b"<w:p ", 0, at))
            end = data.index(b"</w:p>", at) + len(b"</w:p>")
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w", force_zip64=True) as stream:
                stream.write(data[:start])
                stream.write(_table_start(document).encode())
                chunk: list[str] = []
                for n, row in enumerate(_table_rows(document, parts), start=1):
                    chunk.append(row)
                    if n % 200 == 0:
                        stream.write("".join(chunk).encode())
                        chunk.clear()
                stream.write("".join(chunk).encode())
                stream.write(b"</w:tbl>")
                stream.write(data[end:])
    return out.getvalue()
