"""An area's review settings: report channel, intro text, date line, organisation,
approvals, reminders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.review.common import Gettext, load_area, require_coordinator, texts
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.dates import format_offsets, parse_offsets
from storage.models import Area

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,20}$")
MAX_INTRO = 5000
MAX_LINE = 200  # date line and organisation: one line each


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class AreaSettings:
    area_id: int
    name: str
    report_channel: str | None
    intro: str | None
    approvals_required: int
    default_reminders: str
    date_line: str | None = None
    organisation: str | None = None


def read_settings(area: Area) -> AreaSettings:
    return AreaSettings(
        area_id=area.id,
        name=area.name,
        report_channel=area.report_channel,
        intro=area.intro,
        approvals_required=area.approvals_required or 1,
        default_reminders=area.default_reminders or "",
        date_line=area.date_line,
        organisation=area.organisation,
    )


def update_settings(
    session: Session,
    *,
    area_id: int,
    actor: Actor,
    now: datetime,
    report_channel: str | None = UNSET,
    intro: str | None = UNSET,
    approvals_required: int = UNSET,
    default_reminders: str = UNSET,
    date_line: str | None = UNSET,
    organisation: str | None = UNSET,
    locale: str | None = None,
) -> AreaSettings:
    """Change the given settings (others stay); every input is checked before anything changes.

    ``report_channel`` is a Slack channel id (``C…``/``G…``); ``None`` or ``""`` clears it,
    as it does ``date_line`` (one line above the title; ``{date}`` in it becomes the
    date the document is made) and ``organisation`` (the documents' author).
    """
    _ = texts(actor, locale)
    area = load_area(session, area_id)
    require_coordinator(session, actor, area, _)
    new: dict[str, Any] = {}
    if report_channel is not UNSET:
        channel = (report_channel or "").strip().upper() or None
        if channel is not None and not CHANNEL_ID.match(channel):
            raise InvalidInput(
                _("{value!r} is not a Slack channel id (it looks like C0123ABCD).").format(
                    value=report_channel
                ),
                field="report_channel",
            )
        new["report_channel"] = channel
    if intro is not UNSET:
        text = (intro or "").replace("\r\n", "\n").strip() or None
        if text is not None and len(text) > MAX_INTRO:
            raise InvalidInput(
                _("The intro text is too long (at most {n} characters).").format(n=MAX_INTRO),
                field="intro",
            )
        new["intro"] = text
    for name, value in (("date_line", date_line), ("organisation", organisation)):
        if value is not UNSET:
            new[name] = _one_line(value, name, _)
    if approvals_required is not UNSET:
        if approvals_required not in (1, 2):
            raise InvalidInput(_("Approvals needed must be 1 or 2."), field="approvals_required")
        new["approvals_required"] = approvals_required
    if default_reminders is not UNSET:
        new["default_reminders"] = format_offsets(parse_offsets(default_reminders or ""))

    changes = audit.apply_changes(area, new)
    if changes:
        audit.record(session, actor, "area.settings", area_id=area.id, now=now, changes=changes)
    session.flush()
    return read_settings(area)


def _one_line(value: str | None, field: str, _: Gettext) -> str | None:
    text = " ".join((value or "").split()) or None
    if text is not None and len(text) > MAX_LINE:
        message = (
            _("The date line is too long (at most {n} characters).")
            if field == "date_line"
            else _("The organisation name is too long (at most {n} characters).")
        )
        raise InvalidInput(message.format(n=MAX_LINE), field=field)
    return text
