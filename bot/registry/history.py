"""An initiative's *last known status*: what the next report carries, prefills
and compares with.

It is the initiative's most recent text in an approved or published cycle
(a baseline counts as approved), however many rounds it missed since, in any
area (an initiative moved to a new area keeps its history); failing that, its
most recent text in a closed or in-review cycle. Entries withdrawn from a
round never count. Rounds that reported the initiative without an answer
(no text of their own) are skipped, so a missed round never erases a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

from sqlalchemy import BindParameter, Date, Integer, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from storage.models import Cycle, CycleState, Entry

APPROVED = (CycleState.APPROVED.value, CycleState.PUBLISHED.value)
REPORTED = (*APPROVED, CycleState.CLOSED.value, CycleState.IN_REVIEW.value)


def last_known_query(
    as_of: date | BindParameter[date],
    cycle_id: int | BindParameter[int],
    initiative_ids: Iterable[int] | Select | BindParameter,  # type: ignore[type-arg]
) -> Select:  # type: ignore[type-arg]
    """One row per initiative with a history before the cycle (``as_of``,
    ``cycle_id``): ``entry_id``, ``initiative_id``, ``cycle_id``, ``as_of`` and
    ``has_status`` of the entry that holds its last known status. An
    initiative whose earlier entries all lack a text still gets a row (its
    entry with ``has_status`` false): it was in a report before, it is not new."""
    earlier = (Cycle.as_of < as_of) | ((Cycle.as_of == as_of) & (Cycle.id < cycle_id))
    without_text = case((Entry.status.is_(None), 1), else_=0)
    preferred = case((Cycle.state.in_(APPROVED), 0), else_=1)
    rank = func.row_number().over(
        partition_by=Entry.initiative_id,
        order_by=(without_text, preferred, Cycle.as_of.desc(), Cycle.id.desc()),
    )
    ids = (
        initiative_ids
        if isinstance(initiative_ids, Select | BindParameter)
        else list(initiative_ids)
    )
    ranked = (
        select(
            Entry.id.label("entry_id"),
            Entry.initiative_id.label("initiative_id"),
            Cycle.id.label("cycle_id"),
            Cycle.as_of.label("as_of"),
            (without_text == 0).label("has_status"),
            rank.label("rank"),
        )
        .join(Cycle, Cycle.id == Entry.cycle_id)
        .where(
            Cycle.id != cycle_id,
            earlier,
            Cycle.state.in_(REPORTED),
            Entry.withdrawn_at.is_(None),
            Entry.initiative_id.in_(ids),
        )
        .subquery()
    )
    return select(
        ranked.c.entry_id,
        ranked.c.initiative_id,
        ranked.c.cycle_id,
        ranked.c.as_of,
        ranked.c.has_status,
    ).where(ranked.c.rank == 1)


def last_known_entries(
    session: Session, cycle: Cycle, initiative_ids: Iterable[int]
) -> dict[int, Entry]:
    """initiative id → the earlier entry holding its last known status (the
    entry may have no text when no earlier round had one)."""
    ids = list(dict.fromkeys(initiative_ids))
    if not ids:
        return {}
    rows = session.execute(
        _last_known_statement(), {"as_of": cycle.as_of, "cycle_id": cycle.id, "ids": ids}
    ).all()
    return {initiative_id: entry for entry, initiative_id in rows}


@cache
def _last_known_statement() -> Select:  # type: ignore[type-arg]
    """:func:`last_known_query` with its entries, built once with bound
    parameters: a prompt per person loads it for every prompt, and building
    the window query each time cost more than running it."""
    ranked = last_known_query(
        bindparam("as_of", type_=Date()),
        bindparam("cycle_id", type_=Integer()),
        bindparam("ids", expanding=True),
    ).subquery()
    return select(Entry, ranked.c.initiative_id).join(ranked, ranked.c.entry_id == Entry.id)


def last_known_entry(session: Session, entry: Entry) -> Entry | None:
    """The entry holding the last known status of ``entry``'s initiative
    before ``entry``'s cycle, if it has any history."""
    return last_known_entries(session, entry.cycle, [entry.initiative_id]).get(entry.initiative_id)
