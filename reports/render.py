"""One entry point for every output format."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from reports.gcpause import no_cyclic_gc
from reports.model import ReportDocument

if TYPE_CHECKING:
    from reports.pptx_render import DeckOptions

# Each renderer's module and function, imported when that format is made:
# python-docx, jinja2 and the rest cost every command's start otherwise.
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("reports.html", "render_html"),
    "docx": ("reports.docx_render", "render_docx"),
    "pdf": ("reports.pdf", "render_pdf"),
    "md": ("reports.markdown", "render_markdown"),
    "pptx": ("reports.pptx_render", "render_pptx"),
}


def renderer(fmt: str) -> Callable[[ReportDocument], bytes]:
    module, function = FORMATS[fmt]
    found: Callable[[ReportDocument], bytes] = getattr(importlib.import_module(module), function)
    return found


MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def render(document: ReportDocument, fmt: str, *, deck: DeckOptions | None = None) -> bytes:
    """The document as ``html``, ``docx``, ``pdf``, ``md`` or ``pptx`` (the
    meeting's slides; ``deck`` names the committee and the meeting) bytes.

    Raises :class:`ValueError` for an unknown format and
    :class:`reports.pdf.PdfUnavailable` when PDF support is not installed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    make = renderer(fmt)
    with no_cyclic_gc():
        if fmt == "pptx":
            return make(document, deck)  # type: ignore[call-arg]
        return make(document)


def _slug(text: str) -> str:
    folded = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "report"


def default_filename(document: ReportDocument, fmt: str) -> str:
    """``status-socialomraadet-2024-04-01.docx``."""
    return f"status-{_slug(document.area_name)}-{document.as_of.isoformat()}.{fmt}"
