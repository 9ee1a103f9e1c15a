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

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.blocks.model import CycleHeader, ItemView, PromptView, Viewer
from bot.delivery.surfaces import load_prompt, viewer_for
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
    full = load_prompt(session, cycle, person, now)
    view = PromptView(
        cycle=full.cycle,
        recipient=full.recipient,
        items=select_items(kind, full.items),
        committee=full.committee,
    )
    viewer, _ = viewer_for(person, settings)
    return OwnerMessage(kind=kind, view=view, viewer=viewer, person_id=person.id)
