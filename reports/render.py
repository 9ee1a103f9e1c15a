"""One entry point for every output format."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from reports.docx_render import render_docx
from reports.gcpause import no_cyclic_gc
from reports.html import render_html
from reports.markdown import render_markdown
from reports.model import ReportDocument
from reports.pdf import render_pdf
from reports.pptx_render import DeckOptions, render_pptx

FORMATS: dict[str, Callable[[ReportDocument], bytes]] = {
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
    "md": render_markdown,
    "pptx": render_pptx,
}
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
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    with no_cyclic_gc():
        if fmt == "pptx":
            return render_pptx(document, deck)
        return renderer(document)


def _slug(text: str) -> str:
    folded = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "report"


def default_filename(document: ReportDocument, fmt: str) -> str:
    """``status-socialomraadet-2024-04-01.docx``."""
    return f"status-{_slug(document.area_name)}-{document.as_of.isoformat()}.{fmt}"
