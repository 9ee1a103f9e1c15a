"""An approved cycle to take to the committee: the review tests' small area
(two tracks, four initiatives), answered and approved by a coordinator."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.review import approve
from bot.workflow.actor import Actor
from storage.models import Cycle
from tests.review.review_world import (
    DEADLINE,
    NOW,
    World,
    answer,
    answer_all,
    entries_of,
    make_world,
    open_default,
)

AFTER = DEADLINE + timedelta(hours=2)

__all__ = ["AFTER", "NOW", "World", "answer", "approved_cycle", "entries_of", "make_world"]


def approved_cycle(
    session: Session,
    world: World,
    *,
    as_of: date = date(2026, 3, 1),
    answered: int = 4,
    at=NOW,  # type: ignore[no-untyped-def]
) -> Cycle:
    """A cycle of ``world``'s area as of ``as_of`` with the first ``answered``
    initiatives answered, approved by the coordinator (a day after ``at``)."""
    cycle = open_default(session, world, as_of=as_of, now=at, deadline=at + timedelta(days=7))
    if answered == 4:
        answer_all(session, world, cycle)
    else:
        people = [world.owner_a, world.owner_a, world.owner_b, world.owner_b]
        for entry, person in list(zip(entries_of(session, cycle), people, strict=True))[:answered]:
            answer(session, entry, person, f"Status for {entry.initiative.title}.", at=at)
    approve(
        session,
        cycle_id=cycle.id,
        actor=Actor.of(world.coordinator),
        now=at + timedelta(days=8),
        with_missing=True,
    )
    session.commit()
    return cycle
