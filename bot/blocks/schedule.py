"""Block Kit for recurring rounds: the coordinators' notice a week before a
round opens, the Postpone… modal and the area's Schedule modal. Pure
functions from plain data to JSON; texts in gettext domain ``schedule``.

Buttons carry ``a<area>:<as-of date>`` (:class:`RoundRef`); the listeners
re-check the caller and the round against the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.blocks import kit, limits
from bot.blocks.model import Viewer
from bot.blocks.text import escape
from bot.i18n import translator

Gettext = Callable[[str], str]
DOMAIN = "schedule"

# Action ids (``<kind>:<value>``, matched with bot.blocks.ids.action_pattern).
OPEN_NOW = "schedule.open_now"
POSTPONE = "schedule.postpone"
SKIP = "schedule.skip"
EDIT = "schedule.edit"  # from the area settings modal
# Views and their blocks.
POSTPONE_VIEW = "schedule_postpone_view"
SCHEDULE_VIEW = "schedule_settings_view"
OPENS_ON_BLOCK = "opens_on"
AS_OF_BLOCK = "as_of"
OPEN_BEFORE_BLOCK = "open_before"
ANSWER_DAYS_BLOCK = "answer_days"
REMIND_BLOCK = "remind"
VALUE = "value"
# Where a rule's complaint about a field goes in the Schedule modal.
FIELD_BLOCKS = {
    "as_of": AS_OF_BLOCK,
    "open_before": OPEN_BEFORE_BLOCK,
    "answer_days": ANSWER_DAYS_BLOCK,
    "remind": REMIND_BLOCK,
}


def texts(locale: str | None) -> Gettext:
    return translator(DOMAIN, locale).gettext


_REF = re.compile(r"^a(\d{1,12}):(\d{4}-\d{2}-\d{2})$", re.ASCII)


@dataclass(frozen=True)
class RoundRef:
    area_id: int
    as_of: date

    def encode(self) -> str:
        return f"a{self.area_id}:{self.as_of.isoformat()}"


def decode_ref(value: object) -> RoundRef | None:
    match = _REF.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return RoundRef(int(match.group(1)), date.fromisoformat(match.group(2)))
    except ValueError:
        return None


@dataclass(frozen=True)
class NoticeView:
    """A round about to open, as the notice shows it (see
    :class:`bot.workflow.schedules.RoundNotice`)."""

    area_id: int
    area: str
    as_of: date
    opens_on: date
    deadline_text: str  # already in the reader's zone and language
    initiatives: int
    owners: int
    away: tuple[str, ...]


def _button(text: str, kind: str, value: str, **kw: Any) -> dict[str, Any]:
    return kit.button(text, f"{kind}:{value}", value, **kw)


def _title(text: str) -> dict[str, Any]:
    return kit.plain(text, limits.MODAL_TITLE_MAX)


def notice_message(view: NoticeView, viewer: Viewer, _: Gettext) -> dict[str, Any]:
    """The coordinators' notice a week before the opening, with Open now,
    Postpone… and Skip this round (which asks first)."""
    ref = RoundRef(view.area_id, view.as_of).encode()
    as_of = kit.fmt_date(view.as_of, viewer.locale)
    opens = kit.fmt_date(view.opens_on, viewer.locale)
    text = _("The round of {area} as of {as_of} opens on {opens}.").format(
        area=view.area, as_of=as_of, opens=opens
    )
    body = _(
        "The round of *{area}* as of *{as_of}* opens by itself on *{opens}*, "
        "with the deadline *{deadline}*. It will ask {owners} owners about "
        "{initiatives} initiatives."
    ).format(
        area=escape(view.area),
        as_of=as_of,
        opens=opens,
        deadline=view.deadline_text,
        owners=view.owners,
        initiatives=view.initiatives,
    )
    if view.away:
        away = _("Away during the round: {names}.").format(
            names=", ".join(escape(name) for name in view.away)
        )
    else:
        away = _("Nobody is registered as away during the round.")
    confirm = {
        "title": kit.plain(_("Skip this round?"), 100),
        "text": kit.plain(
            _("The round as of {as_of} will not open; the next one is planned.").format(
                as_of=as_of
            ),
            300,
        ),
        "confirm": kit.plain(_("Skip"), 30),
        "deny": kit.plain(_("Cancel"), 30),
    }
    blocks = [
        kit.header(_("A scheduled round opens soon")),
        kit.section(body),
        kit.context(away),
        kit.actions(
            _button(_("Open now"), OPEN_NOW, ref, style="primary"),
            _button(_("Postpone…"), POSTPONE, ref),
            _button(_("Skip this round"), SKIP, ref, style="danger", confirm=confirm),
        ),
    ]
    return kit.message(text, blocks)


def refused_message(
    area: str, as_of: date, reason: str, viewer: Viewer, _: Gettext
) -> dict[str, Any]:
    text = _("The scheduled round of {area} as of {as_of} did not open: {reason}").format(
        area=area, as_of=kit.fmt_date(as_of, viewer.locale), reason=reason
    )
    return kit.message(text, [kit.section(escape(text))])


def postpone_modal(
    ref: RoundRef, area: str, opens_on: date, _: Gettext, viewer: Viewer
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": POSTPONE_VIEW,
        "title": _title(_("Postpone the round")),
        "submit": _title(_("Postpone")),
        "close": _title(_("Cancel")),
        "private_metadata": ref.encode(),
        "blocks": [
            kit.section(
                _("The round of *{area}* as of {as_of} opens on {opens}.").format(
                    area=escape(area),
                    as_of=kit.fmt_date(ref.as_of, viewer.locale),
                    opens=kit.fmt_date(opens_on, viewer.locale),
                )
            ),
            {
                "type": "input",
                "block_id": OPENS_ON_BLOCK,
                "label": kit.plain(_("New opening date"), limits.LABEL_MAX),
                "element": {
                    "type": "datepicker",
                    "action_id": VALUE,
                    "initial_date": (opens_on + timedelta(days=7)).isoformat(),
                },
            },
        ],
    }


@dataclass(frozen=True)
class ScheduleForm:
    """The area's schedule as the modal shows it (empty for none)."""

    area_id: int
    area: str
    as_of: str = ""
    open_before: str = ""
    answer_days: str = ""
    remind: str = ""
    next_line: str = ""  # "Next round: …" or ""


