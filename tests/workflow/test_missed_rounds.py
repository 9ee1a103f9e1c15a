"""A missed round never erases a status (issue 11).

Round 1 answered; the following rounds approved with the owner missing (the
report carried the text); the next round still carries, prefills, shows and
compares the initiative's *last known status*: round 1's text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.delivery.surfaces import previous_texts
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import carry_forward, previous_entry, submit_update
from reports import build_document
from storage.models import Area, Cycle, CycleState, Entry, EntrySource, Initiative, Person, Track
from storage.richtext import StatusText

FIRST = "Stillingen er slået op. Samtaler i uge 12."
START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def _registry(session: Session) -> tuple[Area, Initiative, Person]:
    area = Area(name="Socialområdet", key="socialområdet")
    session.add(area)
    session.flush()
    track = Track(area_id=area.id, name="Organisering", key="organisering")
    session.add(track)
    session.flush()
    owner = Person(slack_user_id="UOWNER01", display_name="Lene Holm")
    session.add(owner)
    session.flush()
    initiative = Initiative(
        area_id=area.id, track_id=track.id, title="Ny områdechef", key="ny områdechef",
        plan="Rekruttering i 2024", owner_id=owner.id,
    )  # fmt: skip
    session.add(initiative)
    session.flush()
    return area, initiative, owner


def _round(session: Session, area: Area, number: int) -> tuple[Cycle, Entry]:
    now = START + timedelta(days=180 * number)
    cycle = open_cycle(
        session,
        area_id=area.id,
        as_of=date(now.year, now.month, 1),
        deadline=now + timedelta(days=10),
        remind=[],
        title=None,
        actor=Actor.cli(),
        now=now,
    )
    (entry,) = cycle.entries
    return cycle, entry


def _approve(cycle: Cycle) -> None:
    cycle.state = CycleState.APPROVED


def _answered_first_round(session: Session) -> tuple[Area, Initiative, Person]:
    area, initiative, owner = _registry(session)
    cycle, entry = _round(session, area, 1)
    submit_update(
        session,
        entry_id=entry.id,
        actor=Actor.of(owner),
        status=StatusText.from_markup(FIRST),
        phase="in_progress",
        now=START + timedelta(days=181),
    )
    _approve(cycle)
    return area, initiative, owner


@pytest.mark.parametrize("rounds", [3, 4])
def test_last_known_status_survives_missed_rounds(session: Session, rounds: int) -> None:
    area, initiative, owner = _answered_first_round(session)
    for number in range(2, rounds):  # approved with the owner missing
        cycle, entry = _round(session, area, number)
        missed = build_document(session, cycle.id)
        assert [b.text for b in missed.rows[0].blocks] == [FIRST]
        assert missed.rows[0].flags.no_answer
        _approve(cycle)
    session.commit()

    cycle, entry = _round(session, area, rounds)
    # The report carries the text (not "–"), the prompt shows it, the form is prefilled.
    document = build_document(session, cycle.id)
    (row,) = document.rows
    assert [b.text for b in row.blocks] == [FIRST]
    assert not row.flags.new and not row.flags.changed
    assert previous_texts(session, cycle, [entry]) == {initiative.id: FIRST}
    known = previous_entry(session, entry)
    assert known is not None and known.status is not None
    assert known.status.to_markup() == FIRST

    # An answer is compared with round 1's text: only the new sentence is red.
    submit_update(
        session,
        entry_id=entry.id,
        actor=Actor.of(owner),
        status=StatusText.from_markup(FIRST + " Anne Holm er ansat pr. 1. maj."),
        phase="in_progress",
        now=cycle.deadline - timedelta(days=1),
    )
    (row,) = build_document(session, cycle.id).rows
    marked = [s.text for b in row.blocks for s in b.segments if s.changed]
    assert marked == ["Anne Holm er ansat pr. 1. maj."]


def test_no_change_after_missed_rounds_carries_the_last_known_text(session: Session) -> None:
    area, _initiative, owner = _answered_first_round(session)
    for number in (2, 3):
        cycle, _entry = _round(session, area, number)
        _approve(cycle)
    cycle, entry = _round(session, area, 4)
    carried = carry_forward(
        session, entry_id=entry.id, actor=Actor.of(owner), now=cycle.deadline - timedelta(days=1)
    )
    assert carried.source == EntrySource.CARRY_FORWARD
    assert carried.status is not None and carried.status.to_markup() == FIRST
    assert carried.phase == "in_progress"
