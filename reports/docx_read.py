"""Read formatted paragraphs out of a Word document (for the baseline import).

A paragraph becomes runs (italic, bold, hyperlinks, line breaks) and, when Word
numbers it, a bullet or numbered item with the number Word shows. Numbers
typed as text ("1) …", "2) …" on consecutive paragraphs) count as Word's own,
as in the seed reports; a lone "14. marts …" stays a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from storage.richtext import Block, run_data, safe_url

_TYPED_NUMBER = re.compile(r"^\s*(\d{1,6})([.)])\s+(?=\S)")
_ON = {"1", "true", "on"}


@dataclass
class WordParagraph:
    runs: list[dict[str, Any]]
    kind: str = "p"  # "p", "li" or "ol"
    number: int | None = None
    delim: str = "."
    style_list: bool = False  # a list style without numbering details

    @property
    def text(self) -> str:
        return "".join(r["text"] for r in self.runs)


@dataclass
class _Level:
    bullet: bool
    start: int
    delim: str


@dataclass
class WordReader:
    """WordParagraph contents of one document; keeps Word's list counters."""

    document: DocxDocument
    _levels: dict[tuple[str, str], _Level] = field(default_factory=dict)
    _counters: dict[str, dict[int, int]] = field(default_factory=dict)
    _styles: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    # Paragraph style → its numbering (numId, ilvl): Word's "List Number" and
    # "List Bullet" number their paragraphs from the style, not from a
    # w:numPr of the paragraph's own.
    _style_numbering: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._read_numbering()
        based_on: dict[str, str] = {}
        own: dict[str, tuple[str | None, str | None]] = {}
        for style in self.document.styles.element.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            rpr = style.find(qn("w:rPr"))
            if rpr is not None:
                self._styles[style_id] = (_flag(rpr, "w:b"), _flag(rpr, "w:i"))
            if (parent := _val(style.find(qn("w:basedOn")))) is not None:
                based_on[style_id] = parent
            ppr = style.find(qn("w:pPr"))
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is not None:
                own[style_id] = (_val(numpr.find(qn("w:numId"))), _val(numpr.find(qn("w:ilvl"))))
        for style_id in own.keys() | based_on.keys():
            num_id = ilvl = None
            seen: set[str] = set()
            current: str | None = style_id
            while current is not None and current not in seen and (num_id is None or ilvl is None):
                seen.add(current)
                found = own.get(current, (None, None))
                num_id = num_id if num_id is not None else found[0]
                ilvl = ilvl if ilvl is not None else found[1]
                current = based_on.get(current)
            if num_id is not None:
                self._style_numbering[style_id] = (num_id, ilvl)

    def _read_numbering(self) -> None:
        try:
            numbering = self.document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract: dict[str, dict[str, _Level]] = {}
        for node in numbering.iterchildren(qn("w:abstractNum")):
            levels: dict[str, _Level] = {}
            for lvl in node.iterchildren(qn("w:lvl")):
                fmt = _val(lvl.find(qn("w:numFmt"))) or "decimal"
                text = _val(lvl.find(qn("w:lvlText"))) or ""
                start = _val(lvl.find(qn("w:start")))
                levels[lvl.get(qn("w:ilvl"), "0")] = _Level(
                    bullet=fmt in ("bullet", "none"),
                    start=int(start) if start and start.isdigit() else 1,
                    delim=")" if text.rstrip().endswith(")") else ".",
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in numbering.iterchildren(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            levels = dict(abstract.get(_val(num.find(qn("w:abstractNumId"))) or "", {}))
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = override.get(qn("w:ilvl"), "0")
                start = _val(override.find(qn("w:startOverride")))
                if ilvl in levels and start and start.isdigit():
                    base = levels[ilvl]
                    levels[ilvl] = _Level(base.bullet, int(start), base.delim)
            for ilvl, level in levels.items():
                self._levels[(num_id, ilvl)] = level

    def paragraph(self, p, list_styles: set[str]) -> WordParagraph:  # type: ignore[no-untyped-def]
        out = WordParagraph(self._runs(p))
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        by_style = self._style_numbering.get(style.get(qn("w:val"))) if style is not None else None
        if numpr is not None or by_style is not None:
            # The paragraph's own numId / ilvl win; what it leaves out comes from its style.
            own_id = _val(numpr.find(qn("w:numId"))) if numpr is not None else None
            own_level = _val(numpr.find(qn("w:ilvl"))) if numpr is not None else None
            num_id = own_id or (by_style[0] if by_style else None) or "0"
            ilvl = own_level or (by_style[1] if by_style else None) or "0"
            level = self._levels.get((num_id, ilvl))
            if num_id != "0":
                if level is None or level.bullet:
                    out.kind = "li"
                else:
                    counters = self._counters.setdefault(num_id, {})
                    depth = int(ilvl) if ilvl.isdigit() else 0
                    counters[depth] = counters.get(depth, level.start - 1) + 1
                    for deeper in [d for d in counters if d > depth]:
                        del counters[deeper]
                    out.kind, out.number, out.delim = "ol", counters[depth], level.delim
                return out
        if style is not None and style.get(qn("w:val")) in list_styles:
            out.kind, out.style_list = "li", True
        return out

    def _runs(self, p) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
        runs: list[dict[str, Any]] = []
        self._collect(p, runs, None)
        return runs

    def _collect(self, node, runs: list[dict[str, Any]], link: str | None) -> None:  # type: ignore[no-untyped-def]
        for child in node.iterchildren():
            tag = child.tag
            if tag == qn("w:r"):
                self._run(child, runs, link)
            elif tag == qn("w:hyperlink"):
                target = None
                rid = child.get(qn("r:id"))
                if rid and rid in self.document.part.rels:
                    rel = self.document.part.rels[rid]
                    target = safe_url(rel.target_ref) if rel.is_external else None
                self._collect(child, runs, target)
            elif tag in (qn("w:ins"), qn("w:smartTag"), qn("w:fldSimple"), qn("w:sdtContent")):
                self._collect(child, runs, link)
            elif tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self._collect(content, runs, link)

    def _run(self, r, runs: list[dict[str, Any]], link: str | None) -> None:  # type: ignore[no-untyped-def]
        rpr = r.find(qn("w:rPr"))
        bold = italic = False
        if rpr is not None:
            style = rpr.find(qn("w:rStyle"))
            if style is not None:
                bold, italic = self._styles.get(style.get(qn("w:val")), (False, False))
            if rpr.find(qn("w:b")) is not None:
                bold = _flag(rpr, "w:b")
            if rpr.find(qn("w:i")) is not None:
                italic = _flag(rpr, "w:i")
        parts: list[str] = []
        for node in r.iterchildren():
            if node.tag == qn("w:t"):
                parts.append(node.text or "")
            elif node.tag == qn("w:tab"):
                parts.append(" ")
            elif node.tag in (qn("w:br"), qn("w:cr")):
                parts.append(" " if node.get(qn("w:type")) in ("page", "column") else "\n")
            elif node.tag == qn("w:noBreakHyphen"):
                parts.append("-")
        text = "".join(parts)
        if not text:
            return
        runs.append(run_data(text, bold=bold, italic=italic, link=link))


def _val(node) -> str | None:  # type: ignore[no-untyped-def]
    return None if node is None else node.get(qn("w:val"))


def _flag(rpr, tag: str) -> bool:  # type: ignore[no-untyped-def]
    node = rpr.find(qn(tag))
    return node is not None and (node.get(qn("w:val")) or "1").casefold() in _ON


def typed_numbers(paragraphs: list[WordParagraph]) -> list[WordParagraph]:
    """Consecutive plain paragraphs numbered on from each other in their text
    ("1) …", "2) …") become numbered items; the number leaves the text."""
    found = [_TYPED_NUMBER.match(p.text) if p.kind != "ol" and p.runs else None for p in paragraphs]
    groups: list[list[int]] = []
    for i, match in enumerate(found):
        previous = found[i - 1] if i else None
        if (
            match
            and previous
            and groups
            and groups[-1][-1] == i - 1
            and int(match.group(1)) == int(previous.group(1)) + 1
            and match.group(2) == previous.group(2)
        ):
            groups[-1].append(i)
        elif match:
            groups.append([i])
    for group in (g for g in groups if len(g) >= 2):
        for i in group:
            match = found[i]
            assert match is not None
            paragraphs[i] = WordParagraph(
                drop_prefix(paragraphs[i].runs, match.end()),
                "ol",
                int(match.group(1)),
                match.group(2),
            )
    return paragraphs


def drop_prefix(runs: list[dict[str, Any]], length: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for run in runs:
        if length >= len(run["text"]):
            length -= len(run["text"])
            continue
        out.append({**run, "text": run["text"][length:]})
        length = 0
    return out


def to_block(paragraph: WordParagraph) -> Block | None:
    """The paragraph as a status block, or ``None`` when it holds no text."""
    if not paragraph.text.strip():
        return None
    data: dict[str, Any] = {"kind": paragraph.kind, "runs": paragraph.runs}
    if paragraph.kind == "ol":
        data.update(number=paragraph.number, delim=paragraph.delim)
    return Block.model_validate(data)
