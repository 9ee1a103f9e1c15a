"""``sagsfremstilling.docx``: the case document, built in or in the
municipality's own Word template.

A template marks where each text goes with a placeholder, ``{{sagsfremstilling}}``
alone in a paragraph (the paragraph's style is kept for every paragraph of the
text) or inline in a line (``Sagsnr. {{case_number}}``), or with a Word content
control whose tag is the name. The four sections are required; the rest are
optional. Headers and footers are filled too; everything else of the template
(styles, header, logo) stays as it is.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from bot.committee.i18n import gettext_for
from bot.committee.item import (
    SECTION_KEYS,
    AgendaItem,
    decision_heading,
    section_headings,
)
from bot.errors import InvalidInput

REQUIRED = SECTION_KEYS
OPTIONAL = ("title", "committee", "meeting_date", "case_number", "access", "bilag", "beslutning")
PLACEHOLDERS = (*REQUIRED, *OPTIONAL)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def _lang(item: AgendaItem) -> str:
    return "da-DK" if item.locale == "da" else "en-GB"


def bilag_lines(item: AgendaItem) -> list[str]:
    """Seed 003's bilag lines: "1 – Åben – <title> (<file>)"."""
    _ = gettext_for(item.locale)
    labels = {"open": _("Open"), "closed": _("Closed")}
    return [
        f"{b.number} – {labels.get(b.access, b.access)} – {b.title} ({b.file})" for b in item.bilag
    ]


def _values(item: AgendaItem) -> dict[str, list[str]]:
    """Each placeholder's paragraphs."""
    values = {key: list(item.sections[key]) for key in SECTION_KEYS}
    values.update(
        title=[item.title],
        committee=[item.committee],
        meeting_date=[item.meeting_long],
        case_number=[item.case_number],
        access=[item.access_label],
        bilag=bilag_lines(item),
        beslutning=[""],
    )
    return values


def _metadata(doc, item: AgendaItem) -> None:  # type: ignore[no-untyped-def]
    props = doc.core_properties
    props.title = item.title
    props.subject = item.committee
    props.language = _lang(item)
    props.comments = ""


# ----------------------------------------------------------------- built in


def render_builtin(item: AgendaItem) -> bytes:
    _ = gettext_for(item.locale)
    doc = Document()
    _metadata(doc, item)
    lang = _lang(item)
    doc.styles["Normal"].element.get_or_add_rPr().append(
        parse_xml(f'<w:lang {nsdecls("w")} w:val="{lang}" w:eastAsia="{lang}"/>')
    )
    doc.add_heading(item.title, level=0)
    case = " · ".join(
        part
        for part in (
            _("Case no. {number}").format(number=item.case_number) if item.case_number else "",
            item.access_label,
        )
        if part
    )
    doc.add_paragraph(case)
    if item.committee:
        doc.add_paragraph(
            _("{committee}, meeting on {date}").format(
                committee=item.committee, date=item.meeting_long
            )
        )
    headings = section_headings(item.locale)
    for key in SECTION_KEYS:
        doc.add_heading(headings[key], level=1)
        for paragraph in item.sections[key] or [""]:
            doc.add_paragraph(paragraph)
    doc.add_heading(decision_heading(item), level=1)
    doc.add_paragraph("")
    doc.add_heading(_("Attachments"), level=2)
    for line in bilag_lines(item):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ----------------------------------------------------------------- template


def _open_template(template: bytes, name: str, locale: str | None):  # type: ignore[no-untyped-def]
    _ = gettext_for(locale)
    try:
        return Document(io.BytesIO(template))
    except Exception as exc:  # not a zip, no Word part, broken XML: all "not a Word file"
        raise InvalidInput(
            _("{name} is not a Word (.docx) file ({reason}).").format(
                name=name, reason=type(exc).__name__
            ),
            field="template",
        ) from None


def _roots(doc) -> list[etree._Element]:  # type: ignore[no-untyped-def]
    """The document's body, then its headers and footers (each part once)."""
    roots = [doc.element.body]
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            roots.append(rel.target_part.element)
    return roots


def _paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _tag(sdt: etree._Element) -> str | None:
    tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
    return tag.get(qn("w:val")) if tag is not None else None


def template_placeholders(
    template: bytes, name: str = "template", locale: str | None = None
) -> set[str]:
    """The names a template marks, by placeholder text or content-control tag."""
    doc = _open_template(template, name, locale)
    return _found(_roots(doc))


