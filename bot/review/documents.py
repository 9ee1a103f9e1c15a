"""Rendering a cycle's report and keeping the bytes (drafts and approved snapshots)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.model import ReportDocument
from reports.pdf import pdf_available
from reports.render import render
from storage.models import Cycle, Document, DocumentKind

DRAFT_FORMATS = ("docx", "html")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "pdf": "application/pdf",
    "md": "text/markdown",
}
_ORDER = {"docx": 0, "pdf": 1, "html": 2, "md": 3}


def approved_formats() -> tuple[str, ...]:
    """DOCX and HTML, plus PDF when the ``[pdf]`` extra works here."""
    return ("docx", "html", "pdf") if pdf_available() else ("docx", "html")


def render_bytes(document: ReportDocument, fmt: str) -> bytes:
    return render(document, fmt)


def file_stem(area_name: str, cycle: Cycle) -> str:
    text = area_name.lower()
    for src, dst in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "report"
    return f"status-{slug}-{cycle.as_of.isoformat()}"


def store(
    session: Session,
    cycle: Cycle,
    document: ReportDocument,
    *,
    kind: DocumentKind,
    formats: Iterable[str],
    suffix: str,
    created_by_id: int | None,
    now: datetime,
) -> list[Document]:
    rows: list[Document] = []
    stem = file_stem(document.area_name, cycle)
    for fmt in formats:
        content = render_bytes(document, fmt)
        row = Document(
            cycle_id=cycle.id,
            kind=kind.value,
            format=fmt,
            filename=f"{stem}-{suffix}.{fmt}",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            draft_number=cycle.draft_number,
            created_by_id=created_by_id,
            created_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def approved_documents(session: Session, cycle_id: int) -> list[Document]:
    """The approved snapshot of the cycle's latest approval (newest round), by format."""
    rows = list(
        session.scalars(
            select(Document)
            .where(Document.cycle_id == cycle_id, Document.kind == DocumentKind.APPROVED)
            .order_by(Document.id.desc())
        )
    )
    latest: dict[str, Document] = {}
    for row in rows:
        latest.setdefault(row.format, row)
    return sorted(latest.values(), key=lambda d: _ORDER.get(d.format, 9))


def draft_documents(session: Session, cycle_id: int, draft_number: int) -> list[Document]:
    rows = session.scalars(
        select(Document)
        .where(
            Document.cycle_id == cycle_id,
            Document.kind == DocumentKind.DRAFT,
            Document.draft_number == draft_number,
        )
        .order_by(Document.id)
    )
    return sorted(rows, key=lambda d: _ORDER.get(d.format, 9))


def verify(document: Document) -> bool:
    """The stored bytes still match the hash recorded when they were made."""
    return hashlib.sha256(document.content).hexdigest() == document.sha256
