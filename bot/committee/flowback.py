"""What the next round is told about the committee's last decision.

:func:`committee_notice` is the one surface-free answer to "what do we tell the
managers": the decision's words (whole and abridged), its date, the committee,
and which initiatives it asks about with the committee's own words on each.
Slack's prompt renders it (:mod:`bot.committee.blocks`); the e-mail prompt can
render the same data. :func:`asked_answers` tells coordinators whether each
asked-about initiative has been answered in the round.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.committee.decisions import asked_initiatives, previous_decision
from bot.committee.i18n import gettext_for
from bot.committee.settings import read_committee
from storage.models import Cycle, Entry, EntrySource, Initiative

ABRIDGED_CHARS = 400
WORDS_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class AskedAbout:
    initiative_id: int
    title: str
    words: str  # the decision's sentence naming it, else the decision abridged


@dataclass(frozen=True)
class CommitteeNotice:
    committee: str | None
    meeting_date: date
    text: str  # the whole decision
    abridged: str
    absent: tuple[str, ...] = ()
    asked: tuple[AskedAbout, ...] = ()

    def words_for(self, initiative_id: int) -> str | None:
        """The committee's words on one initiative, when the decision asks about it."""
        return next((a.words for a in self.asked if a.initiative_id == initiative_id), None)

    def lead(self, locale: str, when: str) -> str:
        """The line above the decision's words (plain text; ``when`` is its
        date as the surface writes dates)."""
        _ = gettext_for(locale)
        if self.committee:
            return _("{committee} decided on {date}, about the last report:").format(
                committee=self.committee, date=when
            )
        return _("The committee decided on {date}, about the last report:").format(date=when)


def asked_text(words: str, locale: str) -> str:
    """The flag on an initiative the committee asks about, in its own words (plain text)."""
    return gettext_for(locale)("The committee asks about this: “{words}”").format(words=words)


@dataclass(frozen=True)
class AskedAnswer:
    title: str
    answered: bool


def abridge(text: str, limit: int) -> str:
    return textwrap.shorten(" ".join(text.split()), limit, placeholder=" …")


def words_about(text: str, initiative: Initiative, limit: int = WORDS_CHARS) -> str:
    """The decision's sentence(s) naming the initiative (title or key), else the
    decision's opening, abridged."""
    names = [n.casefold() for n in (initiative.title, initiative.nr or "") if n.strip()]
    sentences = [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]
    naming = [s for s in sentences if any(n in s.casefold() for n in names)]
    return abridge(" ".join(naming) if naming else text, limit)


def committee_notice(session: Session, cycle: Cycle) -> CommitteeNotice | None:
    """The committee's last decision on the cycle's area before this report, as
    the round's prompts tell it; None when the committee has decided nothing yet."""
    decision = previous_decision(session, cycle)
    if decision is None:
        return None
    return CommitteeNotice(
        committee=read_committee(session, cycle.area_id).committee,
        meeting_date=decision.meeting_date,
        text=decision.text,
        abridged=abridge(decision.text, ABRIDGED_CHARS),
        absent=tuple(decision.absent or ()),
        asked=tuple(
            AskedAbout(i.id, i.title, words_about(decision.text, i))
            for i in asked_initiatives(session, decision)
        ),
    )


def asked_answers(session: Session, cycle: Cycle) -> list[AskedAnswer]:
    """Each initiative the last decision asks about, and whether it is answered
    in this cycle (a "no change" counts as an answer; not in the round: not answered)."""
    notice = committee_notice(session, cycle)
    if notice is None or not notice.asked:
        return []
    sources = dict(
        session.execute(
            select(Entry.initiative_id, Entry.source).where(
                Entry.cycle_id == cycle.id,
                Entry.initiative_id.in_([a.initiative_id for a in notice.asked]),
                Entry.withdrawn_at.is_(None),
            )
        ).all()
    )
    return [
        AskedAnswer(
            a.title, sources.get(a.initiative_id, EntrySource.PENDING) != EntrySource.PENDING
        )
        for a in notice.asked
    ]
