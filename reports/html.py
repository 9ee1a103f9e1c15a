"""HTML rendering: one self-contained page (inline CSS), printable on A4 landscape."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports.model import MarkedBlock, ReportDocument

TEMPLATES = Path(__file__).parent / "templates"


def grouped(blocks: Iterable[MarkedBlock]) -> list[tuple[str, list[MarkedBlock]]]:
    """Paragraphs alone, consecutive bullet items together: ``("p"|"ul", blocks)``."""
    out: list[tuple[str, list[MarkedBlock]]] = []
    for block in blocks:
        if block.kind == "li":
            if out and out[-1][0] == "ul":
                out[-1][1].append(block)
            else:
                out.append(("ul", [block]))
        else:
            out.append(("p", [block]))
    return out


def plan_lines(plan: str) -> list[str]:
    return [" ".join(line.split()) for line in plan.splitlines() if line.strip()]


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
    env.filters["grouped"] = grouped
    env.filters["plan_lines"] = plan_lines
    env.filters["css_string"] = css_string
    return env


@lru_cache(maxsize=1)
def stylesheet() -> Markup:
    # Our own file, no user data: safe to insert as it is.
    return Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))


def render_html_text(document: ReportDocument) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(doc=document, css=stylesheet())


def render_html(document: ReportDocument) -> bytes:
    return render_html_text(document).encode("utf-8")
