"""Reminders, the coordinators' digest, notices, free-text prompts, `/status` answers."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids, kit, limits
from bot.blocks.absence import away_text
from bot.blocks.items import Gettext
from bot.blocks.model import CycleHeader, ItemView, ProgressView, Viewer
from bot.blocks.prompt import pack_items
from bot.blocks.review import COMPILE, Ref, button
from bot.blocks.text import Mrkdwn, abridge, clip_escaped, escape

Message = dict[str, Any]


def reminder_messages(
    cycle: CycleHeader, missing: list[ItemView], viewer: Viewer, _: Gettext
) -> list[Message]:
    """A reminder listing exactly the items still missing, with their buttons."""
    deadline = kit.fmt_datetime(cycle.deadline, viewer.tz, viewer.locale)
    intro = [
        kit.section(
            _(
                ":alarm_clock: Reminder: the status report *{area}* is due *{deadline}*."
                " Still missing from you ({count}):"
            ).format(area=escape(cycle.area), deadline=deadline, count=len(missing))
        )
    ]
    fallback = _("Reminder: {count} status(es) for {area} due {deadline}").format(
        count=len(missing), area=cycle.area, deadline=deadline
    )
    return pack_items(intro, missing, viewer, _, fallback)


def compile_button(cycle_id: int, _: Gettext) -> kit.Block:
    """The coordinators' "Compile draft" button (handled in handlers/review)."""
    return button(_("Compile draft"), COMPILE, Ref(cycle_id).encode())


def digest_message(progress: ProgressView, viewer: Viewer, _: Gettext) -> Message:
    """After the deadline: response rate, who is missing what, and "Remind now"."""
    cycle = progress.cycle
    rate = round(100 * progress.answered / progress.total) if progress.total else 100
    blocks: list[kit.Block] = [
        kit.header(_("Deadline passed: {area}").format(area=cycle.area)),
        kit.section(
            _(
                "*{answered} of {total}* initiatives answered ({rate}%),"
                " {carried} of them without change."
            ).format(
                answered=progress.answered,
                total=progress.total,
                rate=rate,
                carried=progress.carried_forward,
            )
        ),
    ]
    missing = [o for o in progress.owners if o.missing_titles]
    if missing:
        blocks.append(kit.section("*" + _("Still missing:") + "*"))
        budget = limits.MESSAGE_MAX_BLOCKS - len(blocks) - 2
        for index, owner in enumerate(missing):
            if index == budget - 1 and len(missing) > budget:
                rest = len(missing) - index
                blocks.append(kit.context(_("… and {count} more people.").format(count=rest)))
                break
            who = f"<@{owner.slack_user}>" if owner.slack_user else escape(owner.label)
            if owner.away is not None:
                who = f"{who} — {away_text(owner.away, viewer, _)}"
            titles = "\n".join(f"• {clip_escaped(t, 300)}" for t in owner.missing_titles)
            blocks.append(kit.section(f"{who}\n{titles}"))
    else:
        blocks.append(kit.section(_("Everyone has answered. :tada:")))
    buttons = [compile_button(cycle.cycle_id, _)]
    if missing:
        buttons.insert(
            0,
            kit.button(
                _("Remind now"),
                ids.REMIND_NOW,
                ids.encode_cycle(cycle.cycle_id),
                style="primary",
            ),
        )
    blocks.append(kit.actions(*buttons))
    fallback = _("Deadline passed for {area}: {answered} of {total} answered.").format(
        area=cycle.area, answered=progress.answered, total=progress.total
    )
    return kit.message(fallback, blocks)


def progress_blocks(progress: ProgressView, viewer: Viewer, _: Gettext) -> list[kit.Block]:
    """`/status progress`: answered/missing per owner for one cycle."""
    cycle = progress.cycle
    lines = []
    for owner in progress.owners:
        who = f"<@{owner.slack_user}>" if owner.slack_user else escape(owner.label)
        count = len(owner.missing_titles)
        mark = "✅" if not count else "⏳"
        line = _("{mark} {who}: {answered} answered, {missing} missing").format(
            mark=mark, who=who, answered=owner.answered, missing=count
        )
        if owner.away is not None:
            line = f"{line} — {away_text(owner.away, viewer, _)}"
        lines.append(line)
    head = _("*{area}* — deadline {deadline}: {answered} of {total} answered.").format(
        area=escape(cycle.area),
        deadline=kit.fmt_datetime(cycle.deadline, viewer.tz, viewer.locale),
        answered=progress.answered,
        total=progress.total,
    )
    return [kit.section(head), *_chunked_sections(lines)]


