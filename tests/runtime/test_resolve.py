"""E-mail → Slack id resolution, and reporting addresses Slack does not know."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery.registry import PermanentFailure
from bot.resolve import resolve_pending, slack_id_of
from bot.scheduler import Scheduler
from bot.testing.harness import SlackHarness
from storage.models import Area, Initiative, Person, Role, RoleGrant, Track


def owner_by_email(slack: SlackHarness, email: str, *, area_name: str = "Kultur") -> int:
    """A person known only by e-mail who owns an initiative in a new area
    coordinated by UC1; returns the person's id."""
    coordinator = slack.user("UC1", name="Cora Coordinator", email="cora@kommune.dk")
    assert coordinator is not None
    with slack.session_factory() as session:
        area = Area(name=area_name, key=area_name.casefold())
        session.add(area)
        session.flush()
        track = Track(area_id=area.id, name="Digitalisering", key="digitalisering")
        person = Person(team_id="", email=email)
        session.add_all([track, person])
        session.flush()
        session.add(
            Initiative(
                area_id=area.id,
                track_id=track.id,
                title="Nyt bookingsystem",
                key="nyt bookingsystem",
                owner_id=person.id,
            )
        )
        session.add(RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id))
        session.commit()
        return person.id


def person(slack: SlackHarness, person_id: int) -> Person:
    with slack.session_factory() as session:
        found = session.get(Person, person_id)
        assert found is not None
        return found


def test_known_address_gets_id_name_zone_and_locale(slack: SlackHarness) -> None:
    slack.fake.add_user(
        id="U0ANNA",
        email="Anna@Kommune.dk",
        name="anna",
        display_name="Anna A.",
        tz="America/Nuuk",
        locale="da-DK",
    )
    person_id = owner_by_email(slack, "anna@kommune.dk")
    result = slack.tick()
    assert result.resolved == 1
    anna = person(slack, person_id)
    assert anna.slack_user_id == "U0ANNA"
    assert anna.display_name == "Anna A."
    assert anna.tz == "America/Nuuk"
    assert anna.locale == "da-DK"
    assert anna.lookup_error is None
    slack.tick()
    assert len(slack.calls("users.lookupByEmail")) == 1  # not looked up again


def test_unknown_address_is_reported_to_the_coordinators_once(slack: SlackHarness) -> None:
    person_id = owner_by_email(slack, "ghost@kommune.dk")
    slack.drain()
    ghost = person(slack, person_id)
    assert ghost.slack_user_id is None
    assert ghost.lookup_error == "users_not_found"
    assert ghost.lookup_reported_at == slack.clock.now()
    [notice] = slack.posted("UC1")
    assert "ghost@kommune.dk" in notice.params["text"]
    assert "Kultur" in notice.params["text"]

    slack.advance(timedelta(minutes=5))
    slack.drain()
    # A restarted process looks the failed address up again, but says nothing twice.
    Scheduler(slack.deps, worker_id="restarted").tick()
    slack.drain()
    assert len(slack.calls("users.lookupByEmail", ok=False)) == 2
    assert len(slack.posted("UC1")) == 1


def test_a_colleague_who_joins_later_is_found_after_restart(slack: SlackHarness) -> None:
    person_id = owner_by_email(slack, "late@kommune.dk")
    slack.drain()
    assert person(slack, person_id).lookup_error == "users_not_found"
    slack.fake.add_user(id="U0LATE", email="late@kommune.dk", name="late")
    Scheduler(slack.deps, worker_id="restarted").tick()
    late = person(slack, person_id)
    assert late.slack_user_id == "U0LATE"
    assert late.lookup_error is None


def test_rate_limited_lookup_is_deferred_not_recorded(slack: SlackHarness) -> None:
    person_id = owner_by_email(slack, "anna@kommune.dk")
    slack.fake.add_user(id="U0ANNA", email="anna@kommune.dk")
    slack.fake.fail("users.lookupByEmail", status=429, retry_after=20)
    result = resolve_pending(slack.deps.client, slack.session_factory, now=slack.clock.now())
    assert result.deferred == "ratelimited"
    assert person(slack, person_id).lookup_error is None
    assert slack.tick().resolved == 1
    assert person(slack, person_id).slack_user_id == "U0ANNA"


def test_same_user_imported_twice_is_reported_not_merged(slack: SlackHarness) -> None:
    slack.user("U0ANNA", email=None, name="Anna")
    slack.fake.add_user(id="U0ANNA", email="anna@kommune.dk", name="anna")
    person_id = owner_by_email(slack, "anna@kommune.dk")
    slack.drain()
    twin = person(slack, person_id)
    assert twin.slack_user_id is None
    assert twin.lookup_error == "already_linked"
    [notice] = slack.posted("UC1")
    assert "already listed" in notice.params["text"]


def test_slack_id_of_for_job_handlers(slack: SlackHarness) -> None:
    slack.fake.add_user(id="U0ANNA", email="anna@kommune.dk")
    anna_id = owner_by_email(slack, "anna@kommune.dk")
    ghost_id = owner_by_email(slack, "ghost@kommune.dk", area_name="Miljø")
    with slack.session_factory() as session:
        anna = session.get(Person, anna_id)
        ghost = session.get(Person, ghost_id)
        assert anna is not None and ghost is not None
        now = slack.clock.now()
        assert slack_id_of(slack.deps.client, session, anna, now=now) == "U0ANNA"
        with pytest.raises(PermanentFailure) as failure:
            slack_id_of(slack.deps.client, session, ghost, now=now)
        assert failure.value.reason == "users_not_found"
        assert failure.value.person_id == ghost_id
    assert person(slack, ghost_id).lookup_error == "users_not_found"
