"""Reading the audit log (for ``statusbot audit`` and the App Home history)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEvent


def audit_events(
    session: Session,
    *,
    cycle_id: int | None = None,
    area_id: int | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Events oldest first; with ``limit``, the newest ``limit`` of them."""
    query = select(AuditEvent)
    if cycle_id is not None:
        query = query.where(AuditEvent.cycle_id == cycle_id)
    if area_id is not None:
        query = query.where(AuditEvent.area_id == area_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(reversed(list(session.scalars(query))))


def describe(detail: dict[str, object], *, width: int = 200) -> str:
    """A compact one-line rendering of an event's detail."""
    parts = []
    for key, value in detail.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key}={value}")
    text = "; ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"
