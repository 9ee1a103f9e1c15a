"""The committee meeting's slides (PowerPoint, python-pptx).

Content comes from :mod:`reports.slide_content`, is fitted to the slides by
:mod:`reports.slide_fit`, and is drawn here on python-pptx's own template made
16:9. Accessibility as Microsoft's checker and the Danish guidance ask: every
slide has its own title in its title placeholder, the shapes are in reading
order (title, then body), every run carries the language (da-DK / en-GB), the
core properties are filled in, and changes are said in words and ✓ marks,
never by colour alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date

from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn

from reports import slide_fit as fit
from reports.model import ReportDocument, Segment
from reports.ooxml import app_properties, restamp, xml_text
from reports.slide_content import Deck, Line, SlideSpec, build_deck
from storage.richtext import safe_url

TITLE_COLOUR = ACCENT = "1F3864"
TEXT_COLOUR = "202020"
NOTE_COLOUR = "404040"
_NAMESPACES = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_COVER, _CONTENT = 0, 1  # python-pptx's layouts "Title Slide", "Title and Content"
_BULLETS = {"bullet": "•", "dash": "–"}


@dataclass(frozen=True)
class DeckOptions:
    """What the report itself does not hold: the committee (area setting, else
    "udvalget"/"the committee") and the meeting's date (else none is named)."""

    committee: str | None = None
    meeting: date | None = None


def render_pptx(document: ReportDocument, options: DeckOptions | None = None) -> bytes:
    options = options or DeckOptions()
    deck = build_deck(
        document, committee=options.committee, meeting=options.meeting, draft=document.is_draft
    )
    prs = _presentation(deck.texts.language)
    cover, *rest = deck.slides
    _cover_slide(prs, cover, deck, document)
    titles: set[str] = {cover.title}
    for spec in rest:
        pages = fit.paginate(spec.lines, fit.BODY_BOX, deck.texts.continued_heading)
        for number, lines in enumerate(pages, 1):
            title = (
                spec.title if number == 1 else deck.texts.continued(spec.title, number, len(pages))
            )
            _content_slide(prs, _unique(title, titles), lines, deck.texts.language)
    _properties(prs, document, deck, options)
    out = io.BytesIO()
    prs.save(out)
    return restamp(out.getvalue(), document.generated_at)


def _unique(title: str, seen: set[str]) -> str:
    candidate, n = title, 1
    while candidate in seen:
        n += 1
        candidate = f"{title} ({n})"
    seen.add(candidate)
    return candidate


# ------------------------------------------------------------------ the template


def _presentation(language: str) -> Presentation:
    """python-pptx's template, 16:9, in ``language``, with an accent bar."""
    prs = Presentation()
    factor = fit.SLIDE_WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = fit.SLIDE_WIDTH, fit.SLIDE_HEIGHT
    # 13.333 × 7.5 in has no named size: PowerPoint writes none ("custom").
    prs.part._element.find(qn("p:sldSz")).attrib.pop("type", None)
    master = prs.slide_master
    for shapes in [master.shapes, *(layout.shapes for layout in master.slide_layouts)]:
        for shape in shapes:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = int(shape.left * factor), int(shape.width * factor)
    for element in (
        prs.part._element,
        master.element,
        *(layout.element for layout in master.slide_layouts),
    ):
        for props in element.iter(qn("a:defRPr"), qn("a:rPr"), qn("a:endParaRPr")):
            props.set("lang", language)
    _accent_bar(master)
    return prs


def _accent_bar(master) -> None:  # type: ignore[no-untyped-def]
    """A thin band along the top of every slide, on the master: decoration
    outside the slides' reading order."""
    tree = master.shapes._spTree
    ids = [int(e.get("id")) for e in tree.iter(qn("p:cNvPr"))]
    bar = parse_xml(
        f'<p:sp xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<p:nvSpPr><p:cNvPr id="{max(ids) + 1}" name="Accent bar"/>'
        "<p:cNvSpPr/><p:nvPr/></p:nvSpPr>"
        f'<p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{fit.SLIDE_WIDTH}" cy="91440"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{ACCENT}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>'
        f"</p:sp>"
    )
    tree.append(bar)


# ------------------------------------------------------------------ slides


def _place(shape, box: fit.Box) -> None:  # type: ignore[no-untyped-def]
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = fit.INSET_X
    frame.margin_top = frame.margin_bottom = fit.INSET_Y


def _runs(part, segments: Iterable[Segment], size: float, language: str, colour: str) -> str:  # type: ignore[no-untyped-def]
    """DrawingML runs, written directly: python-pptx's run API costs
    milliseconds a run, which a deck of a thousand initiatives feels."""
    out: list[str] = []
    for segment in segments:
        attrs = f'lang="{language}" sz="{round(size * 100)}"'
        attrs += (' b="1"' if segment.bold else "") + (' i="1"' if segment.italic else "")
        click = ""
        link = segment.link and safe_url(segment.link)
        if link:
            rid = part.relate_to(link, RT.HYPERLINK, is_external=True)
            click = f'<a:hlinkClick r:id="{rid}"/>'
        out.append(
            f'<a:r><a:rPr {attrs} dirty="0"><a:solidFill><a:srgbClr val="{colour}"/>'
            f'</a:solidFill><a:latin typeface="{fit.FONT}"/>{click}</a:rPr>'
            f"<a:t>{xml_text(segment.text)}</a:t></a:r>"
        )
    return "".join(out)


