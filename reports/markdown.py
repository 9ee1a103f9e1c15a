"""Markdown rendering: a section per track and per initiative.

A Markdown table cannot hold merged cells or lists, so each initiative is a
heading with its plan and status below. Changes are ``<ins>`` (rendered
underlined by GitHub and most viewers; red where CSS allows). User text is
escaped for both Markdown and inline HTML.
"""

from __future__ import annotations

import re

from reports.model import MarkedBlock, ReportDocument

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"([\\`*_\[\]{}#|~!])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+)([.)]?)(?=\s|$)")


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


def _segments(block: MarkedBlock) -> str:
    out = [
        f"<ins>{escape_md(s.text, line_start=False)}</ins>"
        if s.changed
        else escape_md(s.text, keep_edges=True, line_start=False)
        for s in block.segments
    ]
    return _escape_line_start("".join(out).strip())


def render_markdown_text(document: ReportDocument) -> str:
    labels = document.labels
    lines: list[str] = [f"# {escape_md(document.title)}", ""]
    legend_before = escape_md(labels.legend_before or "", keep_edges=True)
    legend_after = escape_md(labels.legend_after or "", keep_edges=True)
    for paragraph in document.intro:
        lines += [escape_md(paragraph), ""]
    if labels.legend_marked:
        lines += [
            f"{legend_before}<ins>**{escape_md(labels.legend_marked)}**</ins>{legend_after}",
            "",
        ]
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
            previous_kind = None
            for block in row.blocks:
                text = _segments(block)
                if block.kind == "li":
                    lines.append(f"- {text}")
                else:
                    if previous_kind == "li":
                        lines.append("")
                    lines += [text, ""]
                previous_kind = block.kind
            if previous_kind == "li":
                lines.append("")
            if not row.blocks:
                lines += [escape_md(labels.empty_status), ""]
            for note in row.notes:
                lines += [f"*{escape_md(note)}*", ""]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def render_markdown(document: ReportDocument) -> bytes:
    return render_markdown_text(document).encode("utf-8")
