"""The committee in Slack, as Block Kit (pure functions returning dicts): the
decision above a manager's initiatives, the committee's words on an
initiative it asks about, and the coordinators' package and decision forms."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bot.blocks import kit, limits
from bot.blocks.model import Viewer
from bot.blocks.text import clip, escape
from bot.committee.flowback import asked_text
from bot.committee.i18n import gettext_for

if TYPE_CHECKING:
    from bot.committee.flowback import CommitteeNotice
    from bot.committee.settings import CommitteeView

PACKAGE_VIEW = "committee_package"
DECISION_VIEW = "committee_decision"
PACKAGE_ACTION = "committee_package"
DECISION_ACTION = "committee_decision"
MEETING_BLOCK = "meeting"
TEXT_BLOCK = "text"
ABSENT_BLOCK = "absent"
ASKS_BLOCK = "asks"
DOCX_BLOCK = "with_docx"
VALUE = "value"
MAX_OPTIONS = 100  # a static multi-select lists at most 100 options
OPTION_TEXT = 75


def decision_block(notice: CommitteeNotice, viewer: Viewer) -> kit.Block:
    """The committee's last decision, abridged, with its date: above the initiatives."""
    lead = escape(notice.lead(viewer.locale, kit.fmt_date(notice.meeting_date, viewer.locale)))
    quote = "\n".join(f">{line}" for line in escape(notice.abridged).splitlines() or [""])
    return kit.section(f"🏛️ *{lead}*\n{quote}")


def asked_note(words: str, locale: str) -> str:
    """The flag on an initiative the committee asks about, in its own words."""
    return "❓ " + escape(asked_text(words, locale))


def package_button(cycle_id: int, locale: str) -> dict[str, Any]:
    _ = gettext_for(locale)
    return kit.button(_("Committee package…"), PACKAGE_ACTION, str(cycle_id))


def decision_button(cycle_id: int, locale: str) -> dict[str, Any]:
    _ = gettext_for(locale)
    return kit.button(_("Committee decision…"), DECISION_ACTION, str(cycle_id))


def _title(text: str) -> dict[str, Any]:
    return kit.plain(text, limits.MODAL_TITLE_MAX)


def _date_input(label: str, initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": VALUE}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return {
        "type": "input",
        "block_id": MEETING_BLOCK,
        "label": kit.plain(label, limits.LABEL_MAX),
        "element": element,
    }


def package_modal(cycle_id: int, area: str, meeting: date | None, locale: str) -> dict[str, Any]:
    """Asks for the meeting date; the bot then uploads the agenda item package."""
    _ = gettext_for(locale)
    docx = {
        "text": kit.plain(_("Attach the approved Word file too"), limits.LABEL_MAX),
        "value": "yes",
    }
    return {
        "type": "modal",
        "callback_id": PACKAGE_VIEW,
        "private_metadata": str(cycle_id),
        "title": _title(_("Committee package")),
        "submit": _title(_("Make package")),
        "close": _title(_("Cancel")),
        "blocks": [
            kit.section(
                _(
                    "The agenda item of *{area}*'s approved report: case text, the approved "
                    "PDF as bilag, manifest and texts, as one ZIP file."
                ).format(area=escape(area))
            ),
            _date_input(_("The committee's meeting"), meeting),
            {
                "type": "input",
                "block_id": DOCX_BLOCK,
                "optional": True,
                "label": kit.plain(_("Bilag"), limits.LABEL_MAX),
                "element": {"type": "checkboxes", "action_id": VALUE, "options": [docx]},
            },
        ],
    }


