"""Approve racing Send back on the same draft (two threads, each in its own
transaction as the Slack buttons run them, on SQLite and on PostgreSQL):
exactly one wins. A send-back that lands first leaves the approval refused
with "the draft changed" (compile a new draft); an approval that lands first
leaves the send-back refused because the report is approved. Never both: a
report approved with an open send-back.

Each thread waits at its first write until the other has got there too, or
for at most a moment: without a lock on the cycle both reach it (the race
happens every run); with one, the second waits for the first to commit."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from review_world import NOW, World, answer_all, entries_of, open_default
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import WorkflowError
from bot.review import approve, compile_draft, send_back
from bot.review.txn import run_once
from bot.workflow.actor import Actor
from storage.models import Approval, Cycle, CycleState, Person, ReviewRequest

REPEATS = 4
MEET_S = 0.5  # how long a thread waits at its first write for the other


def _meet_at_first_write(engine: Engine, parties: int) -> Any:
    barrier = threading.Barrier(parties, timeout=MEET_S)
    seen: set[int] = set()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        me = threading.get_ident()
        if me in seen or not statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            return
        seen.add(me)
        # The other may be held by a lock (or done already): then go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


def _prepared(factory: sessionmaker[Session], world: World) -> tuple[int, int, int]:
    """A closed-for-review cycle with a compiled draft: (cycle, draft, entry)."""
    with factory() as session:
        cycle = open_default(session, world)
        answer_all(session, world, cycle)
        session.commit()
        coordinator = session.get(Person, world.coordinator.id)
        compiled = compile_draft(session, cycle_id=cycle.id, actor=Actor.of(coordinator), now=NOW)
        session.commit()
        return cycle.id, compiled.cycle.draft_number, entries_of(session, cycle)[0].id


def _race(
    factory: sessionmaker[Session], world: World, cycle_id: int, draft: int | None, entry: int
) -> dict[str, str]:
    def approving() -> str:
        def act(session: Session) -> str:
            actor = Actor.of(session.get(Person, world.coordinator.id))
            result = approve(session, cycle_id=cycle_id, actor=actor, now=NOW, draft_number=draft)
            return "approved" if result.approved else "waiting"

        return _outcome(lambda: run_once(factory, act))

    def sending_back() -> str:
        def act(session: Session) -> str:
            actor = Actor.of(session.get(Person, world.coordinator2.id))
            send_back(
                session, cycle_id=cycle_id, entry_ids=[entry], comment="Uddyb venligst.",
                actor=actor, now=NOW, draft_number=draft,
            )  # fmt: skip
            return "sent back"

        return _outcome(lambda: run_once(factory, act))

    with ThreadPoolExecutor(2) as pool:
        a, s = pool.submit(approving), pool.submit(sending_back)
        return {"approve": a.result(), "send back": s.result()}


def _outcome(call: Any) -> str:
    try:
        return call()
    except WorkflowError as exc:
        return f"refused: {exc.message}"


@pytest.mark.parametrize("with_draft", [True, False], ids=["draft button", "no draft number"])
def test_approve_and_send_back_at_once_exactly_one_wins(
    engine: Engine, session_factory: sessionmaker[Session], world: World, with_draft: bool
) -> None:
    for _ in range(REPEATS):
        cycle_id, draft, entry = _prepared(session_factory, world)
        stop = _meet_at_first_write(engine, 2)
        try:
            results = _race(session_factory, world, cycle_id, draft if with_draft else None, entry)
        finally:
            stop()
        with session_factory() as session:
            cycle = session.get(Cycle, cycle_id)
            assert cycle is not None
            open_requests = session.scalar(
                select(func.count())
                .select_from(ReviewRequest)
                .where(ReviewRequest.cycle_id == cycle_id, ReviewRequest.resolved_at.is_(None))
            )
            approvals = session.scalar(
                select(func.count()).select_from(Approval).where(Approval.cycle_id == cycle_id)
            )
        won = [name for name, result in results.items() if not result.startswith("refused")]
        assert len(won) == 1, results
        if won == ["approve"]:
            assert cycle.state == CycleState.APPROVED and open_requests == 0, results
            assert "approved" in results["send back"], results
        else:
            assert cycle.state == CycleState.IN_REVIEW and open_requests == 1, results
            assert approvals == 0, results
            assert "draft" in results["approve"], results  # "compile a new draft"
