"""One initiative's history in Slack (`/status history`, App Home): every
approved status by as-of date, newest first, what changed each time in bold
(new) and struck through (removed). Pure functions over
:class:`bot.registry.history.HistoryRow`."""

from __future__ import annotations

from typing import Any

from bot.blocks import kit, limits
from bot.blocks.items import Gettext
from bot.blocks.modals import phase_label
from bot.blocks.model import Viewer
from bot.blocks.text import clip, clip_escaped, escape
from bot.registry.history import HistoryRow
from reports.model import MarkedBlock

HISTORY_PICK = "history_pick"  # App Home: the initiative select
HISTORY_VIEW = "history_view"
SECTION_CHARS = 2900


def _wrap(text: str, mark: str) -> str:
    """``*new*`` / ``~gone~`` around the words, spaces kept outside (Slack
    ignores marks next to spaces)."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{escape(core)}{mark}{tail}"


def marked_mrkdwn(block: MarkedBlock) -> str:
    prefix = (
        "• "
        if block.kind == "li"
        else f"{block.number}{block.delim} "
        if block.kind == "ol"
        else ""
    )
    out = []
    for segment in block.segments:
        if segment.deleted:
            out.append(_wrap(segment.text, "~"))
        elif segment.changed:
            out.append(_wrap(segment.text, "*"))
        else:
            out.append(escape(segment.text))
    return prefix + "".join(out).replace("\n", " ")


def row_blocks(row: HistoryRow, viewer: Viewer, _: Gettext) -> list[kit.Block]:
    when = kit.fmt_date(row.as_of, viewer.locale)
    if row.baseline:
        kind = _("baseline")
    elif row.state == "published":
        kind = _("published")
    else:
        kind = _("approved")
    if row.status is None:
        change = _("no answer")
    elif row.first:
        change = _("first status")
    else:
        change = _("changed") if row.changed else _("unchanged")
    head = f"*{escape(when)}* — {escape(kind)} · _{escape(change)}_"
    names = f"{escape(row.area)} › {clip_escaped(row.track, 300)} › {clip_escaped(row.title, 500)}"
    notes = [names]
    for step in row.steps:
        verb = _("Renamed") if step.action == "initiative.rename" else _("Moved")
        notes.append(f"{verb}: {clip_escaped(step.before, 600)} → {clip_escaped(step.after, 600)}")
    if row.phase:
        notes.append(_("Phase: {phase}").format(phase=phase_label(row.phase, _)))
    blocks: list[kit.Block] = [kit.section(head), kit.context(clip("\n".join(notes), 2000))]
    if row.status is None:
        blocks.append(kit.section("_" + _("No answer in this round.") + "_"))
    elif row.changed or row.first:
        text = "\n".join(marked_mrkdwn(b) for b in row.marked)
        blocks.append(kit.section(clip(text, SECTION_CHARS)))
    else:
        blocks.append(kit.section("_" + _("Unchanged since the report before.") + "_"))
    return blocks


def history_blocks(
    title: str, rows: list[HistoryRow], viewer: Viewer, _: Gettext, *, max_blocks: int
) -> list[kit.Block]:
    """The header, a legend and as many reports as fit, newest first."""
    blocks: list[kit.Block] = [
        kit.section("*" + clip_escaped(title, limits.TITLE_CHARS) + "*"),
        kit.context(
            _(
                "Every approved status, newest first. *Bold*: new since the report before; "
                "~struck through~: removed."
            )
        ),
    ]
    if not rows:
        blocks.append(kit.section(_("No approved status yet.")))
        return blocks
    for index, row in enumerate(rows):
        more = row_blocks(row, viewer, _)
        if len(blocks) + len(more) + 2 > max_blocks:
            rest = len(rows) - index
            blocks.append(
                kit.context(
                    _("{count} older reports: `statusbot initiative history` shows all.").format(
                        count=rest
                    )
                )
            )
            break
        blocks.append(kit.divider())
        blocks.extend(more)
    return blocks


def history_message(
    title: str, rows: list[HistoryRow], viewer: Viewer, _: Gettext
) -> dict[str, Any]:
    text = _("History of “{title}”").format(title=title)
    return kit.message(
        text, history_blocks(title, rows, viewer, _, max_blocks=limits.MESSAGE_MAX_BLOCKS)
    )


def history_modal(title: str, rows: list[HistoryRow], viewer: Viewer, _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": HISTORY_VIEW,
        "title": kit.plain(_("History"), 24),
        "close": kit.plain(_("Close"), 24),
        "blocks": history_blocks(title, rows, viewer, _, max_blocks=limits.VIEW_MAX_BLOCKS),
    }


def history_picker(options: list[tuple[int, str]], _: Gettext) -> list[kit.Block]:
    """App Home: choose an initiative to see its history (up to 100)."""
    if not options:
        return []
    return [
        kit.section(
            _("*History* of an initiative: every approved status, with what changed."),
        )
        | {
            "accessory": {
                "type": "static_select",
                "action_id": HISTORY_PICK,
                "placeholder": kit.plain(_("Choose an initiative"), limits.PLACEHOLDER_MAX),
                "options": [
                    {"text": kit.plain(label, limits.OPTION_TEXT_MAX), "value": str(key)}
                    for key, label in options[:100]
                ],
            }
        }
    ]
