"""Block Kit for the coordinators' review: pure functions from plain data to JSON.

Buttons carry ``c<cycle>:d<draft>`` (or ``c<cycle>``) as their value; listeners
re-check every claim (who, which cycle, which draft) against the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.blocks import kit, limits
from bot.blocks.modals import UpdateForm, update_modal
from bot.blocks.model import Viewer
from bot.blocks.schedule import EDIT as SCHEDULE_EDIT
from bot.blocks.text import Mrkdwn, clip, clip_escaped, escape, split_markup

Gettext = Callable[[str], str]
Message = dict[str, Any]

# Action ids.
COMPILE = "review.compile"
APPROVE = "review.approve"
APPROVE_MISSING = "review.approve_missing"
SEND_BACK = "review.send_back"
EDIT = "review.edit"
REMIND = "review.remind"
PUBLISH = "review.publish"
REOPEN = "review.reopen"
SETTINGS = "review.settings"
DOWNLOAD = "review.download"
RESEND = "review.resend"
UPDATE = "review.update"
# Views.
SEND_BACK_VIEW = "review_send_back_view"
EDIT_PICK_VIEW = "review_edit_pick_view"
EDIT_VIEW = "review_edit_view"
UPDATE_VIEW = "review_update_view"
REOPEN_VIEW = "review_reopen_view"
SETTINGS_VIEW = "review_settings_view"
# Modal block ids.
ENTRIES_BLOCK = "entries"
COMMENT_BLOCK = "comment"
REASON_BLOCK = "reason"
CHANNEL_BLOCK = "channel"
INTRO_BLOCK = "intro"
APPROVALS_BLOCK = "approvals"
REMIND_BLOCK = "remind"
VALUE = "value"

MAX_LISTED = 15  # missing items / deleted texts listed in a summary
MAX_SENTENCES = 2  # deleted sentences shown per initiative
CONTEXT_CHARS = 50  # unchanged text kept on each side of a deletion
GONE_CHARS = 120  # deleted text shown per piece


# ------------------------------------------------------------------ refs


def button(
    text: str, kind: str, value: str, *, style: str | None = None, confirm: Any = None
) -> dict[str, Any]:
    """A button whose action id is ``<kind>:<value>``: unique in its surface, and
    matched by :func:`bot.blocks.ids.action_pattern` (kind) in the listeners."""
    return kit.button(text, f"{kind}:{value}", value, style=style, confirm=confirm)


_REF = re.compile(r"^c(\d{1,12})(?::d(\d{1,6}))?(?::e(\d{1,12}))?$", re.ASCII)


@dataclass(frozen=True)
class Ref:
    cycle_id: int
    draft: int | None = None
    entry_id: int | None = None

    def encode(self) -> str:
        text = f"c{self.cycle_id}"
        if self.draft is not None:
            text += f":d{self.draft}"
        if self.entry_id is not None:
            text += f":e{self.entry_id}"
        return text


def decode_ref(value: object) -> Ref | None:
    """A button value or form metadata we wrote; None for anything else."""
    match = _REF.match(value) if isinstance(value, str) else None
    if not match:
        return None
    cycle, draft, entry = match.groups()
    return Ref(int(cycle), int(draft) if draft else None, int(entry) if entry else None)


# ------------------------------------------------------------ view data


@dataclass(frozen=True)
class TrackCounts:
    name: str
    total: int
    answered: int
    carried_forward: int
    missing: int
    changed: int


@dataclass(frozen=True)
class MissingLine:
    title: str
    owners: tuple[str, ...]  # Slack user ids when known, else names
    owner_is_user: tuple[bool, ...] = ()


# A sentence of the previous report as (text, gone) pieces: the gone ones were deleted.
Sentence = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class DeletedLine:
    title: str
    texts: tuple[Sentence, ...]


@dataclass(frozen=True)
class DraftSummary:
    area: str
    cycle_id: int
    draft_number: int
    label: str
    preview: bool
    collecting: bool
    tracks: tuple[TrackCounts, ...]
    total: TrackCounts
    missing: tuple[MissingLine, ...] = ()
    deleted: tuple[DeletedLine, ...] = ()
    open_requests: int = 0
    withdrawn: tuple[str, ...] = ()  # titles retired or moved away during the round
    # The initiatives the committee's last decision asks about: (title, answered).
    committee_asked: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class EntryChoice:
    entry_id: int
    track: str
    title: str


@dataclass(frozen=True)
class HistoryLine:
    cycle_id: int
    as_of: date
    state: str
    approved_at: datetime | None
    has_documents: bool


@dataclass(frozen=True)
class OwnerLine:
    label: str
    slack_user: str | None
    answered: int
    missing: int


@dataclass(frozen=True)
class AreaHome:
    area_id: int
    area: str
    cycle_id: int | None = None
    state: str | None = None
    state_label: str = ""
    deadline: datetime | None = None
    total: int = 0
    answered: int = 0
    owners: tuple[OwnerLine, ...] = ()
    draft_number: int = 0
    approvals: int = 0
    approvals_needed: int = 1
    history: tuple[HistoryLine, ...] = ()
    report_channel: str | None = None
    approvals_required: int = 1
    default_reminders: str = ""
    intro: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------ messages


def _counts(t: TrackCounts, _: Gettext) -> str:
    return _(
        "{answered} answered · {carried} no change · {missing} missing · {changed} changed"
    ).format(answered=t.answered, carried=t.carried_forward, missing=t.missing, changed=t.changed)


def _who(owners: Sequence[str], is_user: Sequence[bool]) -> str:
    names = []
    for index, owner in enumerate(owners):
        user = is_user[index] if index < len(is_user) else False
        names.append(f"<@{owner}>" if user else escape(owner))
    return ", ".join(names)


def draft_actions(summary: DraftSummary, _: Gettext) -> kit.Block:
    ref = Ref(summary.cycle_id, summary.draft_number).encode()
    buttons = [
        button(_("Approve"), APPROVE, ref, style="primary"),
        button(_("Send back…"), SEND_BACK, ref),
        button(_("Edit…"), EDIT, ref),
    ]
    if summary.collecting and summary.total.missing:
        buttons.append(button(_("Remind missing"), REMIND, Ref(summary.cycle_id).encode()))
    return kit.actions(*buttons, block_id=f"draft_{summary.cycle_id}_{summary.draft_number}")


def _tail(text: str, limit: int, ellipsis: str = "…") -> str:
    """The end of ``text`` in at most ~``limit`` characters, from a word start."""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return ellipsis + (cut[space:] if 0 <= space < limit * 0.4 else cut)


def _struck(sentence: Sentence) -> str:
    """A deleted sentence in Slack mrkdwn: the gone text ~struck~, with a little of
    the sentence around it as context."""
    out: list[str] = []
    last = len(sentence) - 1
    for n, (text, gone) in enumerate(sentence):
        if gone:
            core = " ".join(text.split())
            if core:
                lead = " " if text[:1].isspace() else ""
                tail = " " if text[-1:].isspace() else ""
                out.append(f"{lead}~{clip_escaped(core, GONE_CHARS)}~{tail}")
            continue
        if n == 0:
            text = _tail(text, CONTEXT_CHARS)
        elif n == last:
            text = text[:1] + clip(text[1:], CONTEXT_CHARS) if text[:1] == " " else clip(
                text, CONTEXT_CHARS
            )
        elif len(text) > 2 * CONTEXT_CHARS:
            text = text[:CONTEXT_CHARS] + _tail(text, CONTEXT_CHARS, " … ")
        out.append(escape(text))
    return "".join(out).strip()


def draft_message(summary: DraftSummary, _: Gettext) -> Message:
    """The DM with a compiled draft: counts per track, what is missing, text
    deleted since the previous report (not shown in the document), and the
    review buttons."""
    title = _("Draft {n} of {area}").format(n=summary.draft_number, area=summary.area)
    blocks: list[kit.Block] = [kit.header(title), kit.context(escape(summary.label))]
    if summary.preview:
        blocks.append(
            kit.context(_("A preview: answers are still being collected until the deadline."))
        )
    lines = [f"*{clip_escaped(t.name, 200)}*: {_counts(t, _)}" for t in summary.tracks]
    everything = _("All")
    lines.append(f"*{everything}*: {_counts(summary.total, _)}")
    blocks.append(kit.section("\n".join(lines)))
    if summary.open_requests:
        blocks.append(
            kit.context(
                _("{n} sent-back initiatives have not been revised yet.").format(
                    n=summary.open_requests
                )
            )
        )
    if summary.missing:
        rows = [
            f"• {clip_escaped(m.title, 200)} — {_who(m.owners, m.owner_is_user)}"
            for m in summary.missing[:MAX_LISTED]
        ]
        if len(summary.missing) > MAX_LISTED:
            rows.append(_("… and {n} more.").format(n=len(summary.missing) - MAX_LISTED))
        blocks.append(kit.section("*" + _("No answer yet:") + "*\n" + "\n".join(rows)))
    if summary.deleted:
        heading = (
            "*" + _("Text deleted since the previous report (not shown in the document):") + "*"
        )
        # Whole initiatives only: stop before the section would be cut mid-sentence.
        budget = limits.SECTION_TEXT_MAX - len(heading) - 40
        rows = []
        for d in summary.deleted[:MAX_LISTED]:
            sentences = [_struck(s) for s in d.texts[:MAX_SENTENCES]]
            if len(d.texts) > MAX_SENTENCES:
                sentences.append(_("… and {n} more.").format(n=len(d.texts) - MAX_SENTENCES))
            row = f"• *{clip_escaped(d.title, 200)}*:\n" + "\n".join(f"    {s}" for s in sentences)
            if len(row) + 1 > budget:
                break
            budget -= len(row) + 1
            rows.append(row)
        if len(summary.deleted) > len(rows):
            rows.append(_("… and {n} more.").format(n=len(summary.deleted) - len(rows)))
        blocks.append(kit.section(heading + "\n" + "\n".join(rows)))
    if summary.withdrawn:
        rows = [f"• {clip_escaped(t, 200)}" for t in summary.withdrawn[:MAX_LISTED]]
        if len(summary.withdrawn) > MAX_LISTED:
            rows.append(_("… and {n} more.").format(n=len(summary.withdrawn) - MAX_LISTED))
        blocks.append(
            kit.section(
                "*"
                + _("Withdrawn from this round (retired or moved; not in the document):")
                + "*\n"
                + "\n".join(rows)
            )
        )
    if summary.committee_asked:
        rows = [
            f"• {'✅' if answered else '⚠️'} {clip_escaped(t, 200)} — "
            + (_("answered") if answered else _("no answer yet"))
            for t, answered in summary.committee_asked[:MAX_LISTED]
        ]
        blocks.append(kit.section("*" + _("The committee asked about:") + "*\n" + "\n".join(rows)))
    blocks.append(draft_actions(summary, _))
    return kit.message(title, blocks[: limits.MESSAGE_MAX_BLOCKS])


def notice(text: str, *buttons: dict[str, Any]) -> Message:
    """A short message (plain text escaped) with optional buttons."""
    blocks: list[kit.Block] = [kit.section(escape(text))]
    if buttons:
        blocks.append(kit.actions(*buttons))
    return kit.message(text, blocks)


def stale_notice(text: str, cycle_id: int, current_draft: int, _: Gettext) -> Message:
    if current_draft:
        offer = button(
            _("Show draft {n}").format(n=current_draft),
            RESEND,
            Ref(cycle_id, current_draft).encode(),
            style="primary",
        )
    else:
        offer = button(_("Compile draft"), COMPILE, Ref(cycle_id).encode(), style="primary")
    return notice(text, offer)


def compile_button(cycle_id: int, _: Gettext) -> dict[str, Any]:
    return button(_("Compile new draft"), COMPILE, Ref(cycle_id).encode(), style="primary")


def missing_confirmation(
    cycle_id: int, missing: Sequence[str], message: str, _: Gettext
) -> Message:
    rows = [f"• {clip_escaped(t, 200)}" for t in missing[: MAX_LISTED * 2]]
    if len(missing) > MAX_LISTED * 2:
        rows.append(_("… and {n} more.").format(n=len(missing) - MAX_LISTED * 2))
    confirm = {
        "title": kit.plain(_("Approve?"), 100),
        "text": kit.plain(
            _("The report is frozen with {n} initiatives unanswered.").format(n=len(missing)), 300
        ),
        "confirm": kit.plain(_("Approve"), 30),
        "deny": kit.plain(_("Cancel"), 30),
    }
    blocks = [
        kit.section(escape(message) + "\n" + "\n".join(rows)),
        kit.actions(
            button(
                _("Approve with {n} missing").format(n=len(missing)),
                APPROVE_MISSING,
                Ref(cycle_id).encode(),
                style="danger",
                confirm=confirm,
            )
        ),
    ]
    return kit.message(message, blocks)


def approved_message(area: str, cycle_id: int, approvers: Sequence[str], _: Gettext) -> Message:
    text = _("{area}: the report is approved by {names}.").format(
        area=area, names=", ".join(approvers) or "—"
    )
    return notice(
        text + " " + _("It can no longer change unless it is reopened. The approved files follow."),
        button(_("Publish"), PUBLISH, Ref(cycle_id).encode(), style="primary"),
    )


def waiting_message(
    area: str, cycle_id: int, approvers: Sequence[str], waiting: int, _: Gettext
) -> Message:
    text = _("{area}: approved by {names}; waiting for {n} more approval.").format(
        area=area, names=", ".join(approvers), n=waiting
    )
    return notice(text)


def second_approval_request(
    area: str, cycle_id: int, draft: int, approver: str, _: Gettext
) -> Message:
    text = _(
        "{name} approved draft {n} of {area}. A second coordinator's approval is needed."
    ).format(name=approver, n=draft, area=area)
    return notice(
        text,
        button(_("Show draft {n}").format(n=draft), RESEND, Ref(cycle_id, draft).encode()),
        button(_("Approve"), APPROVE, Ref(cycle_id, draft).encode(), style="primary"),
    )


def sent_back_message(
    *,
    area: str,
    title: str,
    comment: str,
    coordinator: str,
    cycle_id: int,
    entry_id: int,
    _: Gettext,
) -> Message:
    text = _("{coordinator} sent “{title}” back for another look ({area}).").format(
        coordinator=coordinator, title=title, area=area
    )
    blocks = [
        kit.section(escape(text)),
        kit.section(">" + escape(comment).replace("\n", "\n>")),
        kit.actions(
            button(_("Update"), UPDATE, Ref(cycle_id, entry_id=entry_id).encode(), style="primary")
        ),
    ]
    return kit.message(text, blocks)


def edited_message(
    *,
    title: str,
    coordinator: str,
    added: Sequence[str],
    removed: Sequence[str],
    phase_change: tuple[str, str] | None,
    note: str | None,
    _: Gettext,
) -> Message:
    text = _("{coordinator} edited your status for “{title}”.").format(
        coordinator=coordinator, title=title
    )
    lines = []
    for gone in removed[:10]:
        lines.append(_("Removed: {text}").format(text=f"~{escape(clip(gone, 300))}~"))
    for new in added[:10]:
        lines.append(_("Added: {text}").format(text=f"*{escape(clip(new, 300))}*"))
    if phase_change:
        lines.append(
            _("Phase: {before} → {after}").format(
                before=escape(phase_change[0]), after=escape(phase_change[1])
            )
        )
    if note:
        lines.append(_("Reason: {note}").format(note=escape(clip(note, 500))))
    blocks = [kit.section(escape(text))]
    if lines:
        blocks.append(kit.section("\n".join(lines)))
    return kit.message(text, blocks)


def entered_message(
    *, title: str, area: str, coordinator: str, markup: str, phase: str | None, _: Gettext
) -> Message:
    """To an owner: a coordinator entered their status (received outside Slack),
    with the text now recorded, in full (split over sections, plain text)."""
    text = _(
        "{coordinator} entered your status for “{title}” ({area}) on your behalf. "
        "This is the text now recorded:"
    ).format(coordinator=coordinator, title=title, area=area)
    blocks: list[kit.Block] = [kit.section(escape(text))]
    pieces = split_markup(markup, limits.SECTION_TEXT_MAX)
    room = limits.MESSAGE_MAX_BLOCKS - 3
    blocks += [kit.section(piece, markdown=False) for piece in pieces[:room]]
    notes = []
    if len(pieces) > room:
        notes.append(_("The rest of the text is in the report."))
    if phase:
        notes.append(_("Phase: {phase}").format(phase=phase))
    notes.append(_("Tell {coordinator} if something is wrong.").format(coordinator=coordinator))
    blocks.append(kit.context(*(escape(n) for n in notes)))
    return kit.message(text, blocks)


def revised_message(name: str, title: str, cycle_id: int, _: Gettext) -> Message:
    text = _("{name} revised “{title}” after your send-back.").format(name=name, title=title)
    return notice(text, compile_button(cycle_id, _))


def published_post(
    *, area: str, as_of: str, answered: int, total: int, contributors: int, _: Gettext
) -> str:
    return _(
        "The status report for {area} as of {as_of} is approved and published."
        " {answered} of {total} initiatives were answered by {people} contributors. Thank you!"
    ).format(area=area, as_of=as_of, answered=answered, total=total, people=contributors)


def thanks_message(area: str, as_of: str, channel: str, _: Gettext) -> Message:
    text = _(
        "Thank you for your contribution: the status report for {area} as of {as_of}"
        " is published in <#{channel}>."
    ).format(area=escape(area), as_of=as_of, channel=channel)
    return kit.message(Mrkdwn(text), [kit.section(text)])


# ---------------------------------------------------------------- modals


def _title(text: str) -> dict[str, Any]:
    return kit.plain(text, limits.MODAL_TITLE_MAX)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": kit.plain(text, limits.OPTION_TEXT_MAX), "value": value}


def _grouped_options(choices: Sequence[EntryChoice]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for choice in choices:
        groups.setdefault(choice.track, []).append(_option(choice.title, str(choice.entry_id)))
    return {
        "option_groups": [
            {"label": kit.plain(track, limits.OPTION_TEXT_MAX), "options": options[:100]}
            for track, options in list(groups.items())[:100]
        ]
    }


def send_back_modal(
    ref: Ref, area: str, choices: Sequence[EntryChoice], _: Gettext
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": SEND_BACK_VIEW,
        "title": _title(_("Send back")),
        "submit": _title(_("Send back")),
        "close": _title(_("Cancel")),
        "private_metadata": ref.encode(),
        "blocks": [
            kit.section(
                _("Which initiatives should their owners look at again in *{area}*?").format(
                    area=escape(area)
                )
            ),
            {
                "type": "input",
                "block_id": ENTRIES_BLOCK,
                "label": kit.plain(_("Initiatives"), limits.LABEL_MAX),
                "element": {
                    "type": "multi_static_select",
                    "action_id": VALUE,
                    "placeholder": kit.plain(_("Choose initiatives"), limits.PLACEHOLDER_MAX),
                    **_grouped_options(choices),
                },
            },
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": kit.plain(_("Comment to the owners"), limits.LABEL_MAX),
                "element": {
                    "type": "plain_text_input",
                    "action_id": VALUE,
                    "multiline": True,
                    "max_length": limits.INPUT_MAX_CHARS,
                },
            },
        ],
    }


def edit_pick_modal(
    ref: Ref, area: str, choices: Sequence[EntryChoice], _: Gettext
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": EDIT_PICK_VIEW,
        "title": _title(_("Edit a status")),
        "submit": _title(_("Next")),
        "close": _title(_("Cancel")),
        "private_metadata": ref.encode(),
        "blocks": [
            {
                "type": "input",
                "block_id": ENTRIES_BLOCK,
                "label": kit.plain(
                    _("Which initiative in {area}?").format(area=area), limits.LABEL_MAX
                ),
                "element": {
                    "type": "static_select",
                    "action_id": VALUE,
                    "placeholder": kit.plain(_("Choose an initiative"), limits.PLACEHOLDER_MAX),
                    **_grouped_options(choices),
                },
            }
        ],
    }


def _without_add_box(view: dict[str, Any]) -> dict[str, Any]:
    # The "add a box" button belongs to the managers' modal and its listener.
    view["blocks"] = [b for b in view["blocks"] if b.get("type") != "actions"]
    return view


def edit_modal(form: UpdateForm, ref: Ref, _: Gettext, slack_: Gettext) -> dict[str, Any]:
    """The managers' update modal, prefilled, as a coordinator's edit form."""
    view = _without_add_box(update_modal(form, slack_))
    view["callback_id"] = EDIT_VIEW
    view["title"] = _title(_("Edit status"))
    view["private_metadata"] = Ref(ref.cycle_id, ref.draft, form.entry_id).encode()
    for block in view["blocks"]:
        if block.get("block_id") == "note":
            block["label"] = kit.plain(_("Why (shown to the owner)"), limits.LABEL_MAX)
            block["element"].pop("initial_value", None)
    return view


def owner_update_modal(form: UpdateForm, ref: Ref, slack_: Gettext) -> dict[str, Any]:
    """The managers' update modal, prefilled, answering a send-back."""
    view = _without_add_box(update_modal(form, slack_))
    view["callback_id"] = UPDATE_VIEW
    view["private_metadata"] = Ref(ref.cycle_id, None, form.entry_id).encode()
    return view


