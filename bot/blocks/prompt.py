"""The prompt DM: all of one manager's initiatives in a cycle, grouped by track.

Slack allows 50 blocks per message, so a long prompt is split into several
messages ("parts"); a track that spans two parts gets its heading again.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import kit, limits
from bot.blocks.items import ITEM_BLOCKS, Gettext, item_blocks, track_heading
from bot.blocks.model import ItemView, PromptView, Viewer
from bot.blocks.text import escape
from bot.committee.blocks import decision_block

# Blocks kept free in every part: the "part i of n" line and the closing tip.
_RESERVED = 2


def intro_blocks(view: PromptView, viewer: Viewer, _: Gettext) -> list[kit.Block]:
    cycle = view.cycle
    title = cycle.title or _("Status report: {area}").format(area=cycle.area)
    text = _(
        "Hi {name}. Please give the status of your initiatives as of *{as_of}*."
        " Deadline: *{deadline}*."
    ).format(
        name=escape(view.recipient),
        as_of=kit.fmt_date(cycle.as_of, viewer.locale),
        deadline=kit.fmt_datetime(cycle.deadline, viewer.tz, viewer.locale),
    )
    blocks = [kit.header(title), kit.section(text)]
    if view.committee is not None:
        blocks.append(decision_block(view.committee, viewer))
    return blocks


def prompt_messages(view: PromptView, viewer: Viewer, _: Gettext) -> list[dict[str, Any]]:
    """The messages of a prompt, each ``{"text": fallback, "blocks": [...]}``."""
    fallback = _("Status report {area}: please answer by {deadline}.").format(
        area=view.cycle.area,
        deadline=kit.fmt_datetime(view.cycle.deadline, viewer.tz, viewer.locale),
    )
    tip = kit.context(_("You can also reply to this message in its thread with your status text."))
    return pack_items(intro_blocks(view, viewer, _), view.items, viewer, _, fallback, tip)


def pack_items(
    intro: list[kit.Block],
    items: list[ItemView],
    viewer: Viewer,
    _: Gettext,
    fallback: str,
    closing: kit.Block | None = None,
) -> list[dict[str, Any]]:
    """Intro, then the items grouped by track, split into messages of at most 50 blocks."""
    budget = limits.MESSAGE_MAX_BLOCKS - _RESERVED
    parts: list[list[kit.Block]] = [list(intro)]
    track_in_part: str | None = None
    for item in items:
        blocks = item_blocks(item, viewer, _)
        heading: list[kit.Block] = []
        if item.track != track_in_part:
            heading = track_heading(item.track, continued=False, _=_)
        if len(parts[-1]) + len(heading) + len(blocks) > budget:
            parts.append([])
            heading = track_heading(item.track, continued=item.track == track_in_part, _=_)
        parts[-1].extend(heading)
        parts[-1].extend(blocks)
        track_in_part = item.track
    if closing is not None:
        parts[-1].append(closing)
    total = len(parts)
    messages = []
    for number, blocks in enumerate(parts, start=1):
        if total > 1:
            label = _("Part {number} of {total}").format(number=number, total=total)
            blocks = [*blocks, kit.context(label)]
        messages.append(kit.message(fallback, blocks))
    return messages


assert ITEM_BLOCKS + 2 <= limits.MESSAGE_MAX_BLOCKS - _RESERVED
