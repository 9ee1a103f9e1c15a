"""Two coordinators approving the same draft at the same moment (two threads,
each in its own transaction as the Approve button runs it): the report ends
approved exactly once — one set of approved documents, one audit event per
stored approval — and with one approval needed the loser's approval is not
left behind. The threads are held at the same point (after loading the cycle,
before either writes) so the race happens every run."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from review_world import NOW, World, answer_all, open_default
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.review import approve
from bot.review.txn import run_once
from bot.workflow.actor import Actor
from storage.models import (
    Approval,
    Area,
    AuditEvent,
    Cycle,
    CycleState,
    Document,
    DocumentKind,
    Person,
)


def _hold_both_at_first_approval_read(engine: Engine, parties: int) -> None:
    """Each thread's first query of the approvals waits until all have got there."""
    barrier = threading.Barrier(parties, timeout=10)
    seen: set[int] = set()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        me = threading.get_ident()
        if me in seen or "FROM approvals" not in statement:
            return
        seen.add(me)
        barrier.wait()

    event.listen(engine, "before_cursor_execute", before)


def _race(factory: sessionmaker[Session], cycle_id: int, person_ids: list[int]) -> list[Any]:
    def click(person_id: int) -> Any:
        def act(session: Session) -> tuple[bool, bool]:
            person = session.get(Person, person_id)
            result = approve(session, cycle_id=cycle_id, actor=Actor.of(person), now=NOW)
            return result.approved, result.changed

        return run_once(factory, act)

    with ThreadPoolExecutor(len(person_ids)) as pool:
        return list(pool.map(click, person_ids))


def _counts(session: Session, cycle_id: int) -> tuple[int, int, int]:
    approvals = session.scalar(
        select(func.count()).select_from(Approval).where(Approval.cycle_id == cycle_id)
    )
    documents = session.scalar(
        select(func.count())
        .select_from(Document)
        .where(Document.cycle_id == cycle_id, Document.kind == DocumentKind.APPROVED)
    )
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.cycle_id == cycle_id, AuditEvent.action == "review.approve")
    )
    return int(approvals or 0), int(documents or 0), int(events or 0)


@pytest.mark.parametrize("needed", [2, 1])
def test_simultaneous_approvals_approve_exactly_once(
    engine: Engine, session_factory: sessionmaker[Session], world: World, needed: int
) -> None:
    with session_factory() as session:
        area = session.get(Area, world.area.id)
        assert area is not None
        area.approvals_required = needed
        session.commit()
        cycle = open_default(session, world)
        answer_all(session, world, cycle)
        session.commit()
        cycle_id = cycle.id
    _hold_both_at_first_approval_read(engine, 2)

    results = _race(session_factory, cycle_id, [world.coordinator.id, world.coordinator2.id])

    with session_factory() as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        assert cycle.state == CycleState.APPROVED
        approvals, documents, events = _counts(session, cycle_id)
    # One click froze the report; the other waited for it (2) or found it approved (1).
    expected = [(False, True), (True, True)] if needed == 2 else [(True, False), (True, True)]
    assert sorted(results) == expected
    # Each approval stored has its audit event; the approved files exist once.
    assert approvals == needed
    assert events == needed
    assert documents == 2  # docx + html (PDF is off in these tests)
    assert sum(changed for _approved, changed in results) == needed
