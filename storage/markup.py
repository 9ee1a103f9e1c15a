"""Typed status text: a small Markdown dialect, and back.

People type statuses in plain boxes (Slack's fallback form, CSV files, the
command line, thread replies). What they type is read with markdown-it-py
restricted to what a status can hold:

- a blank line separates paragraphs; a single line break is a space, a
  backslash at the end of a line keeps the break;
- ``*italic*``, ``**bold**``, ``[text](https://…)`` (http, https, mailto);
- ``- item`` (also ``*``, ``+``, ``•``, ``–``) is a bullet item;
- two or more consecutive lines numbered on from each other (``1)``, ``2)`` or
  ``1.``, ``2.``) are a numbered list keeping their numbers; a lone line such as
  "14. marts 2024 …" stays a sentence;
- everything else is literal: no headings, HTML, entities, code, quotes or
  tables, so ``<``, ``&``, ``#`` and ``=`` print as typed.

:func:`render_markup` writes a status back in this dialect (for the plain
boxes and CSV export); :func:`parse_markup` of it gives the status back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import groupby
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from storage.richtext import (
    _STRIP_TABLE,
    Block,
    Run,
    StatusText,
    continues_list,
    run_data,
    safe_url,
)

_NUMBERED = re.compile(r"^( {0,3})(\d{1,9})([.)])(?=[ \t]|$)")
_BULLET = re.compile(r"^ {0,3}[-+*](?:[ \t]|$)")
_OTHER_BULLET = re.compile(r"^( {0,3})[•–·▪◦](?=[ \t])")
_ESCAPED_OTHER_BULLET = re.compile(r"^( {0,3})\\([•–·▪◦])")
# The spaces and list markers a line starts with. Each list level takes at
# least two of these characters, so capping their width caps the nesting.
_LIST_PREFIX = re.compile(r"^(?:[ ]*(?:[-+*]|\d{1,9}[.)])(?:[ ]+|$))+")
# Markdown-it stops reading blocks nested deeper than its maxNesting (20 tokens:
# a list and its item are two) and drops their text; a line whose prefix is
# wider than this is made a plain item, which is what a status holds anyway
# (its items have one level): flattened, no word lost.
MAX_LIST_PREFIX = 16


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero").enable(["list", "emphasis", "link", "newline", "escape"])
    md.validateLink = lambda url: safe_url(url) is not None  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # kept as typed
    md.normalizeLinkText = lambda text: text  # type: ignore[method-assign]
    return md


def _unnumbered(line: str) -> str:
    """A line starting "1." or "1)" with the delimiter escaped: text, not an item."""
    m = _NUMBERED.match(line)
    assert m is not None
    return line[: m.start(3)] + "\\" + line[m.start(3) :]


def _prepare(text: str) -> str:
    """The pre-pass Markdown cannot do: which numbered lines form a list, other
    bullet symbols, and no lazy continuation of a list item by the next line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.translate(_STRIP_TABLE).replace("\t", "    ").split("\n")
    literal: set[int] = set()
    for i, line in enumerate(lines):
        if m := _ESCAPED_OTHER_BULLET.match(line):
            lines[i] = m.group(1) + line[m.end() - 1 :]
            literal.add(i)
        elif m := _OTHER_BULLET.match(line):
            lines[i] = m.group(1) + "-" + line[m.end() :]
        if i not in literal and (m := _LIST_PREFIX.match(lines[i])) and m.end() > MAX_LIST_PREFIX:
            lines[i] = "- " + lines[i][m.end() :]

    numbered = {
        i: (int(m.group(2)), m.group(3))
        for i, line in enumerate(lines)
        if i not in literal and (m := _NUMBERED.match(line))
    }
    in_group: set[int] = set()
    group_starts: set[int] = set()
    previous: int | None = None
    run: list[int] = []
    for i in sorted(numbered):
        between = lines[previous + 1 : i] if previous is not None else None
        follows = (
            previous is not None
            and all(line[:1] == " " and line.strip() for line in between or ())
            and numbered[i] == (numbered[previous][0] + 1, numbered[previous][1])
        )
        if not follows:
            if len(run) >= 2:
                in_group.update(run)
                group_starts.add(run[0])
            run = []
        run.append(i)
        previous = i
    if len(run) >= 2:
        in_group.update(run)
        group_starts.add(run[0])

    out: list[str] = []
    in_item = False
    for i, line in enumerate(lines):
        if i in numbered and i not in in_group:
            line = _unnumbered(line)
        is_item = i in in_group or (i not in literal and bool(_BULLET.match(line)))
        if not line.strip():
            in_item = False
        elif is_item:
            if i in group_starts and out and out[-1].strip():
                out.append("")  # an ordered list not starting at 1 cannot interrupt a paragraph
            in_item = True
        elif in_item and line[:1] != " ":
            out.append("")  # a line after a list item starts a paragraph
            in_item = False
        out.append(line)
    return "\n".join(out)