def _fill(shape, paragraphs: list[str]) -> None:  # type: ignore[no-untyped-def]
    """``shape``'s text: ``paragraphs`` (``<a:p>`` XML) in place of its own."""
    body = shape.text_frame._txBody
    for old in body.findall(qn("a:p")):
        body.remove(old)
    holder = parse_xml(f"<a:txBody {_NAMESPACES}>{''.join(paragraphs)}</a:txBody>")
    for paragraph in list(holder):
        body.append(paragraph)


def _title(  # type: ignore[no-untyped-def]
    slide, text: str, box: fit.Box, sizes: tuple[int, ...], language: str, cover: bool = False
) -> None:
    """The slide's title, at the largest size that fits its box."""
    shape = slide.shapes.title
    _place(shape, box)
    (segment,), size = fit.fit_block([Segment(text, bold=True)], box, sizes)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    align = "ctr" if cover else "l"
    runs = _runs(slide.part, (segment,), size, language, TITLE_COLOUR)
    _fill(shape, [f'<a:p><a:pPr algn="{align}"/>{runs}</a:p>'])


def _cover_slide(prs, spec: SlideSpec, deck: Deck, document: ReportDocument) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[_COVER])
    language = deck.texts.language
    _title(slide, spec.title, fit.COVER_TITLE_BOX, fit.COVER_TITLE_SIZES, language, cover=True)
    body = slide.placeholders[1]
    _place(body, fit.COVER_SUBTITLE_BOX)
    body.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    lines = [Segment(text) for text in spec.subtitle]
    if deck.texts.draft:
        lines[-1] = Segment(deck.texts.draft_label, bold=True)
    if document.author:
        lines.append(Segment(document.author))
    lines, size = fit.fit_block(
        lines, fit.COVER_SUBTITLE_BOX, fit.SUBTITLE_SIZES, fit.SUBTITLE_SPACE
    )
    space = round(fit.SUBTITLE_SPACE * 100)
    _fill(
        body,
        [
            f'<a:p><a:pPr><a:spcBef><a:spcPts val="{space}"/></a:spcBef></a:pPr>'
            f"{_runs(slide.part, (line,), size, language, TEXT_COLOUR)}</a:p>"
            for line in lines
        ],
    )


def _content_slide(prs, title: str, lines: list[Line], language: str) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[_CONTENT])
    _title(slide, title, fit.TITLE_BOX, fit.TITLE_SIZES, language)
    body = slide.placeholders[1]
    _place(body, fit.BODY_BOX)
    body.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    starts = _list_starts(lines)
    paragraphs: list[str] = []
    for index, line in enumerate(lines):
        style = fit.style(line)
        colour = NOTE_COLOUR if line.bullet == "none" and not line.heading else TEXT_COLOUR
        runs = _runs(slide.part, line.runs, style.size, language, colour)
        paragraphs.append(f"<a:p>{_paragraph_props(line, style, starts.get(index))}{runs}</a:p>")
    _fill(body, paragraphs)


def _list_starts(lines: list[Line]) -> dict[int, int]:
    """Each numbered line's list start: a list numbers on from its first item,
    and a gap in the numbers (an unchanged item left out) starts a new list."""
    starts: dict[int, int] = {}
    for index, line in enumerate(lines):
        if line.bullet != "number" or line.number is None:
            continue
        before = lines[index - 1] if index else None
        if (
            before is not None
            and index - 1 in starts
            and before.level == line.level
            and before.delim == line.delim
            and before.number is not None
            and line.number == before.number + 1
        ):
            starts[index] = starts[index - 1]
        else:
            starts[index] = line.number
    return starts


def _paragraph_props(line: Line, style: fit.LevelStyle, start: int | None) -> str:
    """``<a:pPr>``: the level, where the text starts, the space before, the
    bullet (the deck's own, not the template's)."""
    hanging = style.indent if line.bullet != "none" else 0
    if line.bullet == "none":
        bullet = "<a:buNone/>"
    elif line.bullet == "number":
        scheme = "arabicParenR" if line.delim == ")" else "arabicPeriod"
        bullet = f'<a:buAutoNum type="{scheme}" startAt="{start or 1}"/>'
    else:
        bullet = f'<a:buFont typeface="{fit.FONT}"/><a:buChar char="{_BULLETS[line.bullet]}"/>'
    return (
        f'<a:pPr lvl="{min(line.level, 8)}" marL="{fit.text_margin(line)}" indent="{hanging}">'
        '<a:lnSpc><a:spcPct val="100000"/></a:lnSpc>'
        f'<a:spcBef><a:spcPts val="{round(style.space_before * 100)}"/></a:spcBef>'
        f"{bullet}</a:pPr>"
    )


# ------------------------------------------------------------------ properties


def _property(text: str) -> str:
    """A core property holds at most 255 characters."""
    return text if len(text) <= 255 else text[:254] + "…"


def _properties(prs, document: ReportDocument, deck: Deck, options: DeckOptions) -> None:  # type: ignore[no-untyped-def]
    moment = document.generated_at.astimezone(UTC).replace(tzinfo=None)
    props = prs.core_properties
    texts = deck.texts
    title = f"{texts.title} ({texts.draft_label})" if texts.draft else texts.title
    props.title = _property(title)
    props.subject = _property(texts.subject)
    props.author = _property(document.author or document.area_name)
    props.category = _property(options.committee or document.area_name)
    props.keywords = _property(document.area_name)
    props.content_status = texts.draft_label if texts.draft else ""
    props.language = texts.language
    props.created = props.modified = moment
    props.last_modified_by = "statusbot"
    props.revision = 1
    props.comments = ""
    package = prs.part.package
    for rid, rel in list(package._rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # a picture of python-pptx's empty template
            package._rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = app_properties(document.author)
