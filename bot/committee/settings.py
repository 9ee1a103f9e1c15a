"""An area's committee settings: the committee, the case, and the standing
texts of the agenda item's sections. Changed by coordinators, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.committee.i18n import Gettext, gettext_for
from bot.errors import InvalidInput
from bot.review.area_settings import UNSET
from bot.review.common import load_area, locale_of, require_coordinator
from bot.workflow import audit
from bot.workflow.actor import Actor
from storage.models import CommitteeAccess, CommitteeSettings

MAX_LINE = 200
MAX_TEXT = 20000
TEXT_FIELDS = ("background", "policy", "economy", "recommendation")
ACCESS_VALUES = tuple(a.value for a in CommitteeAccess)


@dataclass(frozen=True)
class CommitteeView:
    """An area's committee settings as plain data (empty when never set)."""

    area_id: int
    committee: str | None = None
    case_number: str | None = None
    access: str = CommitteeAccess.OPEN.value
    background: str | None = None
    policy: str | None = None
    economy: str | None = None
    recommendation: str | None = None

    @property
    def is_open(self) -> bool:
        return self.access != CommitteeAccess.CLOSED


def read_committee(session: Session, area_id: int) -> CommitteeView:
    row = session.get(CommitteeSettings, area_id)
    if row is None:
        return CommitteeView(area_id)
    return CommitteeView(
        area_id=area_id,
        committee=row.committee,
        case_number=row.case_number,
        access=row.access or CommitteeAccess.OPEN.value,
        background=row.background,
        policy=row.policy,
        economy=row.economy,
        recommendation=row.recommendation,
    )


def update_committee(
    session: Session,
    *,
    area_id: int,
    actor: Actor,
    now: datetime,
    locale: str | None = None,
    committee: str | None = UNSET,
    case_number: str | None = UNSET,
    access: str = UNSET,
    background: str | None = UNSET,
    policy: str | None = UNSET,
    economy: str | None = UNSET,
    recommendation: str | None = UNSET,
) -> CommitteeView:
    """Change the given settings (others stay); everything is checked first.
    ``None`` or ``""`` clears a setting (access back to open)."""
    _ = gettext_for(locale_of(actor, locale))
    area = load_area(session, area_id)
    require_coordinator(session, actor, area, _)
    new: dict[str, Any] = {}
    if committee is not UNSET:
        new["committee"] = _one_line(committee, _("The committee's name"), "committee", _)
    if case_number is not UNSET:
        new["case_number"] = _one_line(case_number, _("The case number"), "case_number", _)
    if access is not UNSET:
        value = (access or CommitteeAccess.OPEN.value).strip().lower()
        if value not in ACCESS_VALUES:
            raise InvalidInput(
                _("Access must be open or closed, not {value!r}.").format(value=access),
                field="access",
            )
        new["access"] = value
    given = dict(zip(TEXT_FIELDS, (background, policy, economy, recommendation), strict=True))
    for name, value in given.items():
        if value is UNSET:
            continue
        text = (value or "").replace("\r\n", "\n").strip() or None
        if text is not None and len(text) > MAX_TEXT:
            raise InvalidInput(
                _("The {field} text is too long (at most {n} characters).").format(
                    field=_field_label(name, _), n=MAX_TEXT
                ),
                field=name,
            )
        new[name] = text

    row = session.get(CommitteeSettings, area.id)
    if row is None:
        row = CommitteeSettings(area_id=area.id, access=CommitteeAccess.OPEN.value, updated_at=now)
        session.add(row)
    changes = audit.apply_changes(row, new)
    if changes:
        row.updated_at = now
        audit.record(
            session, actor, "committee.settings", area_id=area.id, now=now, changes=changes
        )
    session.flush()
    return read_committee(session, area.id)


def _field_label(name: str, _: Gettext) -> str:
    return {
        "background": _("background"),
        "policy": _("policy context"),
        "economy": _("economy"),
        "recommendation": _("recommendation"),
    }[name]


def _one_line(value: str | None, label: str, field: str, _: Gettext) -> str | None:
    text = " ".join((value or "").split()) or None
    if text is not None and len(text) > MAX_LINE:
        raise InvalidInput(
            _("{label} is too long (at most {n} characters).").format(label=label, n=MAX_LINE),
            field=field,
        )
    return text