def parse_markup(text: str) -> StatusText:
    """The status a person typed."""
    if not text.strip():
        return StatusText()
    tokens = _parser().parse(_prepare(text))
    blocks: list[dict[str, Any]] = []
    lists: list[tuple[str, str]] = []  # kind and delimiter of each open list
    items: list[dict[str, Any]] = []  # open list items, innermost last
    for token in tokens:
        if token.type == "bullet_list_open":
            lists.append(("li", "."))
        elif token.type == "ordered_list_open":
            lists.append(("ol", token.markup if token.markup in (".", ")") else "."))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            kind, delim = lists[-1]
            number = int(token.info) if kind == "ol" and token.info.isdigit() else None
            items.append({"kind": kind, "number": number, "delim": delim, "block": None})
        elif token.type == "list_item_close":
            items.pop()
        elif token.type == "inline":
            runs = _runs(token.children or [])
            if not "".join(r["text"] for r in runs).strip():
                continue
            item = items[-1] if items else None
            if item is None:
                blocks.append({"kind": "p", "runs": runs})
            elif item["block"] is None:
                item["block"] = len(blocks)
                block: dict[str, Any] = {"kind": item["kind"], "runs": runs}
                if item["kind"] == "ol":
                    block.update(number=item["number"], delim=item["delim"])
                blocks.append(block)
            else:  # a further paragraph of the same item: a line break
                blocks[item["block"]]["runs"] += [{"text": "\n"}, *runs]
    return StatusText(blocks=tuple(Block.model_validate(b) for b in blocks))


def _runs(children: list[Token]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    bold = italic = 0
    link: str | None = None
    for child in children:
        if child.type in ("text", "text_special"):
            text = child.content
        elif child.type == "softbreak":
            text = " "
        elif child.type == "hardbreak":
            text = "\n"
        else:
            if child.type == "em_open":
                italic += 1
            elif child.type == "em_close":
                italic -= 1
            elif child.type == "strong_open":
                bold += 1
            elif child.type == "strong_close":
                bold -= 1
            elif child.type == "link_open":
                link = safe_url(str(child.attrGet("href") or ""))
            elif child.type == "link_close":
                link = None
            continue
        if text:
            runs.append(run_data(text, bold=bold > 0, italic=italic > 0, link=link))
    return runs


# -- status → typed text --------------------------------------------------------

_ALWAYS = re.compile(r"([\\*\[\]])")
_OUTSIDE_LINK = re.compile(r"([\\*]|\](?=\())")
_LINE_BULLET = re.compile(r"^([-+])(?=[ ]|$)")
_LINE_OTHER_BULLET = re.compile(r"^([•–·▪◦])(?=[ ])")


def _escape(text: str, *, in_link: bool) -> str:
    text = (_ALWAYS if in_link else _OUTSIDE_LINK).sub(r"\\\1", text)
    # "_" is emphasis only at a word's edge ("snake_case" is not).
    return re.sub(r"(?<![^\W_])_|_(?![^\W_])", r"\\_", text)


def _inline(runs: tuple[Run, ...]) -> str:
    """Runs as Markdown: links as ``[text](url)``, emphasis inside and between them."""
    out: list[str] = []
    for link, group in groupby(runs, key=lambda run: run.link):
        if link is None:
            out.append(_emphasis(tuple(group), in_link=False))
        else:
            url = re.sub(r"([()])", r"\\\1", link)
            out.append(f"[{_emphasis(tuple(group), in_link=True)}]({url})")
    return "".join(out)


def _emphasis(runs: tuple[Run, ...], *, in_link: bool) -> str:
    """Runs as text with ``**`` and ``*``, nested; spaces stay outside the marks
    next to them, as CommonMark needs (the model gives a space between two bold
    words the bold back)."""
    out: list[str] = []
    open_marks: list[str] = []  # "**" (bold) and "*" (italic), innermost last
    marks = [({"**"} if r.bold else set()) | ({"*"} if r.italic else set()) for r in runs]
    pending = ""  # spaces written after the marks that close next to them
    for index, run in enumerate(runs):
        wanted = marks[index]
        while open_marks and not wanted.issuperset(open_marks):
            out.append(open_marks.pop())

        def reach(mark: str, start: int = index) -> int:
            end = start
            while end < len(runs) and mark in marks[end]:
                end += 1
            return end

        text = _escape(run.text, in_link=in_link).replace("\n", "\\\n")
        core = text.lstrip(" ")
        if not core:  # only spaces: no marks of their own
            pending += text
            continue
        out.append(pending + " " * (len(text) - len(core)))
        # The mark that lasts longer opens first, so the marks nest.
        for mark in sorted(wanted - set(open_marks), key=reach, reverse=True):
            open_marks.append(mark)
            out.append(mark)
        out.append(core.rstrip(" "))
        pending = " " * (len(core) - len(core.rstrip(" ")))
    out.extend(reversed(open_marks))
    out.append(pending)
    return "".join(out)


def _lines(block: Block) -> list[str]:
    lines = _inline(block.runs).split("\n")
    starts = [bool(_NUMBERED.match(line)) for line in lines]
    for i, line in enumerate(lines):
        line = _LINE_BULLET.sub(r"\\\1", line)
        line = _LINE_OTHER_BULLET.sub(r"\\\1", line)
        if starts[i] and (
            (i > 0 and starts[i - 1]) or (i + 1 < len(lines) and starts[i + 1]) or block.kind != "p"
        ):
            line = _unnumbered(line)
        lines[i] = line
    return lines


def render_markup(status: StatusText) -> str:
    """``status`` as typed text (the inverse of :func:`parse_markup`)."""
    parts: list[str] = []
    previous: Block | None = None
    for block in status.blocks:
        lines = _lines(block)
        if block.kind == "p":
            parts.append("\n".join(lines))
        else:
            marker = "-" if block.kind == "li" else f"{block.number}{block.delim}"
            indent = " " * (len(marker) + 1)
            item = f"{marker} " + f"\n{indent}".join(lines)
            if previous is not None and continues_list(previous, block):
                parts[-1] += "\n" + item
            else:
                parts.append(item)
        previous = block
    return "\n\n".join(parts)
