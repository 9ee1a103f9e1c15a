"""Granting and revoking the admin and coordinator roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, NotFound, PermissionDenied
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import area_not_found, fail
from bot.workflow.permissions import is_admin
from storage.models import Area, Person, Role, RoleGrant


def _check(session: Session, actor: Actor, role: str, area_id: int | None) -> Role:
    if not (actor.is_operator or is_admin(session, actor.person)):
        raise fail(PermissionDenied, "Only an administrator may grant or revoke roles.")
    try:
        parsed = Role(role.strip().lower())
    except ValueError:
        raise fail(
            InvalidInput,
            "“{value}” is not a role; use coordinator or admin.",
            field="role",
            value=role,
        ) from None
    if parsed is Role.COORDINATOR and area_id is None:
        raise fail(InvalidInput, "A coordinator role needs an area.", field="area")
    if parsed is Role.ADMIN and area_id is not None:
        raise fail(
            InvalidInput, "The admin role is for all areas; leave out the area.", field="area"
        )
    if area_id is not None and session.get(Area, area_id) is None:
        raise area_not_found(area_id)
    return parsed


def _existing(
    session: Session, person: Person, role: Role, area_id: int | None
) -> RoleGrant | None:
    area = RoleGrant.area_id.is_(None) if area_id is None else RoleGrant.area_id == area_id
    return session.scalar(
        select(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == role, area)
    )


def grant_role(
    session: Session,
    *,
    person: Person,
    role: str,
    area_id: int | None,
    actor: Actor,
    now: datetime,
) -> tuple[RoleGrant, bool]:
    """Grant ``role``; returns the grant and whether it is new (granting twice is harmless)."""
    parsed = _check(session, actor, role, area_id)
    grant = _existing(session, person, parsed, area_id)
    if grant is not None:
        return grant, False
    grant = RoleGrant(
        person_id=person.id,
        role=parsed,
        area_id=area_id,
        granted_by=actor.label[:200],
        granted_at=now,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        actor,
        "role.grant",
        area_id=area_id,
        now=now,
        person_id=person.id,
        person=person.label,
        role=parsed,
    )
    return grant, True


def revoke_role(
    session: Session,
    *,
    person: Person,
    role: str,
    area_id: int | None,
    actor: Actor,
    now: datetime,
) -> None:
    parsed = _check(session, actor, role, area_id)
    grant = _existing(session, person, parsed, area_id)
    if grant is None:
        raise fail(NotFound, "{person} does not have that role.", person=person.label)
    session.delete(grant)
    session.flush()
    audit.record(
        session,
        actor,
        "role.revoke",
        area_id=area_id,
        now=now,
        person_id=person.id,
        person=person.label,
        role=parsed,
    )


def list_grants(session: Session) -> list[RoleGrant]:
    return list(
        session.scalars(select(RoleGrant).order_by(RoleGrant.role, RoleGrant.area_id, RoleGrant.id))
    )
