"""HTML rendering: one self-contained page (inline CSS), printable on A4 landscape."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from reports.model import MarkedBlock, ReportDocument, Segment, list_groups
from storage.richtext import safe_url

TEMPLATES = Path(__file__).parent / "templates"


def _runs_html(segments: Iterable[Segment], marks: bool = True) -> str:
    out: list[str] = []
    for link, linked in groupby(segments, key=lambda s: s.link and safe_url(s.link)):
        inner = ""
        for (changed, deleted), group in groupby(
            linked, key=lambda s: (s.changed and marks, s.deleted)
        ):
            text = "".join(_segment_html(s) for s in group)
            if changed:
                text = f'<ins class="chg">{text}</ins>'
            elif deleted:  # drafts only
                text = f'<del class="gone">{text}</del>'
            inner += text
        out.append(f'<a href="{escape(link)}">{inner}</a>' if link else inner)
    return "".join(out)


def _segment_html(segment: Segment) -> str:
    text = str(escape(segment.text)).replace("\n", "<br>")
    if segment.bold:
        text = f"<strong>{text}</strong>"
    if segment.italic:
        text = f"<em>{text}</em>"
    return text


def runs_html(segments: Iterable[Segment], marks: bool = True) -> Markup:
    """Runs of one paragraph as HTML (``marks``: changes as ``<ins>``), escaped."""
    return Markup(_runs_html(segments, marks))


def status_html(blocks: Iterable[MarkedBlock]) -> Markup:
    """A status cell's blocks as HTML; every text and link is escaped here."""
    out: list[str] = []
    for kind, items in list_groups(blocks):
        if kind == "p":
            out.append(f"<p>{_runs_html(items[0].segments)}</p>")
            continue
        lis = "".join(f"<li>{_runs_html(b.segments)}</li>" for b in items)
        if kind == "ul":
            out.append(f"<ul>{lis}</ul>")
        else:
            first = items[0]
            start = f' start="{first.number}"' if first.number not in (None, 1) else ""
            style = ' class="paren"' if first.delim == ")" else ""
            out.append(f"<ol{start}{style}>{lis}</ol>")
    return Markup("".join(out))


_CSS_UNSAFE = re.compile(r"[^\w .,:;!?()\-–/]", re.UNICODE)


def css_string(value: str) -> Markup:
    """Text for inside a double-quoted CSS string in a <style> element."""
    return Markup(_CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", value))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    env.filters["status_html"] = status_html
    env.filters["runs_html"] = runs_html
    env.filters["css_string"] = css_string
    return env


@lru_cache(maxsize=1)
def stylesheet() -> Markup:
    # Our own file, no user data: safe to insert as it is.
    return Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))


def render_html_text(document: ReportDocument, history: Markup | None = None) -> str:
    """``history``: an appendix (reports.history) the titles then link to."""
    template = environment().get_template("report.html.j2")
    extra = Markup((TEMPLATES / "history.css").read_text(encoding="utf-8")) if history else None
    return template.render(doc=document, css=stylesheet(), history=history, history_css=extra)


def render_html(document: ReportDocument, history: Markup | None = None) -> bytes:
    return render_html_text(document, history).encode("utf-8")
