"""Shared set-up for the managers' end-to-end tests: a small area with a
published previous cycle, three managers, a colleague and a coordinator, and
helpers to click the buttons the bot actually posted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.richtext import from_rich_text
from bot.testing.harness import SlackHarness
from bot.testing.signer import Response
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

AREA = "Børn og Unge"
PREVIOUS = {
    "Ny dagtilbudsstruktur": "Analysen er færdig.\n\n- Høring i maj\n- Beslutning i juni",
    "Læsebånd i 4. klasse": "Alle skoler er i gang.",
    "Sundhedsplejens <!channel> & hjemmebesøg": "Pilotprojekt kører i to distrikter.",
    "Digital forældreintra": "Udbud er sendt.",
}


@dataclass
class World:
    area_id: int
    anna: Person  # owns two initiatives (U1)
    bo: Person  # owns one (U2)
    carl: Person  # owns one (U3), delegates it
    dorte: Person  # colleague (U4), no initiatives of her own
    kim: Person  # coordinator (UC)
    initiatives: dict[str, int]  # title → id


def seed(slack: SlackHarness) -> World:
    anna = slack.user("U1", name="Anna Andersen", email="anna@kommune.dk")
    bo = slack.user("U2", name="Bo Berg", locale="da-DK")
    carl = slack.user("U3", name="Carl Cold")
    dorte = slack.user("U4", name="Dorte Dam")
    kim = slack.user("UC", name="Kim Koordinator")
    assert anna and bo and carl and dorte and kim
    with slack.session_factory() as session:
        area = Area(team_id="", name=AREA, key=AREA.casefold(), default_reminders="3d,1d")
        session.add(area)
        session.flush()
        spor1 = Track(area_id=area.id, name="Spor 1: Læring", key="spor 1", position=0)
        spor2 = Track(area_id=area.id, name="Spor 2: Sundhed", key="spor 2", position=1)
        session.add_all([spor1, spor2])
        session.flush()
        owners = [(spor1, anna), (spor1, bo), (spor2, carl), (spor2, anna)]
        initiatives = {}
        for position, ((track, owner), title) in enumerate(zip(owners, PREVIOUS, strict=True)):
            initiative = Initiative(
                area_id=area.id,
                track_id=track.id,
                title=title,
                key=title.casefold(),
                position=position,
                owner_id=owner.id,
            )
            session.add(initiative)
            session.flush()
            initiatives[title] = initiative.id
        baseline = Cycle(
            area_id=area.id,
            as_of=date(2023, 10, 1),
            deadline=datetime(2023, 10, 20, 10, tzinfo=UTC),
            state=CycleState.PUBLISHED,
            is_baseline=True,
        )
        session.add(baseline)
        session.flush()
        for title, text in PREVIOUS.items():
            session.add(
                Entry(
                    cycle_id=baseline.id,
                    initiative_id=initiatives[title],
                    status=StatusText.from_markup(text),
                    phase="in_progress",
                    source=EntrySource.IMPORT,
                )
            )
        session.add(RoleGrant(person_id=kim.id, role=Role.COORDINATOR, area_id=area.id))
        session.commit()
        return World(area.id, anna, bo, carl, dorte, kim, initiatives)


def entry_of(session_factory: sessionmaker[Session], initiative_id: int) -> Entry:
    """The initiative's entry in the collecting cycle."""
    with session_factory() as session:
        from sqlalchemy import select

        entry = session.scalar(
            select(Entry)
            .join(Cycle, Cycle.id == Entry.cycle_id)
            .where(Entry.initiative_id == initiative_id, Cycle.is_baseline.is_(False))
            .order_by(Cycle.id.desc())
        )
        assert entry is not None
        session.expunge(entry)
        return entry


def dm_messages(slack: SlackHarness, user: str) -> list[tuple[str, dict[str, Any]]]:
    """The bot's messages in the user's DM as they are now (after updates)."""
    channel = slack.fake.dm_channel(user)
    return sorted(
        ((ts, m) for (ch, ts), m in slack.fake.messages.items() if ch == channel),
        key=lambda item: item[0],
    )


def find_button(slack: SlackHarness, user: str, kind: str, entry_id: int) -> tuple[str, str]:
    """(ts of the message, value) of the ``kind`` button for ``entry_id``."""
    wanted = ids.action_id(kind, entry_id)
    for ts, message in reversed(dm_messages(slack, user)):
        for block in message.get("blocks", []):
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                if element.get("action_id") == wanted:
                    return ts, element["value"]
    raise AssertionError(f"no {wanted} button in {user}'s messages")


def click(
    slack: SlackHarness,
    user: str,
    kind: str,
    entry_id: int,
    *,
    value: str | None = None,
    as_user: str | None = None,
) -> Response:
    """Click a button the bot posted to ``user`` (optionally as someone else,
    or with a forged ``value``)."""
    ts, real_value = find_button(slack, user, kind, entry_id)
    clicker = as_user or user
    return slack.action(
        ids.action_id(kind, entry_id),
        user=clicker,
        value=value if value is not None else real_value,
        message={"type": "message", "ts": ts, "text": ""},
        channel_id=slack.fake.dm_channel(user),
    )


def text_values(parts: list[str], phase: str | None = None, note: str | None = None) -> dict:
    values: dict[str, Any] = {
        ids.STATUS_BLOCK.format(i): {ids.STATUS_ACTION: {"type": "plain_text_input", "value": p}}
        for i, p in enumerate(parts)
    }
    values[ids.PHASE_BLOCK] = {
        ids.PHASE_BLOCK: {
            "type": "static_select",
            "selected_option": {"value": phase} if phase else None,
        }
    }
    values[ids.NOTE_BLOCK] = {ids.NOTE_BLOCK: {"type": "plain_text_input", "value": note}}
    return values


def initial_parts(view: dict[str, Any]) -> list[str]:
    """The prefilled text: the rich text box's as typed text, or the plain boxes'."""
    for block in view["blocks"]:
        if block.get("block_id") in (ids.RICH_BLOCK, ids.RICH_BLOCK_PAREN):
            initial = block["element"].get("initial_value")
            return [from_rich_text(initial).to_markup() if initial else ""]
    return [
        b["element"].get("initial_value") or ""
        for b in view["blocks"]
        if b.get("block_id", "").startswith("status_")
    ]


def dumped(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def reply_text(response: Response) -> str:
    """The text of an acknowledgement (Bolt sends bare text, or JSON with blocks)."""
    try:
        body = response.json()
    except ValueError:
        return response.text
    return dumped(body) if isinstance(body, dict) else response.text