def reopen_modal(ref: Ref, area: str, _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REOPEN_VIEW,
        "title": _title(_("Reopen report")),
        "submit": _title(_("Reopen")),
        "close": _title(_("Cancel")),
        "private_metadata": ref.encode(),
        "blocks": [
            kit.section(
                _(
                    "Reopening *{area}* lets owners and coordinators change it again;"
                    " it must then be approved anew."
                ).format(area=escape(area))
            ),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": kit.plain(_("Why is it reopened?"), limits.LABEL_MAX),
                "element": {
                    "type": "plain_text_input",
                    "action_id": VALUE,
                    "multiline": True,
                    "max_length": 1000,
                },
            },
        ],
    }


def settings_modal(home: AreaHome, _: Gettext) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": VALUE,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if home.report_channel:
        channel["initial_conversation"] = home.report_channel
    intro: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": True,
        "max_length": limits.INPUT_MAX_CHARS,
    }
    if home.intro:
        intro["initial_value"] = clip(home.intro, limits.INPUT_MAX_CHARS)
    approvals = [_option("1", "1"), _option("2", "2")]
    remind: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE}
    if home.default_reminders:
        remind["initial_value"] = home.default_reminders
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _title(_("Area settings")),
        "submit": _title(_("Save")),
        "close": _title(_("Cancel")),
        "private_metadata": str(home.area_id),
        "blocks": [
            kit.section(f"*{escape(home.area)}*"),
            {
                "type": "input",
                "block_id": CHANNEL_BLOCK,
                "optional": True,
                "label": kit.plain(_("Channel for published reports"), limits.LABEL_MAX),
                "element": channel,
            },
            {
                "type": "input",
                "block_id": INTRO_BLOCK,
                "optional": True,
                "label": kit.plain(_("Intro text of the report"), limits.LABEL_MAX),
                "element": intro,
            },
            {
                "type": "input",
                "block_id": APPROVALS_BLOCK,
                "label": kit.plain(_("Approvals needed"), limits.LABEL_MAX),
                "element": {
                    "type": "static_select",
                    "action_id": VALUE,
                    "options": approvals,
                    "initial_option": approvals[1 if home.approvals_required == 2 else 0],
                },
            },
            {
                "type": "input",
                "block_id": REMIND_BLOCK,
                "optional": True,
                "label": kit.plain(_("Default reminders before the deadline"), limits.LABEL_MAX),
                "hint": kit.plain(_("For example 3d,1d,2h"), limits.LABEL_MAX),
                "element": remind,
            },
            # Recurring rounds have a modal of their own (bot.blocks.schedule).
            kit.actions(
                button(_("Recurring rounds…"), SCHEDULE_EDIT, str(home.area_id)),
                block_id="schedule",
            ),
        ],
    }


