"""The committee's decision on a cycle's report: recorded (audited), shown,
and found again as "the previous decision" when the next round starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.committee.i18n import Gettext, gettext_for
from bot.errors import Conflict, InvalidInput
from bot.review.common import load_cycle, locale_of, require_coordinator
from bot.workflow import audit
from bot.workflow.actor import Actor
from storage.models import CommitteeDecision, Cycle, Initiative

MAX_DECISION = 20000
MAX_ABSENT = 50


@dataclass(frozen=True)
class RecordResult:
    decision: CommitteeDecision
    replaced: CommitteeDecision | None


def check_meeting_date(cycle: Cycle, meeting: date, _: Gettext) -> None:
    """A committee meets about a report after the date it reports on."""
    if meeting < cycle.as_of:
        raise InvalidInput(
            _(
                "The meeting date {meeting} is before the report's as-of date {as_of}: "
                "a committee cannot treat a status before it exists."
            ).format(meeting=meeting.isoformat(), as_of=cycle.as_of.isoformat()),
            field="meeting",
        )


def decision_of(session: Session, cycle_id: int) -> CommitteeDecision | None:
    """The cycle's current (not replaced) decision."""
    return session.scalar(
        select(CommitteeDecision)
        .where(CommitteeDecision.cycle_id == cycle_id, CommitteeDecision.replaced_at.is_(None))
        .order_by(CommitteeDecision.id.desc())
    )


def previous_decision(session: Session, cycle: Cycle) -> CommitteeDecision | None:
    """The committee's latest decision on an earlier report of the cycle's area:
    what the next round is told and the next agenda item quotes."""
    return session.scalar(
        select(CommitteeDecision)
        .join(Cycle, Cycle.id == CommitteeDecision.cycle_id)
        .where(
            Cycle.area_id == cycle.area_id,
            Cycle.id != cycle.id,
            Cycle.as_of <= cycle.as_of,
            CommitteeDecision.replaced_at.is_(None),
        )
        .order_by(
            Cycle.as_of.desc(), CommitteeDecision.meeting_date.desc(), CommitteeDecision.id.desc()
        )
    )


def record_decision(
    session: Session,
    *,
    cycle_id: int,
    meeting: date,
    text: str,
    actor: Actor,
    now: datetime,
    absent: list[str] | tuple[str, ...] = (),
    asks_about: list[int] | tuple[int, ...] = (),
    replace: bool = False,
    locale: str | None = None,
) -> RecordResult:
    """Record the committee's decision on the cycle's report.

    An empty text and a meeting before the as-of date are refused; so is a
    second decision for the same cycle unless ``replace`` (the old one is kept,
    marked replaced, and the replacement audited)."""
    _ = gettext_for(locale_of(actor, locale))
    cycle = load_cycle(session, cycle_id)
    require_coordinator(session, actor, cycle.area, _)
    body = text.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput(_("The decision text is empty."), field="text")
    if len(body) > MAX_DECISION:
        raise InvalidInput(
            _("The decision text is too long (at most {n} characters).").format(n=MAX_DECISION),
            field="text",
        )
    check_meeting_date(cycle, meeting, _)
    names = [" ".join(a.split()) for a in absent if a.strip()]
    if len(names) > MAX_ABSENT:
        raise InvalidInput(
            _("At most {n} absent members can be named.").format(n=MAX_ABSENT), field="absent"
        )
    asked = list(dict.fromkeys(asks_about))
    if asked:
        found = set(
            session.scalars(
                select(Initiative.id).where(
                    Initiative.id.in_(asked), Initiative.area_id == cycle.area_id
                )
            )
        )
        stray = [i for i in asked if i not in found]
        if stray:
            raise InvalidInput(
                _("The decision can only ask about initiatives of {area}.").format(
                    area=cycle.area.name
                ),
                field="asks_about",
            )
    earlier = decision_of(session, cycle.id)
    if earlier is not None and not replace:
        raise Conflict(
            _(
                "The committee's decision of {date} is already recorded for this report; "
                "replace it explicitly (--replace) to record another."
            ).format(date=earlier.meeting_date.isoformat())
        )
    if earlier is not None:
        earlier.replaced_at = now
    decision = CommitteeDecision(
        cycle_id=cycle.id,
        meeting_date=meeting,
        text=body,
        absent=names,
        asks_about=asked,
        recorded_by_id=actor.person_id,
        recorded_by_label=actor.label[:200],
        recorded_at=now,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor,
        "committee.decision.replace" if earlier is not None else "committee.decision",
        area_id=cycle.area_id,
        cycle_id=cycle.id,
        now=now,
        meeting=meeting,
        decision_id=decision.id,
        replaced=earlier.id if earlier is not None else None,
        absent=names,
        asks_about=asked,
        characters=len(body),
    )
    return RecordResult(decision, earlier)


def asked_initiatives(session: Session, decision: CommitteeDecision) -> list[Initiative]:
    if not decision.asks_about:
        return []
    rows = {
        i.id: i
        for i in session.scalars(select(Initiative).where(Initiative.id.in_(decision.asks_about)))
    }
    return [rows[i] for i in decision.asks_about if i in rows]
