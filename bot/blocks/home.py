"""The App Home tab: a manager's open and answered items in current cycles."""

from __future__ import annotations

from typing import Any

from bot.blocks import kit, limits
from bot.blocks.items import ITEM_BLOCKS, Gettext
from bot.blocks.messages import open_items_blocks
from bot.blocks.model import CycleHeader, ItemView, Viewer
from bot.blocks.text import escape

HOME_CALLBACK = "statusbot_home"


def home_view(
    cycles: list[tuple[CycleHeader, list[ItemView]]],
    viewer: Viewer,
    _: Gettext,
    *,
    extra: list[kit.Block] | None = None,
) -> dict[str, Any]:
    """``cycles``: each current cycle with the viewer's items; ``extra`` blocks
    (e.g. a coordinators' section) go at the end if they fit."""
    extra = extra or []
    budget = limits.VIEW_MAX_BLOCKS - len(extra)
    blocks: list[kit.Block] = [kit.header(_("Your status reports"))]
    if not cycles:
        blocks.append(kit.section(_("Nothing to answer right now. :white_check_mark:")))
    for header, items in cycles:
        room = budget - len(blocks) - 2
        if room < ITEM_BLOCKS + 3:
            blocks.append(kit.context(_("More cycles: use /status my.")))
            break
        open_count = sum(1 for i in items if not i.answered)
        blocks.append(
            kit.section(
                _("*{area}* — {open} open of {total}, deadline {deadline}").format(
                    area=escape(header.area),
                    open=open_count,
                    total=len(items),
                    deadline=kit.fmt_datetime(header.deadline, viewer.tz, viewer.locale),
                )
            )
        )
        blocks.extend(open_items_blocks(items, viewer, _, max_blocks=room))
    blocks.extend(extra)
    return {
        "type": "home",
        "callback_id": HOME_CALLBACK,
        "blocks": blocks[: limits.VIEW_MAX_BLOCKS],
    }
