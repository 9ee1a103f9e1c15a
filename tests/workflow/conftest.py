"""Small fixtures for workflow tests: one area with two tracks and four
initiatives, their owners, a delegate, a coordinator, an admin and a stranger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import Area, Cycle, Initiative, Person, Role, RoleGrant, Track

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    area: Area
    other_area: Area
    initiatives: list[Initiative]
    owner_a: Person
    owner_b: Person
    delegate: Person
    coordinator: Person
    other_coordinator: Person
    admin: Person
    stranger: Person


def person(session: Session, slack_id: str, name: str) -> Person:
    p = Person(slack_user_id=slack_id, display_name=name)
    session.add(p)
    return p


@pytest.fixture
def world(session: Session) -> World:
    area = Area(name="Socialområdet", key="socialområdet")
    other = Area(name="Børn og familie", key="børn og familie")
    session.add_all([area, other])
    owner_a = person(session, "UOWNERA", "Anne Ejer")
    owner_b = person(session, "UOWNERB", "Bo Ejer")
    delegate = person(session, "UDELEG", "Dorte Delegeret")
    coordinator = person(session, "UCOORD", "Karin Koordinator")
    other_coord = person(session, "UOTHER", "Ole Anden")
    admin = person(session, "UADMIN", "Ada Admin")
    stranger = person(session, "USTRANGE", "Søren Fremmed")
    session.flush()
    session.add_all(
        [
            RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id),
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
        (t2, "Fælles faglig metode", None, None),
    ]
    initiatives = []
    for position, (track, title, owner, deleg) in enumerate(specs):
        initiative = Initiative(
            area_id=area.id,
            track_id=track.id,
            title=title,
            key=title.casefold(),
            position=position,
            owner_id=owner.id if owner else None,
            delegate_id=deleg.id if deleg else None,
        )
        initiatives.append(initiative)
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
        other_coord,
        admin,
        stranger,
    )


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def open_default(session: Session, world: World):  # type: ignore[no-untyped-def]
    """Open a cycle in ``world.area`` as the CLI operator; keyword overrides."""

    def opener(**kwargs) -> Cycle:  # type: ignore[no-untyped-def]
        return _open(session, world, **kwargs)

    return opener


def _open(session: Session, world: World, **kwargs) -> Cycle:  # type: ignore[no-untyped-def]
    args = {
        "area_id": world.area.id,
        "as_of": date(2026, 3, 1),
        "deadline": NOW + timedelta(days=7),
        "remind": [timedelta(days=3), timedelta(days=1)],
        "title": None,
        "actor": Actor.cli(),
        "now": NOW,
    }
    args.update(kwargs)
    return open_cycle(session, **args)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests match English message texts unless they choose a locale."""
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")
