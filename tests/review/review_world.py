"""A small area for review tests: two tracks, four initiatives, owners, a
delegate, two coordinators, a coordinator of another area, an admin, a stranger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import submit_update
from storage.models import Area, Cycle, Entry, Initiative, Person, Role, RoleGrant, Track
from storage.richtext import StatusText

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=7)


@dataclass
class World:
    area: Area
    other_area: Area
    initiatives: list[Initiative]
    owner_a: Person
    owner_b: Person
    delegate: Person
    coordinator: Person
    coordinator2: Person
    other_coordinator: Person
    admin: Person
    stranger: Person

    def role(self, name: str) -> Person:
        return {
            "owner": self.owner_a,
            "delegate": self.delegate,
            "coordinator": self.coordinator,
            "other_coordinator": self.other_coordinator,
            "admin": self.admin,
            "stranger": self.stranger,
        }[name]


def _person(session: Session, slack_id: str, name: str) -> Person:
    p = Person(slack_user_id=slack_id, display_name=name, locale="en")
    session.add(p)
    return p


def make_world(session: Session) -> World:
    area = Area(name="Socialområdet", key="socialområdet", report_channel="CREPORTS1")
    other = Area(name="Børn og familie", key="børn og familie")
    session.add_all([area, other])
    owner_a = _person(session, "UOWNERA", "Anne Owner")
    owner_b = _person(session, "UOWNERB", "Bo Owner")
    delegate = _person(session, "UDELEG", "Dorte Delegate")
    coordinator = _person(session, "UCOORD", "Karin Coordinator")
    coordinator2 = _person(session, "UCOORD2", "Kim Coordinator")
    other_coord = _person(session, "UOTHER", "Ole Other")
    admin = _person(session, "UADMIN", "Ada Admin")
    stranger = _person(session, "USTRANGE", "Søren Stranger")
    session.flush()
    session.add_all(
        [
            RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id),
            RoleGrant(person_id=coordinator2.id, role=Role.COORDINATOR, area_id=area.id),
            RoleGrant(person_id=other_coord.id, role=Role.COORDINATOR, area_id=other.id),
            RoleGrant(person_id=admin.id, role=Role.ADMIN, area_id=None),
        ]
    )
    t1 = Track(area_id=area.id, name="Organisering", key="organisering", position=0)
    t2 = Track(area_id=area.id, name="Faglighed", key="faglighed", position=1)
    session.add_all([t1, t2])
    session.flush()
    specs = [
        (t1, "Ansættelse af fagchef", owner_a, None),
        (t1, "Ny mødestruktur", owner_a, delegate),
        (t2, "Kompetenceudvikling", owner_b, None),
        (t2, "Fælles faglig metode", owner_b, None),
    ]
    initiatives = []
    for position, (track, title, owner, deleg) in enumerate(specs):
        initiatives.append(
            Initiative(
                area_id=area.id,
                track_id=track.id,
                title=title,
                key=title.casefold(),
                position=position,
                owner_id=owner.id,
                delegate_id=deleg.id if deleg else None,
            )
        )
    session.add_all(initiatives)
    session.commit()
    return World(
        area,
        other,
        initiatives,
        owner_a,
        owner_b,
        delegate,
        coordinator,
        coordinator2,
        other_coord,
        admin,
        stranger,
    )


def open_default(session: Session, world: World, **kwargs) -> Cycle:  # type: ignore[no-untyped-def]
    args = {
        "area_id": world.area.id,
        "as_of": date(2026, 3, 1),
        "deadline": DEADLINE,
        "remind": [],
        "title": None,
        "actor": Actor.cli(),
        "now": NOW,
    }
    args.update(kwargs)
    cycle = open_cycle(session, **args)
    session.commit()
    return cycle


def entries_of(session: Session, cycle: Cycle) -> list[Entry]:
    return sorted(cycle.entries, key=lambda e: e.initiative.position)


def answer(
    session: Session, entry: Entry, person: Person, text: str, *, at: datetime = NOW
) -> Entry:
    result = submit_update(
        session,
        entry_id=entry.id,
        actor=Actor.of(person),
        status=StatusText.from_markup(text),
        phase="in_progress",
        now=at,
    )
    session.commit()
    return result


def answer_all(session: Session, world: World, cycle: Cycle, prefix: str = "Status") -> None:
    people = [world.owner_a, world.owner_a, world.owner_b, world.owner_b]
    for entry, person in zip(entries_of(session, cycle), people, strict=True):
        answer(session, entry, person, f"{prefix} for {entry.initiative.title}.")
