"""Markdown rendering: a section per track and per initiative.

A Markdown table cannot hold merged cells or lists, so each initiative is a
heading with its plan and status below. Changes are ``<ins>`` (rendered
underlined by GitHub and most viewers; red where CSS allows). User text is
escaped for both Markdown and inline HTML.
"""

from __future__ import annotations

import re
from itertools import groupby

from reports.model import MarkedBlock, ReportDocument, Segment, list_groups
from storage.richtext import safe_url

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"([\\`*_\[\]{}#|~!])")
# What makes a line a block of its own: a list item ("- ", "+ ", "1. ", "1) "),
# a rule ("---", "- - -") or a setext heading's underline ("===", "---").
# ("#", ">", "*", "_", "|", "`", "~" and "<" are escaped wherever they are.)
_LINE_START = re.compile(r"^(\s*)([-+=]+|\d+)([.)]?)(?=\s|$)")


def escape_md(text: str, *, keep_edges: bool = False, line_start: bool = True) -> str:
    """Text shown literally: no emphasis, links, HTML or headings.

    Whitespace runs become one space; ``keep_edges`` keeps a leading/trailing
    space (for text glued to markup); ``line_start`` also neutralises what would
    make a line a list item or heading ("- ", "1. ")."""
    lead = " " if keep_edges and text[:1].isspace() else ""
    tail = " " if keep_edges and text[-1:].isspace() and text.strip() else ""
    text = " ".join(text.split())
    text = _INLINE.sub(r"\\\1", text)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    if line_start:
        text = _escape_line_start(text)
    return lead + text + tail


def _escape_line_start(text: str) -> str:
    def fix(m: re.Match[str]) -> str:
        lead, mark, stop = m.groups()
        if mark[0].isdigit():  # "1." → "1\.": a backslash before a digit escapes nothing
            return f"{lead}{mark}\\{stop}" if stop else m.group()
        return f"{lead}\\{mark}"

    return _LINE_START.sub(fix, text)


def _segment(segment: Segment) -> str:
    text = segment.text
    core_text = text.strip(" ")
    if not core_text:
        return " "
    core = "<br>".join(escape_md(line, line_start=False) for line in core_text.split("\n"))
    if core_text.strip("\n"):
        # Spaces stay outside the marks: CommonMark ends emphasis only after text.
        marker = ("**" if segment.bold else "") + ("*" if segment.italic else "")
        core = f"{marker}{core}{marker[::-1]}"
    return (" " if text[0] == " " else "") + core + (" " if text[-1] == " " else "")


def _segments(block: MarkedBlock) -> str:
    out: list[str] = []
    for state, marked in groupby(block.segments, key=lambda s: (s.changed, s.deleted)):
        inner = ""
        for link, group in groupby(marked, key=lambda s: s.link and safe_url(s.link)):
            text = "".join(_segment(s) for s in group)
            # checked on input; once more here
            inner += f"[{text}](<{link}>)" if link else text
        changed, deleted = state
        if changed:
            inner = f"<ins>{inner}</ins>"
        elif deleted:  # drafts only
            inner = f"<del>{inner}</del>"
        out.append(inner)
    return _escape_line_start("".join(out).strip())


def _status_lines(blocks: tuple[MarkedBlock, ...]) -> list[str]:
    lines: list[str] = []
    previous = None
    for kind, items in list_groups(blocks):
        if kind == "p":
            lines += [_segments(items[0]), ""]
        else:
            if previous == kind == "ol":  # keeps two numbered lists apart
                lines += ["<!-- -->", ""]
            for item in items:
                marker = "-" if kind == "ul" else f"{item.number}{item.delim}"
                lines.append(f"{marker} {_segments(item)}")
            lines.append("")
        previous = kind
    return lines


def render_markdown_text(document: ReportDocument) -> str:
    labels = document.labels
    lines: list[str] = [f"# {escape_md(document.title)}", ""]
    if document.date_line:
        lines[:0] = [escape_md(document.date_line), ""]
    legend_before = escape_md(labels.legend_before or "", keep_edges=True)
    legend_after = escape_md(labels.legend_after or "", keep_edges=True)
    for paragraph in document.intro:
        lines += [escape_md(paragraph), ""]
    if labels.legend_marked:
        lines += [
            f"{legend_before}<ins>**{escape_md(labels.legend_marked)}**</ins>{legend_after}",
            "",
        ]
    if labels.legend_deleted:
        lines += [escape_md(labels.legend_deleted), ""]
    for track in document.tracks:
        lines += [f"## {escape_md(track.name)}", ""]
        for row in track.rows:
            title = escape_md(row.title)
            lines += [f"### <ins>{title}</ins>" if row.flags.new else f"### {title}", ""]
            for paragraph in row.description:
                lines += [escape_md(paragraph), ""]
            plan = [_segments(block) for block in row.plan_marked]
            if plan:
                lines += [f"**{escape_md(labels.plan)}:**", ""]
                for line in plan:
                    lines += [line, ""]
            lines += [f"**{escape_md(labels.status)}:**", ""]
            lines += _status_lines(row.blocks)
            if not row.blocks:
                lines += [escape_md(labels.empty_status), ""]
            for note in row.notes:
                lines += [f"*{escape_md(note)}*", ""]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def render_markdown(document: ReportDocument) -> bytes:
    return render_markdown_text(document).encode("utf-8")
