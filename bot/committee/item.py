"""The agenda item of an approved cycle, as data: case heading, the four
sections' texts, and the bilag (the approved report's stored bytes)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.committee.decisions import check_meeting_date
from bot.committee.flowback import committee_notice
from bot.committee.i18n import Gettext, gettext_for
from bot.committee.settings import read_committee
from bot.committee.summary import paragraphs_of, sagsfremstilling
from bot.errors import InvalidState
from bot.review.common import load_cycle
from bot.review.compile import summarise
from bot.review.documents import approved_documents, file_stem, verify
from bot.review.i18n import gettext_for as review_gettext
from bot.review.states import state_label
from reports.build import build_document
from reports.texts import long_date
from storage.models import CommitteeAccess, Cycle, CycleState, Document

SECTION_KEYS = ("sagsfremstilling", "sammenhaeng", "oekonomi", "indstilling")
ITEM_STATES = (CycleState.APPROVED, CycleState.PUBLISHED)


@dataclass(frozen=True)
class Bilag:
    number: int
    title: str
    file: str  # the path inside the package
    access: str
    content: bytes = field(repr=False)
    document_id: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class AgendaItem:
    cycle_id: int
    area: str
    locale: str
    title: str
    committee: str
    meeting_date: date
    case_number: str
    access: str  # "open" / "closed"
    sections: dict[str, list[str]]  # key → paragraphs, in SECTION_KEYS order
    bilag: list[Bilag]
    notes: list[str] = field(default_factory=list)  # what the operator should know

    def text(self, key: str) -> str:
        return "\n\n".join(self.sections[key])

    @property
    def access_label(self) -> str:
        return access_label(self.access, self.locale)

    @property
    def meeting_long(self) -> str:
        return long_date(self.meeting_date, self.locale)


def access_label(access: str, locale: str) -> str:
    _ = gettext_for(locale)
    return _("Closed case") if access == CommitteeAccess.CLOSED else _("Open case")


def section_headings(locale: str) -> dict[str, str]:
    """The headings of seed 003's agenda item, in its order."""
    _ = gettext_for(locale)
    return {
        "sagsfremstilling": _("Case presentation"),
        "sammenhaeng": _("Relation to other policies/strategies and areas"),
        "oekonomi": _("Financial consequences"),
        "indstilling": _("Recommendation"),
    }


def decision_heading(item: AgendaItem) -> str:
    _ = gettext_for(item.locale)
    if item.committee:
        return _("Decision in {committee} on {date}").format(
            committee=item.committee, date=item.meeting_long
        )
    return _("Decision")


def default_recommendation(area: str, as_of: date, locale: str) -> str:
    _ = gettext_for(locale)
    return _(
        "The administration recommends that the committee takes the status of {area} "
        "as of {as_of} to note."
    ).format(area=area, as_of=long_date(as_of, locale))


def build_item(
    session: Session,
    *,
    cycle_id: int,
    meeting: date,
    locale: str,
    with_docx: bool = False,
    now: datetime | None = None,
    zone: str = "Europe/Copenhagen",
    messages_locale: str | None = None,
) -> AgendaItem:
    """The agenda item of an approved (or published) cycle; refused otherwise,
    and for a meeting before the report's as-of date. ``locale`` is the
    document's language; ``messages_locale`` the refusals'."""
    _ = gettext_for(messages_locale or locale)
    cycle = load_cycle(session, cycle_id)
    if cycle.state not in ITEM_STATES:
        raise InvalidState(
            _(
                "Only an approved report goes to the committee; cycle {id} is {state}. "
                "Approve it first."
            ).format(id=cycle.id, state=_state(cycle.state, messages_locale or locale))
        )
    check_meeting_date(cycle, meeting, _)
    settings = read_committee(session, cycle.area_id)
    document = build_document(session, cycle.id, locale=locale, now=now, zone=zone)
    summary = summarise(session, document)
    notice = committee_notice(session, cycle)
    sections = {
        "sagsfremstilling": sagsfremstilling(settings.background, document, summary, notice),
        "sammenhaeng": paragraphs_of(settings.policy),
        "oekonomi": paragraphs_of(settings.economy),
        "indstilling": paragraphs_of(settings.recommendation)
        or [default_recommendation(cycle.area.name, cycle.as_of, locale)],
    }
    bilag, notes = _bilag(session, cycle, document.title, settings.access, with_docx, _)
    return AgendaItem(
        cycle_id=cycle.id,
        area=cycle.area.name,
        locale=locale,
        title=document.title,
        committee=settings.committee or "",
        meeting_date=meeting,
        case_number=settings.case_number or "",
        access=settings.access,
        sections=sections,
        bilag=bilag,
        notes=notes,
    )


def _state(state: str, locale: str) -> str:
    return state_label(state, review_gettext(locale))


def _bilag(
    session: Session, cycle: Cycle, title: str, access: str, with_docx: bool, _: Gettext
) -> tuple[list[Bilag], list[str]]:
    """Bilag 1 is the approved PDF byte for byte. A snapshot made where PDF
    rendering was not installed has none: then the approved Word file is bilag
    1 (never a PDF made now, which would not be the approved bytes)."""
    stored: dict[str, Document] = {d.format: d for d in approved_documents(session, cycle.id)}
    if "pdf" not in stored and "docx" not in stored:
        raise InvalidState(
            _("Cycle {id} has no stored approved report to attach.").format(id=cycle.id)
        )
    stem = file_stem(cycle.area.name, cycle)
    wanted = ["pdf"] if "pdf" in stored else ["docx"]
    notes: list[str] = []
    if "pdf" not in stored:
        notes.append(
            _(
                "The approved snapshot has no PDF (PDF rendering was not installed when it "
                "was approved): bilag 1 is the approved Word file."
            )
        )
    if with_docx and "docx" not in wanted:
        wanted.append("docx")
    bilag = []
    for number, fmt in enumerate(wanted, start=1):
        row = stored[fmt]
        if not verify(row):
            raise InvalidState(
                _(
                    "The stored approved {format} of cycle {id} no longer matches its "
                    "recorded SHA-256; it is not attached."
                ).format(format=fmt.upper(), id=cycle.id)
            )
        bilag.append(
            Bilag(
                number=number,
                title=title,
                file=f"bilag/{number:02d}-{stem}.{fmt}",
                access=access,
                content=row.content,
                document_id=row.id,
            )
        )
    return bilag, notes
