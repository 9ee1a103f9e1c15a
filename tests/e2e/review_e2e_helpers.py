"""Set-up for the coordinators' end-to-end tests: one area with three
initiatives (two owners, one delegate), two coordinators, a coordinator of
another area, an admin and a registered stranger; helpers to find and click
the review buttons the bot posted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from bot.testing.signer import Response
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import submit_update
from storage.models import Area, Cycle, Entry, Initiative, Person, Role, RoleGrant, Track
from storage.richtext import StatusText

AREA = "Socialområdet"
CHANNEL = "CREPORTS01"
TITLES = ("Ny visitationsenhed", "Fælles faglig metode", "Rekruttering af socialrådgivere")
USERS = {
    "owner": "U1",
    "delegate": "UD",
    "coordinator": "UC",
    "other_coordinator": "UO",
    "admin": "UA",
    "stranger": "US",
}


@dataclass
class World:
    area_id: int
    other_area_id: int
    people: dict[str, int]  # slack id → person id


def seed(slack: SlackHarness, *, approvals: int = 1) -> World:
    names = {
        "U1": "Anna Owner",
        "U2": "Bo Owner",
        "UD": "Dorte Delegate",
        "UC": "Kim Coordinator",
        "UC2": "Karen Coordinator",
        "UO": "Ole Other",
        "UA": "Ada Admin",
        "US": "Sam Stranger",
    }
    people = {}
    for user, name in names.items():
        person = slack.user(user, name=name)
        assert person is not None
        people[user] = person.id
    with slack.session_factory() as session:
        area = Area(
            name=AREA,
            key=AREA.casefold(),
            report_channel=CHANNEL,
            approvals_required=approvals,
            default_reminders="",
        )
        other = Area(name="Børn og Familie", key="børn og familie")
        session.add_all([area, other])
        session.flush()
        track = Track(area_id=area.id, name="Organisering", key="organisering", position=0)
        session.add(track)
        session.flush()
        owners = [("U1", "UD"), ("U1", None), ("U2", None)]
        for position, (title, (owner, delegate)) in enumerate(zip(TITLES, owners, strict=True)):
            session.add(
                Initiative(
                    area_id=area.id,
                    track_id=track.id,
                    title=title,
                    key=title.casefold(),
                    position=position,
                    owner_id=people[owner],
                    delegate_id=people[delegate] if delegate else None,
                )
            )
        session.add_all(
            [
                RoleGrant(person_id=people["UC"], role=Role.COORDINATOR, area_id=area.id),
                RoleGrant(person_id=people["UC2"], role=Role.COORDINATOR, area_id=area.id),
                RoleGrant(person_id=people["UO"], role=Role.COORDINATOR, area_id=other.id),
                RoleGrant(person_id=people["UA"], role=Role.ADMIN, area_id=None),
            ]
        )
        session.commit()
        return World(area.id, other.id, people)


def open_now(slack: SlackHarness, world: World, *, days: int = 4, as_of: str = "2024-03-01") -> int:
    from datetime import date

    with slack.session_factory() as session:
        cycle = open_cycle(
            session,
            area_id=world.area_id,
            as_of=date.fromisoformat(as_of),
            deadline=slack.clock.now() + timedelta(days=days),
            remind=[],
            title=None,
            actor=Actor.cli(),
            now=slack.clock.now(),
        )
        session.commit()
        return cycle.id


def entries(slack: SlackHarness, cycle_id: int) -> list[Entry]:
    with slack.session_factory() as session:
        rows = session.scalars(
            select(Entry)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Entry.cycle_id == cycle_id)
            .order_by(Initiative.position)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def answer(slack: SlackHarness, cycle_id: int, index: int, user: str, text: str) -> None:
    with slack.session_factory() as session:
        person = session.scalar(select(Person).where(Person.slack_user_id == user))
        entry = entries(slack, cycle_id)[index]
        submit_update(
            session,
            entry_id=entry.id,
            actor=Actor.of(person),
            status=StatusText.from_markup(text),
            phase="in_progress",
            now=slack.clock.now(),
        )
        session.commit()


def answer_all(slack: SlackHarness, cycle_id: int, prefix: str = "Status") -> None:
    for index, user in enumerate(("U1", "U1", "U2")):
        answer(slack, cycle_id, index, user, f"{prefix} {index + 1}.")


def cycle_of(slack: SlackHarness, cycle_id: int) -> Cycle:
    with slack.session_factory() as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        session.expunge(cycle)
        return cycle


def dm(slack: SlackHarness, user: str) -> list[dict[str, Any]]:
    channel = slack.fake.dm_channel(user)
    found = [(ts, m) for (ch, ts), m in slack.fake.messages.items() if ch == channel]
    return [m for _ts, m in sorted(found, key=lambda item: item[0])]


def dumped(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def button(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            found = str(element.get("action_id") or "")
            if found == action_id or found.startswith(action_id + ":"):
                return element
    return None


def last_button(slack: SlackHarness, user: str, action_id: str) -> tuple[dict[str, Any], str]:
    """(message, value) of the newest ``action_id`` button in ``user``'s DM."""
    for message in reversed(dm(slack, user)):
        element = button(message, action_id)
        if element is not None:
            return message, element["value"]
    raise AssertionError(f"no {action_id} button in {user}'s DM")


