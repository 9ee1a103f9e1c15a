"""Personal links (bot.web.links): random, stored as a hash, bound to a person
and a cycle, valid until approval, revoked when the person is no longer asked."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.importing import import_file
from bot.registry.changes import retire
from bot.settings import Settings
from bot.web.links import (
    is_expired,
    issue_link,
    link_url,
    resolve_link,
    revoke_links,
    token_hash,
)
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import AccessLink, Area, Cycle, CycleState, Initiative, Person

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEAD = "nr;område;udviklingsspor;tiltag;ansvarlig\n"
FILE = (
    HEAD + "SOC-1;Soc;Org;Ny chef;anne@kommune.dk\n"
    "SOC-2;Soc;Org;Møder;anne@kommune.dk\n"
    "SOC-3;Soc;Økonomi;Budget;bo@kommune.dk\n"
)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATUSBOT_LOCALE", "en")


def load(session, tmp_path, text):  # type: ignore[no-untyped-def]
    path = tmp_path / "registry.csv"
    path.write_text(text, encoding="utf-8")
    import_file(session, path, actor=Actor.cli(), now=NOW)
    session.commit()


@pytest.fixture
def cycle(session, tmp_path) -> Cycle:  # type: ignore[no-untyped-def]
    load(session, tmp_path, FILE)
    area = session.scalar(select(Area))
    made = open_cycle(
        session, area_id=area.id, as_of=date(2026, 3, 1), deadline=NOW + timedelta(days=7),
        remind=[], title=None, actor=Actor.cli(), now=NOW,
    )  # fmt: skip
    session.commit()
    return made


def person(session, email):  # type: ignore[no-untyped-def]
    return session.scalar(select(Person).where(Person.email == email))


def test_a_link_is_random_and_only_its_hash_is_stored(session, cycle):  # type: ignore[no-untyped-def]
    anne = person(session, "anne@kommune.dk")
    token = issue_link(session, person_id=anne.id, cycle_id=cycle.id, now=NOW)
    session.commit()
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    row = session.scalar(select(AccessLink))
    assert row.token_hash == token_hash(token) != token
    assert token not in repr(
        [(r.token_hash, r.revoke_reason) for r in session.scalars(select(AccessLink))]
    )
    link = resolve_link(session, token)
    assert link is not None and link.person_id == anne.id and link.cycle_id == cycle.id
    assert resolve_link(session, token) is not None  # reusable: opening changes nothing
    assert issue_link(session, person_id=anne.id, cycle_id=cycle.id) != token


def test_issuing_again_keeps_the_mailed_link_valid(session, cycle):  # type: ignore[no-untyped-def]
    anne = person(session, "anne@kommune.dk")
    first = issue_link(session, person_id=anne.id, cycle_id=cycle.id)
    second = issue_link(session, person_id=anne.id, cycle_id=cycle.id)
    session.commit()
    assert resolve_link(session, first) is not None
    assert resolve_link(session, second) is not None


@pytest.mark.parametrize(
    "token", ["", "nope", "x" * 43, "a/b" * 20, "ø" * 43, "A" * 5000, "' OR 1=1 --"]
)
def test_unknown_or_malformed_tokens_resolve_to_nothing(session, cycle, token):  # type: ignore[no-untyped-def]
    issue_link(session, person_id=person(session, "anne@kommune.dk").id, cycle_id=cycle.id)
    assert resolve_link(session, token) is None


def test_revoked_and_approved_links_do_not_resolve(session, cycle):  # type: ignore[no-untyped-def]
    anne, bo = person(session, "anne@kommune.dk"), person(session, "bo@kommune.dk")
    anne_token = issue_link(session, person_id=anne.id, cycle_id=cycle.id)
    bo_token = issue_link(session, person_id=bo.id, cycle_id=cycle.id)
    assert revoke_links(session, person_id=anne.id, cycle_id=cycle.id, reason="test") == 1
    session.commit()
    assert resolve_link(session, anne_token) is None
    assert resolve_link(session, anne_token, include_expired=True) is None
    assert resolve_link(session, bo_token) is not None
    cycle.state = CycleState.APPROVED
    session.commit()
    assert resolve_link(session, bo_token) is None
    late = resolve_link(session, bo_token, include_expired=True)
    assert late is not None and is_expired(late)


def test_an_owner_change_by_import_revokes_the_previous_owners_link(session, cycle, tmp_path):  # type: ignore[no-untyped-def]
    anne, bo = person(session, "anne@kommune.dk"), person(session, "bo@kommune.dk")
    anne_token = issue_link(session, person_id=anne.id, cycle_id=cycle.id)
    bo_token = issue_link(session, person_id=bo.id, cycle_id=cycle.id)
    session.commit()
    # Anne loses one of her two items: she is still asked about the other.
    load(session, tmp_path, FILE.replace("SOC-2;Soc;Org;Møder;anne", "SOC-2;Soc;Org;Møder;bo"))
    assert resolve_link(session, anne_token) is not None
    # ...and then the other: her link goes, Bo's stays.
    load(session, tmp_path, FILE.replace("anne@", "bo@"))
    assert resolve_link(session, anne_token) is None
    assert resolve_link(session, bo_token) is not None
    row = session.scalar(select(AccessLink).where(AccessLink.person_id == anne.id))
    assert row.revoked_at is not None and row.revoke_reason == "no longer asked"


def test_withdrawing_the_last_item_revokes_the_link(session, cycle):  # type: ignore[no-untyped-def]
    bo = person(session, "bo@kommune.dk")
    token = issue_link(session, person_id=bo.id, cycle_id=cycle.id)
    session.commit()
    budget = session.scalar(select(Initiative).where(Initiative.nr == "SOC-3"))
    retire(session, budget, actor=Actor.cli(), now=NOW)
    session.commit()
    assert resolve_link(session, token) is None


def test_link_url_is_under_the_public_url() -> None:
    settings = Settings(STATUSBOT_PUBLIC_URL="https://status.example.dk/bot/")  # type: ignore[call-arg]
    assert link_url(settings, "abc") == "https://status.example.dk/bot/answer/abc"