def _text_input(block: str, label: str, value: str, hint: str, *, optional: bool) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE, "max_length": 200}
    if value:
        element["initial_value"] = value
    return {
        "type": "input",
        "block_id": block,
        "optional": optional,
        "label": kit.plain(label, limits.LABEL_MAX),
        "hint": kit.plain(hint, limits.LABEL_MAX),
        "element": element,
    }


def schedule_modal(form: ScheduleForm, _: Gettext) -> dict[str, Any]:
    """The area's recurring rounds; all fields empty removes the schedule."""
    blocks: list[kit.Block] = [kit.section(f"*{escape(form.area)}*")]
    if form.next_line:
        blocks.append(kit.context(escape(form.next_line)))
    blocks += [
        _text_input(
            AS_OF_BLOCK,
            _("As-of dates of the year"),
            form.as_of,
            _("MM-DD, comma between them, e.g. 03-31,09-30. Empty: no schedule."),
            optional=True,
        ),
        _text_input(
            OPEN_BEFORE_BLOCK,
            _("Opens this long before the as-of date"),
            form.open_before,
            _("Days or weeks, e.g. 14d or 2w"),
            optional=True,
        ),
        _text_input(
            ANSWER_DAYS_BLOCK,
            _("Working days to answer"),
            form.answer_days,
            _("Danish working days from the opening, e.g. 10"),
            optional=True,
        ),
        _text_input(
            REMIND_BLOCK,
            _("Reminders before the deadline"),
            form.remind,
            _("For example 3d,1d; empty: the area's default reminders"),
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": SCHEDULE_VIEW,
        "title": _title(_("Recurring rounds")),
        "submit": _title(_("Save")),
        "close": _title(_("Cancel")),
        "private_metadata": str(form.area_id),
        "blocks": blocks,
    }


def settled_notice(blocks: list[kit.Block], line: str) -> dict[str, Any]:
    """The notice once a coordinator decided: its buttons replaced by what was done."""
    kept = [b for b in blocks if isinstance(b, dict) and b.get("type") != "actions"]
    return kit.message(line, [*kept, kit.context(escape(line))])


def done_notice(text: str) -> dict[str, Any]:
    return kit.message(text, [kit.section(escape(text))])