def _chunked_sections(lines: list[str], limit: int = 2900) -> list[kit.Block]:
    blocks: list[kit.Block] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            blocks.append(kit.section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(kit.section(current))
    return blocks


def delegated_owner_notice(initiative: str, delegate_user: str, _: Gettext) -> Message:
    text = _(
        "You delegated *{title}* to <@{user}>. They got their own prompt; both of you can answer."
    ).format(title=clip_escaped(initiative, 2500), user=delegate_user)
    return kit.message(Mrkdwn(text), [kit.section(text)])


def delegated_notice(initiative: str, owner_user: str | None, owner_label: str, _: Gettext) -> str:
    who = f"<@{owner_user}>" if owner_user else escape(owner_label)
    return _("{who} asked you to give the status of *{title}*.").format(
        who=who, title=clip_escaped(initiative, 2500)
    )


def registry_notice(
    what: str, title: str, owner_user: str | None, owner_label: str | None, _: Gettext
) -> str:
    """A manager's item left their list: it has a new owner (``moved``) or was
    withdrawn from the round (retired or moved to another area)."""
    title = clip_escaped(title, 2500)
    if what == "moved":
        who = f"<@{owner_user}>" if owner_user else escape(owner_label or "") or _("nobody yet")
        return _(
            "*{title}* now belongs to {who}, who is asked for its status; it was taken off "
            "your list for this round."
        ).format(title=title, who=who)
    return _(
        "*{title}* was withdrawn from this round (retired or moved to another area); "
        "you need not report on it."
    ).format(title=title)


def freetext_confirm(event_id: int, item: ItemView, text: str, _: Gettext) -> Message:
    """One open initiative: "save this as the status of X?"."""
    ref = ids.FreeTextRef(event_id, item.entry_id).encode()
    question = _("Save your reply as the status of *{title}*?").format(
        title=clip_escaped(item.title, 2500)
    )
    blocks = [
        kit.section(question),
        kit.context(escape(abridge(text, 500))),
        kit.actions(
            kit.button(
                _("Save as status"),
                ids.action_id(ids.FREETEXT_STORE, item.entry_id),
                ref,
                style="primary",
            ),
            kit.button(_("Discard"), ids.FREETEXT_DISCARD, ref),
        ),
    ]
    return kit.message(Mrkdwn(question), blocks)


def freetext_choose(event_id: int, items: list[ItemView], text: str, _: Gettext) -> Message:
    """Several open initiatives: which one is the reply about?"""
    question = _("Which initiative is your reply about?")
    blocks: list[kit.Block] = [kit.section(question), kit.context(escape(abridge(text, 500)))]
    budget = limits.MESSAGE_MAX_BLOCKS - len(blocks) - 1
    for item in items[:budget]:
        ref = ids.FreeTextRef(event_id, item.entry_id).encode()
        blocks.append(
            {
                "type": "section",
                "text": kit.mrkdwn(clip_escaped(item.title, limits.TITLE_CHARS)),
                "accessory": kit.button(
                    _("This one"), ids.action_id(ids.FREETEXT_STORE, item.entry_id), ref
                ),
            }
        )
    blocks.append(kit.actions(kit.button(_("Discard"), ids.FREETEXT_DISCARD, f"f{event_id}:e0")))
    return kit.message(question, blocks)


def open_items_blocks(
    items: list[ItemView], viewer: Viewer, _: Gettext, *, max_blocks: int
) -> list[kit.Block]:
    """Items for `/status my` or App Home, cut to ``max_blocks`` with a note."""
    from bot.blocks.items import ITEM_BLOCKS, item_blocks, track_heading

    blocks: list[kit.Block] = []
    track: str | None = None
    for index, item in enumerate(items):
        heading = track_heading(item.track, continued=False, _=_) if item.track != track else []
        if len(blocks) + len(heading) + ITEM_BLOCKS > max_blocks - 1:
            rest = len(items) - index
            blocks.append(kit.context(_("… and {count} more.").format(count=rest)))
            break
        blocks.extend(heading)
        blocks.extend(item_blocks(item, viewer, _))
        track = item.track
    return blocks
