"""Block Kit for absences: the "away until" line, the stand-in's notice, the
coordinators' notices, and the small form that records a leave. Pure
functions returning dicts; the rules are in :mod:`bot.workflow.absence`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.blocks import ids, kit
from bot.blocks.items import Gettext
from bot.blocks.model import AwayView, Viewer
from bot.blocks.text import Mrkdwn, clip_escaped, escape

Message = dict[str, Any]

AWAY_VIEW = "away_submit"
AWAY_OPEN = "away_open"
FROM_BLOCK, FROM_ACTION = "away_from", "from"
TO_BLOCK, TO_ACTION = "away_to", "to"
STAND_IN_BLOCK, STAND_IN_ACTION = "away_stand_in", "stand_in"
PERSON_BLOCK, PERSON_ACTION = "away_person", "person"


def _who(user: str | None, label: str | None) -> str:
    return f"<@{user}>" if user else escape(label or "?")


def away_text(away: AwayView, viewer: Viewer, _: Gettext) -> str:
    """``away until 14 Apr 2027 (stand-in: @Lene)`` in mrkdwn."""
    day = kit.fmt_date(away.until, viewer.locale)
    if away.stand_in_user or away.stand_in_label:
        return _("away until {date} (stand-in: {name})").format(
            date=day, name=_who(away.stand_in_user, away.stand_in_label)
        )
    return _("away until {date} (no stand-in)").format(date=day)


def stand_in_notice(
    owner_user: str | None, owner_label: str, until: date, viewer: Viewer, _: Gettext
) -> str:
    """Above the stand-in's prompt: why they are asked."""
    return _(
        "{who} is away until {date}, and you are their stand-in: their open items are in "
        "the prompt below, delegated to you. Both of you can answer."
    ).format(who=_who(owner_user, owner_label), date=kit.fmt_date(until, viewer.locale))


def no_stand_in_notice(
    person_user: str | None,
    person_label: str,
    starts_on: date,
    ends_on: date,
    area: str,
    deadline: datetime,
    titles: list[str],
    back_in_time: bool,
    viewer: Viewer,
    _: Gettext,
) -> Message:
    """To the coordinators: someone with open items is away and nobody stands in."""
    who = _who(person_user, person_label)
    head = _(
        "{who} is away from {start} to {end} with no stand-in, and has {count} open items "
        "in *{area}* (deadline {deadline})."
    ).format(
        who=who,
        start=kit.fmt_date(starts_on, viewer.locale),
        end=kit.fmt_date(ends_on, viewer.locale),
        count=len(titles),
        area=escape(area),
        deadline=kit.fmt_datetime(deadline, viewer.tz, viewer.locale),
    )
    after = (
        _("Their reminders wait until they are back.")
        if back_in_time
        else _("They are back only after the deadline: nobody will be reminded of these.")
    )
    listed = "\n".join(f"• {clip_escaped(t, 300)}" for t in titles[:20])
    hint = _("Set a stand-in with `statusbot person away` or `/status away`, or answer yourself.")
    blocks = [kit.section(f"{head}\n{after}"), kit.section(listed), kit.context(hint)]
    return kit.message(Mrkdwn(f"{head} {after}"), blocks)


def status_suggestion(
    person_user: str | None,
    person_label: str,
    status: str,
    until: date | None,
    viewer: Viewer,
    _: Gettext,
) -> Message:
    """To the coordinators: a Slack status reads like a leave; nothing is changed."""
    who = _who(person_user, person_label)
    shown = clip_escaped(status, 200)
    if until is not None:
        text = _(
            "{who}'s Slack status says “{status}” until {date}. If they are on leave, "
            "record it so their prompts and reminders go to a stand-in."
        ).format(who=who, status=shown, date=kit.fmt_date(until, viewer.locale))
    else:
        text = _(
            "{who}'s Slack status says “{status}”. If they are on leave, record it so "
            "their prompts and reminders go to a stand-in."
        ).format(who=who, status=shown)
    hint = _("Nothing was changed. `/status away <from> <to> [@stand-in]` records a leave.")
    return kit.message(Mrkdwn(text), [kit.section(text), kit.context(hint)])


def away_button(_: Gettext) -> kit.Block:
    """App Home: "I'm away…" opens :func:`away_modal`."""
    return kit.actions(kit.button(_("Record an absence…"), AWAY_OPEN, "away"))


def away_modal(
    _: Gettext,
    *,
    for_others: bool,
    current: list[str] | None = None,
) -> dict[str, Any]:
    """From, to, an optional stand-in and (for coordinators) whose absence."""
    blocks: list[kit.Block] = []
    if current:
        blocks.append(kit.context(*[clip_escaped(c, 300) for c in current[:5]]))
    if for_others:
        blocks.append(
            {
                "type": "input",
                "block_id": PERSON_BLOCK,
                "optional": True,
                "label": kit.plain(_("Who is away (empty: you)")),
                "element": {"type": "users_select", "action_id": PERSON_ACTION},
            }
        )
    for block_id, action_id, label in (
        (FROM_BLOCK, FROM_ACTION, _("First day away")),
        (TO_BLOCK, TO_ACTION, _("Last day away")),
    ):
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "label": kit.plain(label),
                "element": {"type": "datepicker", "action_id": action_id},
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": STAND_IN_BLOCK,
            "optional": True,
            "label": kit.plain(_("Stand-in")),
            "hint": kit.plain(_("Gets the prompts and reminders meanwhile.")),
            "element": {"type": "users_select", "action_id": STAND_IN_ACTION},
        }
    )
    return {
        "type": "modal",
        "callback_id": AWAY_VIEW,
        "title": kit.plain(_("Absence"), 24),
        "submit": kit.plain(_("Save"), 24),
        "close": kit.plain(_("Cancel"), 24),
        "private_metadata": ids.dump_metadata(),
        "blocks": blocks,
    }


def read_away(values: dict[str, Any]) -> dict[str, str | None]:
    """The form's answers: ``person``, ``from``, ``to``, ``stand_in`` (None when empty)."""

    def pick(block: str, action: str, key: str) -> str | None:
        element = (values.get(block) or {}).get(action) or {}
        value = element.get(key)
        return str(value) if value else None

    return {
        "person": pick(PERSON_BLOCK, PERSON_ACTION, "selected_user"),
        "from": pick(FROM_BLOCK, FROM_ACTION, "selected_date"),
        "to": pick(TO_BLOCK, TO_ACTION, "selected_date"),
        "stand_in": pick(STAND_IN_BLOCK, STAND_IN_ACTION, "selected_user"),
    }


FIELD_BLOCKS = {"from": FROM_BLOCK, "to": TO_BLOCK, "stand_in": STAND_IN_BLOCK}
