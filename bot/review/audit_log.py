"""Reading the audit log (for ``statusbot audit`` and the App Home history)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent

# Longest text one detail value shows (an intro or a comment can be pages long).
VALUE_WIDTH = 80
# Actions whose event names its areas in the detail (one import may touch several).
MULTI_AREA_ACTIONS = ("import",)


def audit_events(
    session: Session,
    *,
    cycle_id: int | None = None,
    area_id: int | None = None,
    area_name: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Events oldest first; with ``limit``, the newest ``limit`` of them.

    With ``area_id`` (and the area's ``area_name``), imports that touched the
    area are included too: their event names the areas instead of one id."""
    query = select(AuditEvent)
    if cycle_id is not None:
        query = query.where(AuditEvent.cycle_id == cycle_id)
    if area_id is not None:
        touched = and_(AuditEvent.area_id.is_(None), AuditEvent.action.in_(MULTI_AREA_ACTIONS))
        query = query.where(or_(AuditEvent.area_id == area_id, touched))
    if action is not None:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if limit is not None and area_id is None:
        query = query.limit(limit)
    events = list(session.scalars(query))
    if area_id is not None:
        events = [e for e in events if e.area_id == area_id or area_name in event_areas(e)]
        events = events[:limit]
    return list(reversed(events))


def event_areas(event: AuditEvent) -> list[str]:
    """The area names an event's detail lists (imports), else none."""
    areas = (event.detail or {}).get("areas")
    return [str(a) for a in areas] if isinstance(areas, list) else []


def describe(
    detail: dict[str, object], *, width: int = 400, label: Callable[[str], str] = str
) -> str:
    """The detail as ``key: value; key: value`` (changes as ``old → new``);
    ``label`` names a key (and a ``kind``, and yes/no) in the reader's language."""
    parts = []
    for key, value in detail.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict) and not _is_change(value):
            parts += [f"{label(k)}: {_value(v, label, k)}" for k, v in value.items()]
        else:
            parts.append(f"{label(key)}: {_value(value, label, key)}")
    text = "; ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_change(value: dict[object, object]) -> bool:
    return set(value) == {"from", "to"}


def _value(value: object, label: Callable[[str], str], key: object = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return label("yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(_value(v, label) for v in value)
    if isinstance(value, dict):
        if _is_change(value):
            return f"{_value(value['from'], label)} → {_value(value['to'], label)}"
        return ", ".join(f"{label(str(k))}: {_value(v, label, k)}" for k, v in value.items())
    if key == "kind":  # a code such as ``created``: named like the key of the same word
        return label(str(value))
    text = " ".join(str(value).split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"
