"""Modals: the status update form, the delegate picker, and a notice.

The update form edits the whole status in one ``rich_text_input`` (bold,
italic, lists, links), prefilled with the last text as rich text. A status
the rich box cannot hold (over ``limits.RICH_INPUT_MAX_CHARS``) gets the plain
form instead: typed text (:mod:`storage.markup`) spread over several boxes of
3,000 characters split at paragraph boundaries, plus one empty box and an "add
a box" button, so nothing is ever truncated; the submission joins them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.blocks import ids, kit, limits
from bot.blocks.items import Gettext
from bot.blocks.richtext import fits_rich_input, from_rich_text, list_delimiter, to_rich_text
from bot.blocks.text import abridge, clip, clip_escaped, escape, merge_parts, split_markup
from bot.workflow.messages import PHASE_LABELS
from storage.richtext import StatusText

PHASES = ("not_started", "in_progress", "completed", "postponed")


def phase_label(phase: str, _: Gettext) -> str:
    label = PHASE_LABELS.get(phase)
    return _(label) if label else phase


def _title(text: str) -> dict[str, Any]:
    return kit.plain(text, limits.MODAL_TITLE_MAX)


@dataclass(frozen=True)
class UpdateForm:
    entry_id: int
    cycle_id: int
    initiative: str
    track: str
    area: str
    markup: str  # prefilled text
    phase: str | None
    note: str | None
    boxes: int = 0  # 0: as many as the text needs, plus one empty
    parts: tuple[str, ...] | None = None  # boxes as typed (adding a box keeps them)
    from_home: bool = False  # opened from App Home: refresh it after saving
    plain: bool = False  # the plain boxes even when the rich box would hold the text
    # The last approved statuses, newest first: (as-of date, plain text), shown above the box.
    earlier: tuple[tuple[date, str], ...] = ()


def _rich_status(form: UpdateForm) -> StatusText | None:
    """The prefilled status when the rich box shows it, else ``None`` (plain boxes)."""
    if form.plain or form.parts is not None:
        return None
    try:
        status = StatusText.from_markup(form.markup)
    except ValidationError:
        return None
    return status if fits_rich_input(status) else None


def _rich_block(status: StatusText, _: Gettext) -> kit.Block:
    element: dict[str, Any] = {"type": "rich_text_input", "action_id": ids.STATUS_ACTION}
    if status:
        element["initial_value"] = to_rich_text(status)
    return {
        "type": "input",
        "block_id": ids.RICH_BLOCK_PAREN if list_delimiter(status) == ")" else ids.RICH_BLOCK,
        "optional": True,
        "label": kit.plain(_("Status"), limits.LABEL_MAX),
        "hint": kit.plain(
            _(
                "Bold, italic, bullet and numbered lists and links are kept."
                " A blank line separates paragraphs."
            ),
            limits.LABEL_MAX,
        ),
        "element": element,
    }


def earlier_blocks(earlier: tuple[tuple[date, str], ...], _: Gettext) -> list[kit.Block]:
    """The previous two approved statuses, abridged, so the owner sees the
    trend and not only the text the box is prefilled with."""
    labels = (_("Last approved status (as of {date})"), _("The one before (as of {date})"))
    blocks: list[kit.Block] = []
    for label, (as_of, text) in zip(labels, earlier, strict=False):
        head = label.format(date=as_of.isoformat())
        blocks.append(kit.context(f"*{escape(head)}*\n{escape(abridge(text, 600)) or '—'}"))
    return blocks


def update_modal(form: UpdateForm, _: Gettext, *, warning: str | None = None) -> dict[str, Any]:
    rich = _rich_status(form)
    blocks: list[kit.Block] = [
        kit.section(f"*{clip_escaped(form.initiative, limits.TITLE_CHARS)}*"),
        kit.context(f"{escape(form.area)} › {clip_escaped(form.track, 1500)}"),
    ]
    blocks.extend(earlier_blocks(form.earlier, _))
    if warning:
        blocks.append(kit.section(f":warning: {escape(warning)}"))
    if rich is not None:
        parts: list[str] = []
        boxes = 0
        blocks.append(_rich_block(rich, _))
    else:
        parts = list(form.parts) if form.parts is not None else split_markup(form.markup)
        boxes = max(1, min(limits.MODAL_MAX_BOXES, max(len(parts), form.boxes or len(parts) + 1)))
    for index in range(boxes):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ids.STATUS_ACTION,
            "multiline": True,
            "max_length": limits.INPUT_MAX_CHARS,
        }
        if index < len(parts) and parts[index]:
            element["initial_value"] = parts[index]
        label = (
            _("Status")
            if index == 0
            else _("Status, continued ({number})").format(number=index + 1)
        )
        block: kit.Block = {
            "type": "input",
            "block_id": ids.STATUS_BLOCK.format(index),
            "optional": True,
            "label": kit.plain(label, limits.LABEL_MAX),
            "element": element,
        }
        if index == 0:
            block["hint"] = kit.plain(
                _(
                    "Separate paragraphs with a blank line; start a line with '- ' for a bullet"
                    " or '1)' for a numbered item; *italic*, **bold**."
                    " Long texts continue in the next box."
                ),
                limits.LABEL_MAX,
            )
        blocks.append(block)
    if rich is None and boxes < limits.MODAL_MAX_BOXES:
        blocks.append(
            kit.actions(
                kit.button(_("Add another text box"), ids.MODAL_ADD_BOX, str(form.entry_id))
            )
        )
    options = [
        {"text": kit.plain(phase_label(p, _), limits.OPTION_TEXT_MAX), "value": p} for p in PHASES
    ]
    phase_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.PHASE_BLOCK,
        "placeholder": kit.plain(_("Choose a phase"), limits.PLACEHOLDER_MAX),
        "options": options,
    }
    if form.phase in PHASES:
        phase_element["initial_option"] = options[PHASES.index(form.phase)]
    blocks.append(
        {
            "type": "input",
            "block_id": ids.PHASE_BLOCK,
            "optional": True,
            "label": kit.plain(_("Phase"), limits.LABEL_MAX),
            "element": phase_element,
        }
    )
    note_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.NOTE_BLOCK,
        "multiline": True,
        "max_length": limits.INPUT_MAX_CHARS,
    }
    if form.note:
        note_element["initial_value"] = clip(form.note, limits.INPUT_MAX_CHARS)
    blocks.append(
        {
            "type": "input",
            "block_id": ids.NOTE_BLOCK,
            "optional": True,
            "label": kit.plain(_("Note to the coordinator (not in the report)"), limits.LABEL_MAX),
            "element": note_element,
        }
    )
    return {
        "type": "modal",
        "callback_id": ids.UPDATE_VIEW,
        "title": _title(_("Status update")),
        "submit": _title(_("Save")),
        "close": _title(_("Cancel")),
        "private_metadata": ids.dump_metadata(
            e=form.entry_id, c=form.cycle_id, n=boxes, **({"h": 1} if form.from_home else {})
        ),
        "blocks": blocks[: limits.VIEW_MAX_BLOCKS],
    }


@dataclass(frozen=True)
class UpdateSubmission:
    markup: str
    parts: list[str]
    phase: str | None
    note: str | None
    too_long: list[str]  # block ids of boxes over the limit
    status_block: str = ids.STATUS_BLOCK.format(0)  # where errors about the text go
    rich: bool = False  # came from the rich text box


def status_block_of(state_values: Any) -> str:
    """The block id of the form's status field (for errors next to it)."""
    values = _mapping(state_values)
    for block_id in (ids.RICH_BLOCK, ids.RICH_BLOCK_PAREN):
        if block_id in values:
            return block_id
    return ids.STATUS_BLOCK.format(0)


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (payloads are untrusted)."""
    return value if isinstance(value, dict) else {}


def state_values_of(view: Any) -> dict[str, Any]:
    """``view.state.values`` of a submitted view, or ``{}`` when malformed."""
    return _mapping(_mapping(_mapping(view).get("state")).get("values"))


def read_update(state_values: Any) -> UpdateSubmission:
    """Collect the boxes (in order), the phase and the note from ``view.state.values``.

    Malformed input (wrong types anywhere) reads as empty boxes, which the
    caller then reports as a field error."""
    state_values = {key: _mapping(block) for key, block in _mapping(state_values).items()}
    phase_state = _mapping(state_values.get(ids.PHASE_BLOCK, {}).get(ids.PHASE_BLOCK))
    phase = _mapping(phase_state.get("selected_option")).get("value")
    note_state = _mapping(state_values.get(ids.NOTE_BLOCK, {}).get(ids.NOTE_BLOCK))
    note_value = note_state.get("value")
    note = (note_value if isinstance(note_value, str) else "").strip() or None
    rich_block = status_block_of(state_values)
    if rich_block != ids.STATUS_BLOCK.format(0):
        return _read_rich(state_values, rich_block, phase, note)
    parts: list[str] = []
    too_long: list[str] = []
    index = 0
    while (block_id := ids.STATUS_BLOCK.format(index)) in state_values:
        value = _mapping(state_values[block_id].get(ids.STATUS_ACTION)).get("value")
        value = value if isinstance(value, str) else ""
        if len(value) > limits.INPUT_MAX_CHARS:
            too_long.append(block_id)
        parts.append(value)
        index += 1
    if note and len(note) > limits.INPUT_MAX_CHARS:
        too_long.append(ids.NOTE_BLOCK)
    return UpdateSubmission(
        markup=merge_parts(list(parts)),
        parts=parts,
        phase=phase if phase in PHASES else None,
        note=note,
        too_long=too_long,
    )


def _read_rich(
    state_values: dict[str, dict[str, Any]], block_id: str, phase: Any, note: str | None
) -> UpdateSubmission:
    """The rich text box: its ``rich_text_value`` as a status, handed on as typed
    text (which reads back to the same status)."""
    value = _mapping(state_values[block_id].get(ids.STATUS_ACTION)).get("rich_text_value")
    too_long: list[str] = []
    try:
        status = from_rich_text(value, delim=")" if block_id == ids.RICH_BLOCK_PAREN else ".")
    except ValidationError:
        status, too_long = StatusText(), [block_id]
    if len(status.plain) > limits.RICH_INPUT_MAX_CHARS:
        # Never store more than this box can show again (issue 14).
        too_long.append(block_id)
    if note and len(note) > limits.INPUT_MAX_CHARS:
        too_long.append(ids.NOTE_BLOCK)
    markup = status.to_markup()
    return UpdateSubmission(
        markup=markup,
        parts=[markup] if markup else [],
        phase=phase if phase in PHASES else None,
        note=note,
        too_long=too_long,
        status_block=block_id,
        rich=True,
    )


def delegate_modal(
    *, entry_id: int, cycle_id: int, initiative: str, _: Gettext, current: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "users_select", "action_id": ids.DELEGATE_ACTION}
    element["placeholder"] = kit.plain(_("Choose a colleague"), limits.PLACEHOLDER_MAX)
    if current:
        element["initial_user"] = current
    return {
        "type": "modal",
        "callback_id": ids.DELEGATE_VIEW,
        "title": _title(_("Delegate")),
        "submit": _title(_("Delegate")),
        "close": _title(_("Cancel")),
        "private_metadata": ids.dump_metadata(e=entry_id, c=cycle_id),
        "blocks": [
            kit.section(
                _("Who should answer for *{title}*? You can both still answer.").format(
                    title=clip_escaped(initiative, 2500)
                )
            ),
            {
                "type": "input",
                "block_id": ids.DELEGATE_BLOCK,
                "label": kit.plain(_("Colleague"), limits.LABEL_MAX),
                "element": element,
            },
        ],
    }


def read_delegate(state_values: dict[str, Any]) -> str | None:
    block = state_values.get(ids.DELEGATE_BLOCK) or {}
    return (block.get(ids.DELEGATE_ACTION) or {}).get("selected_user")


def notice_modal(title: str, text: str, _: Gettext) -> dict[str, Any]:
    """A read-only modal for answers where no ephemeral message is possible (App Home)."""
    return {
        "type": "modal",
        "callback_id": ids.NOTICE_VIEW,
        "title": _title(title),
        "close": _title(_("Close")),
        "blocks": [kit.section(escape(text))],
    }
