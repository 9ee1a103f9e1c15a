"""The posted answer form, read into one :class:`ItemInput` per initiative.

Field names carry the entry id (``status-12``, ``phase-12``, ``note-12``,
``choice-12``, ``version-12``); Werkzeug has parsed the body already, so this
only picks the person's own entries out of it (anything else is ignored) and
checks each answer the way the Slack modal does, with the workflow's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.errors import WorkflowError
from bot.web.texts import Texts
from bot.workflow.entries import clean_answer_fields
from bot.workflow.messages import message_in
from storage.richtext import MAX_BLOCK_CHARS, MAX_BLOCKS, StatusText

UPDATE = "update"  # store the text in the box
SAME = "same"  # "No change": carry last time's status forward
LATER = "later"  # leave this initiative for now
CHOICES = (UPDATE, SAME, LATER)

ACTION_PREVIEW = "preview"
ACTION_SUBMIT = "submit"


def name(kind: str, entry_id: int) -> str:
    """A field's name in the form (``status-12``)."""
    return f"{kind}-{entry_id}"


@dataclass
class ItemInput:
    entry_id: int
    choice: str
    markup: str
    phase: str | None
    note: str
    version: int | None  # the entry's version when the page was rendered
    errors: dict[str, str] = field(default_factory=dict)  # field → message
    status: StatusText | None = None  # the parsed text (UPDATE, when valid)


def _number(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 10 else None


def count(value: str | None) -> int:
    """A count from the query string (the receipt's); 0 for anything else."""
    return _number(value) or 0


_FIELD = re.compile(r"^(?:choice|status)-(\d{1,12})$", re.ASCII)


def posted_ids(form: Mapping[str, str]) -> list[int]:
    """The entries the form answers, in the order of their fields. They come
    from the client, like a Slack button's value: the workflow checks that the
    person may answer each (:func:`bot.delivery.callers.entry_from_value`)."""
    found = (_FIELD.match(key) for key in form)
    return list(dict.fromkeys(int(m.group(1)) for m in found if m))


def read_items(form: Mapping[str, str], entry_ids: Iterable[int] | None = None) -> list[ItemInput]:
    """The answers as typed (line breaks normalised to ``\\n``), for
    ``entry_ids`` or every entry the form has fields for. An entry without a
    choice is answered when its status box was sent, else left for later."""
    items = []
    for entry_id in posted_ids(form) if entry_ids is None else entry_ids:
        sent = name("status", entry_id) in form
        choice = form.get(name("choice", entry_id), UPDATE if sent else LATER)
        items.append(
            ItemInput(
                entry_id=entry_id,
                choice=choice if choice in CHOICES else UPDATE,
                markup=form.get(name("status", entry_id), "").replace("\r\n", "\n"),
                phase=form.get(name("phase", entry_id)) or None,
                note=form.get(name("note", entry_id), "").replace("\r\n", "\n"),
                version=_number(form.get(name("version", entry_id))),
            )
        )
    return items


def check(item: ItemInput, t: Texts) -> bool:
    """Fill ``item.errors`` (and ``item.status``); True when it may be stored.
    The phase and note go through the workflow's own check; "No change" is
    checked when it is stored (is there an earlier status to keep?)."""
    item.errors.clear()
    if item.choice in (LATER, SAME):
        return True
    try:
        clean_answer_fields(item.phase, item.note)
    except WorkflowError as exc:
        item.errors[exc.field or "status"] = message_in(exc, t.locale)
    try:
        item.status = StatusText.from_markup(item.markup)
    except ValidationError:
        item.errors["status"] = t(
            "The text is too long for one status (at most {blocks} paragraphs of"
            " {chars} characters each).",
            blocks=MAX_BLOCKS,
            chars=MAX_BLOCK_CHARS,
        )
    else:
        if not item.status:
            item.errors["status"] = t(
                "Write the status here, or choose “No change” or “Answer later”."
            )
    return not item.errors