def _found(roots: Iterable[etree._Element]) -> set[str]:
    found: set[str] = set()
    for root in roots:
        for p in root.iter(qn("w:p")):
            found.update(m for m in _PLACEHOLDER.findall(_paragraph_text(p)) if m in PLACEHOLDERS)
        for sdt in root.iter(qn("w:sdt")):
            tag = _tag(sdt)
            if tag in PLACEHOLDERS:
                found.add(tag)
    return found


def _new_paragraph(model: etree._Element, text: str) -> etree._Element:
    """A paragraph with ``model``'s paragraph and first-run formatting and ``text``."""
    p = copy.deepcopy(model)
    first_rpr = next((copy.deepcopy(r.find(qn("w:rPr"))) for r in model.iter(qn("w:r"))), None)
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    if text:
        p.append(_run(text, first_rpr))
    return p


def _run(text: str, rpr: etree._Element | None) -> etree._Element:
    r = etree.SubElement(etree.Element("tmp"), qn("w:r"))
    if rpr is not None:
        r.append(rpr)
    t = etree.SubElement(r, qn("w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _replace_with_paragraphs(p: etree._Element, paragraphs: list[str]) -> None:
    for text in paragraphs or [""]:
        p.addprevious(_new_paragraph(p, text))
    p.getparent().remove(p)


def _fill_inline(p: etree._Element, values: dict[str, list[str]]) -> None:
    """Placeholders inside a line: the line's text goes into its first run (a
    placeholder Word split over several runs is found all the same)."""
    runs = [r for r in p if r.tag == qn("w:r") and r.find(qn("w:t")) is not None]
    if not runs:
        return
    text = _PLACEHOLDER.sub(
        lambda m: " ".join(values[m.group(1)]) if m.group(1) in values else m.group(0),
        "".join(t.text or "" for r in runs for t in r.iter(qn("w:t"))),
    )
    first = runs[0]
    ts = list(first.iter(qn("w:t")))
    ts[0].text = text
    ts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for extra in ts[1:]:
        extra.getparent().remove(extra)
    for r in runs[1:]:
        p.remove(r)


def _fill_control(sdt: etree._Element, paragraphs: list[str]) -> None:
    props = sdt.find(qn("w:sdtPr"))
    if props is not None:
        for shown in props.findall(qn("w:showingPlcHdr")):
            props.remove(shown)
    content = sdt.find(qn("w:sdtContent"))
    if content is None:
        return
    blocks = content.findall(qn("w:p"))
    if blocks:  # a block control: one paragraph per paragraph of text
        model = blocks[0]
        for text in paragraphs or [""]:
            model.addprevious(_new_paragraph(model, text))
        for p in blocks:
            content.remove(p)
        return
    runs = content.findall(qn("w:r"))  # an inline control: one line
    rpr = runs[0].find(qn("w:rPr")) if runs else None
    for r in list(content):
        content.remove(r)
    content.append(_run(" ".join(paragraphs), copy.deepcopy(rpr) if rpr is not None else None))


def render_template(item: AgendaItem, template: bytes, name: str = "template") -> bytes:
    """The item in the municipality's template; refused (naming what is missing)
    when it is not a Word file or lacks a section's placeholder."""
    _ = gettext_for(item.locale)
    doc = _open_template(template, name, item.locale)
    roots = _roots(doc)
    missing = [key for key in REQUIRED if key not in _found(roots)]
    if missing:
        raise InvalidInput(
            _("The template {name} lacks the placeholders {missing}.").format(
                name=name, missing=", ".join("{{" + key + "}}" for key in missing)
            ),
            field="template",
        )
    values = _values(item)
    for root in roots:
        for sdt in list(root.iter(qn("w:sdt"))):
            tag = _tag(sdt)
            if tag in values:
                _fill_control(sdt, values[tag])
        for p in list(root.iter(qn("w:p"))):
            text = _paragraph_text(p).strip()
            whole = _PLACEHOLDER.fullmatch(text)
            if whole and whole.group(1) in values and p.getparent() is not None:
                _replace_with_paragraphs(p, values[whole.group(1)])
            elif _PLACEHOLDER.search(text):
                _fill_inline(p, values)
    _metadata(doc, item)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