# --------------------------------------------------------------- App Home


def home_section(
    areas: Sequence[AreaHome], viewer: Viewer, now: datetime, _: Gettext
) -> list[kit.Block]:
    """The coordinator's part of the App Home: per area, the current cycle with
    progress and buttons, past reports, and the settings."""
    if not areas:
        return []
    blocks: list[kit.Block] = [kit.divider(), kit.header(_("Coordinator"))]
    for home in areas:
        blocks.extend(_area_blocks(home, viewer, now, _))
    return blocks


def _area_blocks(home: AreaHome, viewer: Viewer, now: datetime, _: Gettext) -> list[kit.Block]:
    blocks: list[kit.Block] = [kit.section(f"*{escape(home.area)}*")]
    if home.cycle_id is None:
        blocks.append(kit.context(_("No current cycle.")))
    else:
        rate = round(100 * home.answered / home.total) if home.total else 100
        line = _("{state} · {answered} of {total} answered ({rate}%)").format(
            state=home.state_label, answered=home.answered, total=home.total, rate=rate
        )
        if home.deadline is not None:
            days = (home.deadline - now).days
            when = kit.fmt_datetime(home.deadline, viewer.tz, viewer.locale)
            if home.deadline > now:
                line += " · " + _("deadline {when} ({days} days left)").format(
                    when=when, days=max(0, days)
                )
            else:
                line += " · " + _("deadline {when} (passed)").format(when=when)
        if home.approvals:
            line += " · " + _("{n} of {needed} approvals").format(
                n=home.approvals, needed=home.approvals_needed
            )
        owners = [
            f"{'✅' if not o.missing else '•'} "
            + (f"<@{o.slack_user}>" if o.slack_user else escape(o.label))
            + " "
            + _("{answered} answered, {missing} missing").format(
                answered=o.answered, missing=o.missing
            )
            for o in home.owners[:20]
        ]
        blocks.append(kit.section(line + ("\n" + "\n".join(owners) if owners else "")))
        ref = Ref(home.cycle_id, home.draft_number or None).encode()
        buttons = []
        if home.state in ("collecting", "closed", "in_review"):
            buttons.append(
                button(_("Compile draft"), COMPILE, Ref(home.cycle_id).encode(), style="primary")
            )
            if home.state == "collecting" and home.answered < home.total:
                buttons.append(button(_("Remind missing"), REMIND, Ref(home.cycle_id).encode()))
            buttons.append(button(_("Approve"), APPROVE, Ref(home.cycle_id).encode()))
        if home.state == "approved":
            buttons.append(
                button(_("Publish"), PUBLISH, Ref(home.cycle_id).encode(), style="primary")
            )
            buttons.append(button(_("Download"), DOWNLOAD, Ref(home.cycle_id).encode()))
        if home.state in ("closed", "in_review", "approved"):
            buttons.append(button(_("Reopen…"), REOPEN, Ref(home.cycle_id).encode()))
        if buttons:
            blocks.append(kit.actions(*buttons, block_id=f"home_{home.area_id}_{ref}"))
    if home.history:
        lines = [
            _("As of {as_of}: {state}").format(
                as_of=kit.fmt_date(h.as_of, viewer.locale), state=escape(h.state)
            )
            for h in home.history
        ]
        blocks.append(kit.context(_("Earlier reports:") + " " + "; ".join(lines)))
        downloads = [
            button(
                _("Download {as_of}").format(as_of=h.as_of.isoformat()),
                DOWNLOAD,
                Ref(h.cycle_id).encode(),
            )
            for h in home.history
            if h.has_documents
        ]
        if downloads:
            blocks.append(kit.actions(*downloads[:5]))
    settings = _("Channel: {channel} · approvals needed: {n} · reminders: {remind}").format(
        channel=f"<#{home.report_channel}>" if home.report_channel else "—",
        n=home.approvals_required,
        remind=escape(home.default_reminders or "—"),
    )
    blocks.append(
        {
            "type": "section",
            "text": kit.mrkdwn(settings),
            "accessory": button(_("Settings…"), SETTINGS, str(home.area_id)),
        }
    )
    return blocks
