"""One initiative as blocks: the same three blocks on prompts, reminders and App Home.

Every item is exactly :data:`ITEM_BLOCKS` blocks whatever its state, so a
prompt keeps its layout (and its split into messages) when it is updated in
place after an answer.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks import ids, kit, limits
from bot.blocks.model import ItemView, Viewer
from bot.blocks.text import abridge, clip_escaped, escape
from bot.committee.blocks import asked_note

Gettext = Callable[[str], str]
ITEM_BLOCKS = 3


def item_blocks(item: ItemView, viewer: Viewer, _: Gettext) -> list[kit.Block]:
    mark = "✅ " if item.answered else ""
    title = kit.section(f"{mark}*{clip_escaped(item.title, limits.TITLE_CHARS)}*")
    return [title, kit.context(*_item_context(item, viewer, _)), _item_actions(item, _)]


def _item_context(item: ItemView, viewer: Viewer, _: Gettext) -> list[str]:
    notes: list[str] = []
    if item.committee_asks:
        notes.append(asked_note(item.committee_asks, viewer.locale))
    if item.answered:
        when = kit.fmt_time(item.answered_at, viewer.tz, viewer.locale) if item.answered_at else ""
        who = escape(item.answered_by or "")
        if item.carried_forward:
            notes.append(
                _("No change: last text carried forward ({when}, {who}).").format(
                    when=when, who=who
                )
            )
        else:
            notes.append(_("Answered {when} by {who}:").format(when=when, who=who))
            notes.append(escape(abridge(item.current)))
    elif item.previous:
        notes.append(_("Last time:") + " " + escape(abridge(item.previous)))
    else:
        notes.append(_("No previous status."))
    if item.delegate_user:
        if item.viewer_is_delegate and item.owner_user:
            notes.append(_("Delegated to you by <@{user}>.").format(user=item.owner_user))
        elif not item.viewer_is_delegate:
            notes.append(_("Delegated to <@{user}>.").format(user=item.delegate_user))
    return notes


def _item_actions(item: ItemView, _: Gettext) -> kit.Block:
    ref = ids.EntryRef(item.cycle_id, item.entry_id).encode()
    if not item.collecting:
        return kit.context(_("This cycle no longer takes answers."))
    if item.answered:
        if not item.editable:
            return kit.context(_("The deadline has passed; ask a coordinator to change it."))
        return kit.actions(kit.button(_("Edit"), ids.action_id(ids.EDIT, item.entry_id), ref))
    buttons = [
        kit.button(_("Update"), ids.action_id(ids.UPDATE, item.entry_id), ref, style="primary"),
        kit.button(_("No change"), ids.action_id(ids.CARRY, item.entry_id), ref),
    ]
    if not item.viewer_is_delegate:
        buttons.append(kit.button(_("Delegate"), ids.action_id(ids.DELEGATE, item.entry_id), ref))
    return kit.actions(*buttons)


def track_heading(track: str, *, continued: bool, _: Gettext) -> list[kit.Block]:
    text = f"*{clip_escaped(track, 2800)}*"
    if continued:
        text += " " + _("(continued)")
    return [kit.divider(), kit.section(text)]