def click(
    slack: SlackHarness,
    owner: str,
    action_id: str,
    *,
    as_user: str | None = None,
    value: str | None = None,
) -> Response:
    """Click the newest ``action_id`` button in ``owner``'s DM (as someone else, or
    with another value, to test refusals)."""
    message, real = last_button(slack, owner, action_id)
    return slack.action(
        action_id,
        user=as_user or owner,
        value=value if value is not None else real,
        message={"type": "message", "ts": message["ts"], "text": ""},
        channel_id=slack.fake.dm_channel(owner),
    )


def click_home(slack: SlackHarness, user: str, action_id: str, value: str) -> Response:
    return slack.action(action_id, user=user, value=value, view={"type": "home", "id": "VHOME"})


def files_named(slack: SlackHarness, suffix: str) -> list[dict[str, Any]]:
    return [f for f in slack.fake.files.values() if f["name"].endswith(suffix) and f["completed"]]


def ephemeral_texts(slack: SlackHarness, user: str) -> list[str]:
    return [dumped(e) for e in slack.ephemerals(user)]


def reply_text(response: Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text
    return dumped(body) if isinstance(body, dict) else response.text


def draft_ref(cycle_id: int, draft: int) -> str:
    return rb.Ref(cycle_id, draft).encode()


def text_values(text: str, phase: str | None = None, note: str | None = None) -> dict[str, Any]:
    """``state.values`` of the (managers') update modal with one filled box."""
    from bot.blocks import ids

    return {
        ids.STATUS_BLOCK.format(0): {
            ids.STATUS_ACTION: {"type": "plain_text_input", "value": text}
        },
        ids.PHASE_BLOCK: {
            ids.PHASE_BLOCK: {
                "type": "static_select",
                "selected_option": {"value": phase} if phase else None,
            }
        },
        ids.NOTE_BLOCK: {ids.NOTE_BLOCK: {"type": "plain_text_input", "value": note}},
    }


def select_values(block: str, values: list[str], *, multi: bool = True) -> dict[str, Any]:
    options = [{"value": v, "text": {"type": "plain_text", "text": v}} for v in values]
    if multi:
        state = {"type": "multi_static_select", "selected_options": options}
    else:
        state = {"type": "static_select", "selected_option": options[0] if options else None}
    return {block: {rb.VALUE: state}}


def input_value(block: str, value: str) -> dict[str, Any]:
    return {block: {rb.VALUE: {"type": "plain_text_input", "value": value}}}


def send_back_form(
    slack: SlackHarness, entry_ids: list[int], comment: str, *, user: str = "UC"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Press Send back… in ``user``'s newest draft: (the form, its filled values)."""
    click(slack, user, rb.SEND_BACK)
    view = slack.last_view()
    assert view is not None and view["callback_id"] == rb.SEND_BACK_VIEW
    values = {
        **select_values(rb.ENTRIES_BLOCK, [str(e) for e in entry_ids]),
        **input_value(rb.COMMENT_BLOCK, comment),
    }
    return view, values
