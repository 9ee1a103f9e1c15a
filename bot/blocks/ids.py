"""Action ids, callback ids and button values shared by builders and listeners.

A button's ``action_id`` is ``<kind>:<entry id>`` so every button in a message
is unique; listeners match the kind with a regular expression. The ``value``
names the cycle and the entry (``c<cycle>:e<entry>``). Both come back from the
client and are *claims*: listeners re-check them against the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Buttons on prompts, reminders, App Home and `/status my`.
UPDATE = "entry.update"
CARRY = "entry.carry"
DELEGATE = "entry.delegate"
EDIT = "entry.edit"
# Free-text path: store the DM reply as the status of the chosen entry.
FREETEXT_STORE = "freetext.store"
FREETEXT_DISCARD = "freetext.discard"
# Update modal: one more text box.
MODAL_ADD_BOX = "modal.add_box"
# Coordinator digest.
REMIND_NOW = "cycle.remind_now"

UPDATE_VIEW = "entry_update_view"
DELEGATE_VIEW = "entry_delegate_view"
NOTICE_VIEW = "notice_view"

# Modal block ids.
STATUS_BLOCK = "status_{}"
STATUS_ACTION = "text"
# The one rich text box; numbered lists read back as "1)" in the second.
RICH_BLOCK = "richtext"
RICH_BLOCK_PAREN = "richtext_paren"
PHASE_BLOCK = "phase"
NOTE_BLOCK = "note"
DELEGATE_BLOCK = "delegate"
DELEGATE_ACTION = "user"


def action_id(kind: str, entry_id: int | str) -> str:
    return f"{kind}:{entry_id}"


def action_pattern(kind: str) -> re.Pattern[str]:
    """Matches ``kind`` and ``kind:<anything>`` (for ``app.action``)."""
    return re.compile(rf"^{re.escape(kind)}(?::.*)?$")


@dataclass(frozen=True)
class EntryRef:
    cycle_id: int
    entry_id: int

    def encode(self) -> str:
        return f"c{self.cycle_id}:e{self.entry_id}"


_ENTRY_REF = re.compile(r"^c(\d{1,12}):e(\d{1,12})$", re.ASCII)


def decode_entry_ref(value: object) -> EntryRef | None:
    """Parse ``c<cycle>:e<entry>``; ``None`` for anything else."""
    match = _ENTRY_REF.match(value) if isinstance(value, str) else None
    if not match:
        return None
    return EntryRef(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class FreeTextRef:
    """A stored DM reply (audit event id) and the entry it should become."""

    event_id: int
    entry_id: int

    def encode(self) -> str:
        return f"f{self.event_id}:e{self.entry_id}"


_FREETEXT_REF = re.compile(r"^f(\d{1,12}):e(\d{1,12})$", re.ASCII)


def decode_freetext_ref(value: object) -> FreeTextRef | None:
    match = _FREETEXT_REF.match(value) if isinstance(value, str) else None
    if not match:
        return None
    return FreeTextRef(int(match.group(1)), int(match.group(2)))


_CYCLE_REF = re.compile(r"^c(\d{1,12})$", re.ASCII)


def encode_cycle(cycle_id: int) -> str:
    return f"c{cycle_id}"


def decode_cycle(value: object) -> int | None:
    match = _CYCLE_REF.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def dump_metadata(**data: int | str) -> str:
    return json.dumps(data, separators=(",", ":"))


def load_metadata(raw: object) -> dict[str, object]:
    """A view's ``private_metadata`` as we wrote it; ``{}`` for anything else
    (not a string, not JSON, nested too deep to parse)."""
    if not isinstance(raw, str):
        return {}
    try:
        data = json.loads(raw or "{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
