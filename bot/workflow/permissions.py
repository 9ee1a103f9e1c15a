"""Who may do what. Admins count as coordinators of every area of their own
workspace; nothing grants anything in another workspace (``team_id``)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.models import Area, Entry, Initiative, Person, Role, RoleGrant


def is_admin(session: Session, person: Person | None) -> bool:
    if person is None or person.id is None:
        return False
    query = select(exists().where(RoleGrant.person_id == person.id, RoleGrant.role == Role.ADMIN))
    return bool(session.scalar(query))


def is_coordinator(session: Session, person: Person | None, area_id: int) -> bool:
    if person is None or person.id is None:
        return False
    area_team = session.scalar(select(Area.team_id).where(Area.id == area_id))
    if area_team is None or area_team != person.team_id:
        return False
    if is_admin(session, person):
        return True
    query = select(
        exists().where(
            RoleGrant.person_id == person.id,
            RoleGrant.role == Role.COORDINATOR,
            RoleGrant.area_id == area_id,
        )
    )
    return bool(session.scalar(query))


def coordinated_area_ids(session: Session, person: Person | None) -> list[int]:
    """Areas the person coordinates (every area for an admin), sorted."""
    if person is None or person.id is None:
        return []
    if is_admin(session, person):
        return list(
            session.scalars(select(Area.id).where(Area.team_id == person.team_id).order_by(Area.id))
        )
    query = (
        select(RoleGrant.area_id)
        .join(Area, Area.id == RoleGrant.area_id)
        .where(
            RoleGrant.person_id == person.id,
            RoleGrant.role == Role.COORDINATOR,
            Area.team_id == person.team_id,
        )
        .distinct()
    )
    return sorted(a for a in session.scalars(query) if a is not None)


def is_owner_or_delegate(person: Person | None, initiative: Initiative) -> bool:
    if person is None or person.id is None:
        return False
    return person.id in (initiative.owner_id, initiative.delegate_id)


def can_answer(session: Session, person: Person | None, entry: Entry) -> bool:
    """Owner, delegate, coordinator of the entry's area, or admin."""
    if person is None:
        return False
    initiative = entry.initiative
    return is_owner_or_delegate(person, initiative) or is_coordinator(
        session, person, initiative.area_id
    )


def may_see_history(session: Session, person: Person | None, initiative: Initiative) -> bool:
    """An initiative's history: its owner (and delegate), its area's coordinators, admins."""
    return is_owner_or_delegate(person, initiative) or is_coordinator(
        session, person, initiative.area_id
    )
