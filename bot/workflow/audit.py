"""The audit log of operator actions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from bot.workflow.actor import Actor
from storage.models import AuditEvent
from storage.types import utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    area_id: int | None = None,
    cycle_id: int | None = None,
    now: datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event (flushed, not committed). ``detail`` must be JSON-able
    after simple conversions (dates → ISO, timedeltas → seconds, enums → value)."""
    event = AuditEvent(
        team_id=actor.person.team_id if actor.person is not None else "",
        created_at=now or utcnow(),
        actor_id=actor.person_id,
        actor_label=actor.label[:200],
        action=action,
        area_id=area_id,
        cycle_id=cycle_id,
        detail=_jsonable(detail),
    )
    session.add(event)
    session.flush()
    return event


def apply_changes(target: Any, new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set ``new``'s attributes on ``target``; returns what changed as
    ``{name: {"from": old, "to": new}}`` (the audit detail of a settings change)."""
    changes = {
        name: {"from": getattr(target, name), "to": value}
        for name, value in new.items()
        if getattr(target, name) != value
    }
    for name, value in new.items():
        setattr(target, name, value)
    return changes
