"""What to tell an owner, decided once for every surface.

An :class:`OwnerMessage` is surface-free: which items a prompt, a reminder or
a receipt is about, for whom, in which language and time zone. Slack renders
it as Block Kit (:mod:`bot.blocks.prompt`, :func:`bot.blocks.messages.reminder_messages`),
e-mail as text and HTML (:mod:`bot.mail.render`), the web form's receipt page
from the same data. A third surface renders the same message in its own room.

* ``prompt``: every item the person owns or is delegated in the cycle;
* ``reminder``: only the unanswered ones (nothing to say when empty);
* ``receipt``: only the answered ones (what was stored).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.blocks.model import CycleHeader, ItemView, PromptView, Viewer
from bot.delivery.surfaces import load_prompts, viewer_for
from bot.settings import Settings
from storage.models import Cycle, Person


class MessageKind(StrEnum):
    PROMPT = "prompt"
    REMINDER = "reminder"
    RECEIPT = "receipt"


@dataclass(frozen=True)
class OwnerMessage:
    kind: MessageKind
    view: PromptView  # the cycle, the recipient's name and the items this message is about
    viewer: Viewer  # the recipient's language and time zone
    person_id: int

    @property
    def cycle(self) -> CycleHeader:
        return self.view.cycle

    @property
    def items(self) -> list[ItemView]:
        return self.view.items

    @property
    def empty(self) -> bool:
        return not self.view.items


def select_items(kind: MessageKind, items: list[ItemView]) -> list[ItemView]:
    if kind is MessageKind.REMINDER:
        return [i for i in items if not i.answered]
    if kind is MessageKind.RECEIPT:
        return [i for i in items if i.answered]
    return list(items)


def owner_message(
    session: Session,
    settings: Settings,
    cycle: Cycle,
    person: Person,
    kind: MessageKind,
    now: datetime,
) -> OwnerMessage:
    """The message of ``kind`` for ``person`` about ``cycle``, as of ``now``."""
    return owner_messages(session, settings, cycle, [person], kind, now)[person.id]


def owner_messages(
    session: Session,
    settings: Settings,
    cycle: Cycle,
    people: list[Person],
    kind: MessageKind,
    now: datetime,
) -> dict[int, OwnerMessage]:
    """person id → their message of ``kind`` about ``cycle`` (many people with
    the queries of one: a fan-out's batch)."""
    views = load_prompts(session, cycle, people, now)
    return {
        person.id: OwnerMessage(
            kind=kind,
            view=replace(views[person.id], items=select_items(kind, views[person.id].items)),
            viewer=viewer_for(person, settings)[0],
            person_id=person.id,
        )
        for person in people
    }
