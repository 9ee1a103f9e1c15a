"""A small world for the answer form's tests: an area with two tracks, an owner
reached by e-mail with three initiatives (one of them shared with a Slack
owner as delegate), an approved earlier round with statuses, a collecting
round, and the owner's personal link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import ManualClock
from bot.runtime import Deps
from bot.settings import load_settings
from bot.web.links import issue_link
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Person,
    Role,
    RoleGrant,
    Track,
)
from storage.richtext import StatusText

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TITLES = ("Ansættelse af fagchef", "Ny mødestruktur <&> “citat”", "Kompetenceudvikling")
EARLIER = (
    "Fagchefen er **ansat** pr. 1. februar.",
    "Mødestrukturen er beskrevet.\n\n- første punkt\n- andet punkt",
    "Kurser er planlagt.",
)


@dataclass
class World:
    area: Area
    owner: Person  # reached by e-mail
    slacker: Person
    coordinator: Person
    first: Cycle
    cycle: Cycle
    entries: list[Entry]  # the owner's, in report order
    token: str


def build_world(session: Session, *, locale: str | None = "da") -> World:
    area = Area(name="Socialområdet", key="socialområdet")
    session.add(area)
    owner = Person(
        email="eva@example.org", display_name="Eva Epost", channel="email", locale=locale
    )
    slacker = Person(slack_user_id="USLACK", display_name="Sune Slack")
    coordinator = Person(slack_user_id="UCOORD", display_name="Karin Koordinator")
    session.add_all([owner, slacker, coordinator])
    session.flush()
    session.add(RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id))
    t1 = Track(area_id=area.id, name="Organisering", key="organisering", position=0)
    t2 = Track(area_id=area.id, name="Faglighed", key="faglighed", position=1)
    session.add_all([t1, t2])
    session.flush()
    specs = [
        (t1, TITLES[0], owner, None),
        (t1, TITLES[1], slacker, owner),
        (t2, TITLES[2], owner, None),
        (t2, "Fælles faglig metode", slacker, None),
    ]
    for position, (track, title, own, delegate) in enumerate(specs):
        session.add(
            Initiative(
                area_id=area.id,
                track_id=track.id,
                title=title,
                key=title.casefold(),
                position=position,
                owner_id=own.id,
                delegate_id=delegate.id if delegate else None,
            )
        )
    session.commit()
    first = _open(session, area, date(2025, 9, 1), NOW - timedelta(days=170))
    for entry, text in zip(_owned(session, first, owner), EARLIER, strict=True):
        entry.status = StatusText.from_markup(text)
        entry.phase = "in_progress"
        entry.source = EntrySource.ANSWER
    first.state = CycleState.APPROVED
    session.commit()
    cycle = _open(session, area, date(2026, 3, 1), NOW)
    token = issue_link(session, person_id=owner.id, cycle_id=cycle.id, now=NOW)
    session.commit()
    return World(
        area, owner, slacker, coordinator, first, cycle, _owned(session, cycle, owner), token
    )


def _open(session: Session, area: Area, as_of: date, now: datetime) -> Cycle:
    cycle = open_cycle(
        session,
        area_id=area.id,
        as_of=as_of,
        deadline=now + timedelta(days=7),
        remind=[],
        title=None,
        actor=Actor.cli(),
        now=now,
    )
    session.commit()
    return cycle


def _owned(session: Session, cycle: Cycle, person: Person) -> list[Entry]:
    from bot.delivery.surfaces import person_entries

    return person_entries(session, cycle.id, person.id)


def make_deps(session_factory: sessionmaker[Session], **settings: str) -> Deps:
    values = {"STATUSBOT_LOCALE": "en", "STATUSBOT_WORKING_HOURS": "off", **settings}
    return Deps(
        settings=load_settings(**values),
        session_factory=session_factory,
        clock=ManualClock(NOW + timedelta(hours=1)),
        client=WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
    )


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_VERSION = re.compile(r'name="(version-\d+)" value="(\d+)"')


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the answer page (CSRF and versions)."""
    found = _CSRF.search(html)
    assert found, "no CSRF field in the page"
    fields = {"csrf": found.group(1)}
    fields.update(dict(_VERSION.findall(html)))
    return fields