def decision_modal(
    cycle_id: int,
    area: str,
    initiatives: list[tuple[int, str]],
    locale: str,
    *,
    existing: date | None = None,
) -> dict[str, Any]:
    """The coordinator's form for the committee's decision: date, text, absent
    members (one a line), and the initiatives it asks about."""
    _ = gettext_for(locale)
    blocks: list[dict[str, Any]] = [
        kit.section(_("The committee's decision on *{area}*'s report.").format(area=escape(area)))
    ]
    if existing is not None:
        blocks.append(
            kit.context(
                _(
                    "A decision of {date} is already recorded; saving this form replaces it "
                    "(the old one is kept in the history)."
                ).format(date=kit.fmt_date(existing, locale))
            )
        )
    blocks += [
        _date_input(_("Meeting date"), None),
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": kit.plain(_("Decision"), limits.LABEL_MAX),
            "element": {
                "type": "plain_text_input",
                "action_id": VALUE,
                "multiline": True,
                "max_length": limits.INPUT_MAX_CHARS,
            },
        },
        {
            "type": "input",
            "block_id": ABSENT_BLOCK,
            "optional": True,
            "label": kit.plain(_("Absent members"), limits.LABEL_MAX),
            "hint": kit.plain(_("One a line, e.g. Tina Nicolajsen (FOA)"), limits.LABEL_MAX),
            "element": {"type": "plain_text_input", "action_id": VALUE, "multiline": True},
        },
    ]
    if initiatives:
        blocks.append(
            {
                "type": "input",
                "block_id": ASKS_BLOCK,
                "optional": True,
                "label": kit.plain(_("Initiatives the committee asks about"), limits.LABEL_MAX),
                "element": {
                    "type": "multi_static_select",
                    "action_id": VALUE,
                    "options": [
                        {"text": kit.plain(clip(title, OPTION_TEXT), OPTION_TEXT), "value": str(i)}
                        for i, title in initiatives[:MAX_OPTIONS]
                    ],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": DECISION_VIEW,
        "private_metadata": str(cycle_id),
        "title": _title(_("Committee decision")),
        "submit": _title(_("Save")),
        "close": _title(_("Cancel")),
        "blocks": blocks,
    }


# ------------------------------------------------------- area settings modal

SETTING_BLOCKS = {
    "committee": "committee_name",
    "case_number": "committee_case",
    "access": "committee_access",
    "background": "committee_background",
    "policy": "committee_policy",
    "economy": "committee_economy",
    "recommendation": "committee_recommendation",
}
_LINE_MAX = 200


def settings_inputs(view: CommitteeView, locale: str) -> list[kit.Block]:
    """The committee's part of the coordinators' area settings modal. A text too
    long for Slack's box is not offered for editing here (saving would cut it)."""
    _ = gettext_for(locale)
    blocks: list[kit.Block] = [
        kit.divider(),
        kit.section("*" + _("The committee's agenda item") + "*"),
    ]
    for name, label in (
        ("committee", _("Committee")),
        ("case_number", _("Case number")),
    ):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": VALUE,
            "max_length": _LINE_MAX,
        }
        if getattr(view, name):
            element["initial_value"] = getattr(view, name)
        blocks.append(_input(name, label, element))
    options = [
        {"text": kit.plain(_("Open case"), OPTION_TEXT), "value": "open"},
        {"text": kit.plain(_("Closed case"), OPTION_TEXT), "value": "closed"},
    ]
    blocks.append(
        _input(
            "access",
            _("Access"),
            {
                "type": "static_select",
                "action_id": VALUE,
                "options": options,
                "initial_option": options[0 if view.is_open else 1],
            },
            optional=False,
        )
    )
    for name, label in (
        ("background", _("Background (opens the Sagsfremstilling)")),
        ("policy", _("Relation to other policies/strategies and areas")),
        ("economy", _("Financial consequences")),
        ("recommendation", _("Recommendation (empty: the committee takes the status to note)")),
    ):
        text = getattr(view, name) or ""
        if len(text) > limits.INPUT_MAX_CHARS:
            blocks.append(
                kit.context(
                    _(
                        "{label}: longer than Slack's box takes; change it with "
                        "`statusbot area set --{option}-file`."
                    ).format(label=label, option=name)
                )
            )
            continue
        element = {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": True,
            "max_length": limits.INPUT_MAX_CHARS,
        }
        if text:
            element["initial_value"] = text
        blocks.append(_input(name, label, element))
    return blocks


def _input(name: str, label: str, element: dict[str, Any], *, optional: bool = True) -> kit.Block:
    return {
        "type": "input",
        "block_id": SETTING_BLOCKS[name],
        "optional": optional,
        "label": kit.plain(label, limits.LABEL_MAX),
        "element": element,
    }


def read_settings_inputs(values: dict[str, Any]) -> dict[str, Any]:
    """The submitted committee settings, by setting name; a box the form did not
    hold is left out (so the setting stays as it is)."""
    found: dict[str, Any] = {}
    for name, block in SETTING_BLOCKS.items():
        state = values.get(block)
        value = state.get(VALUE) if isinstance(state, dict) else None
        if not isinstance(value, dict):
            continue
        if name == "access":
            found[name] = (value.get("selected_option") or {}).get("value") or "open"
        else:
            found[name] = value.get("value") or ""
    return found
