"""An initiative's *last known status*: what the next report carries, prefills
and compares with.

It is the initiative's most recent text in an approved or published cycle
(a baseline counts as approved), however many rounds it missed since, in any
area (an initiative moved to a new area keeps its history); failing that, its
most recent text in a closed or in-review cycle. Entries withdrawn from a
round never count. Rounds that reported the initiative without an answer
(no text of their own) are skipped, so a missed round never erases a status.

:func:`initiative_history` is one initiative's whole record: every approved
status by as-of date with its names at the time and what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import BindParameter, Date, Integer, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent, Cycle, CycleState, Entry, Initiative
from storage.richtext import StatusText

if TYPE_CHECKING:
    from reports.model import MarkedBlock

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


# ---------------------------------------------------------------- one initiative

REGISTRY_ACTIONS = ("initiative.rename", "initiative.move")


@dataclass(frozen=True)
class RegistryStep:
    """A rename or move between two reported statuses (labels "Area / Track / Title")."""

    action: str  # "initiative.rename" | "initiative.move"
    before: str
    after: str
    at: datetime


@dataclass(frozen=True)
class HistoryRow:
    """One report's status of the initiative, as that report named it."""

    cycle_id: int
    as_of: date
    area: str
    track: str
    title: str
    state: str
    baseline: bool
    status: StatusText | None  # None: the round had no answer for it (missed)
    phase: str | None
    # The status with what changed since the previous status marked (new and
    # gone runs, reports.diff); empty for a missed round.
    marked: list[MarkedBlock] = field(default_factory=list)
    changed: bool = False  # the text differs from the previous status (or is the first)
    first: bool = False  # no earlier status to compare with
    steps: list[RegistryStep] = field(default_factory=list)  # renames/moves since the row before
    frozen_at: datetime | None = None  # when the report was approved (a baseline: imported)


def _split_label(text: str) -> tuple[str, str, str]:
    area, _sep, rest = text.partition(" / ")
    track, _sep, title = rest.partition(" / ")
    return area, track, title


def _frozen_at(cycle: Cycle) -> datetime:
    """When the report's text and names were fixed: its approval (an imported
    baseline: its import)."""
    return cycle.approved_at or cycle.published_at or cycle.closed_at or cycle.opened_at


def registry_steps(session: Session, initiative: Initiative) -> list[RegistryStep]:
    """The initiative's renames and moves, oldest first (from the audit log)."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(REGISTRY_ACTIONS))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return [
        RegistryStep(
            e.action, str(e.detail.get("before")), str(e.detail.get("after")), e.created_at
        )
        for e in events
        if (e.detail or {}).get("initiative_id") == initiative.id
        and e.detail.get("before") != e.detail.get("after")
    ]


def initiative_history(session: Session, initiative: Initiative) -> list[HistoryRow]:
    """Every approved status of the initiative (baselines, approved and
    published rounds, in any area it belonged to), newest first; a round that
    reported it without an answer is a row without status. Each row carries
    its names at the time and the renames/moves since the row before."""
    from reports.diff import diff_status  # reports.build imports this module

    rows = session.execute(
        select(Entry, Cycle)
        .join(Cycle, Cycle.id == Entry.cycle_id)
        .where(
            Entry.initiative_id == initiative.id,
            Entry.withdrawn_at.is_(None),
            Cycle.state.in_(APPROVED),
        )
        .order_by(Cycle.as_of, Cycle.id)
    ).all()
    steps = registry_steps(session, initiative)
    current = f"{initiative.track.area.name} / {initiative.track.name} / {initiative.title}"
    history: list[HistoryRow] = []
    previous: StatusText | None = None
    since: datetime | None = None
    for entry, cycle in rows:
        frozen = _frozen_at(cycle)
        later = [s for s in steps if s.at > frozen]
        area, track, title = _split_label(later[0].before if later else current)
        between = [s for s in steps if s.at <= frozen and (since is None or s.at > since)]
        since = frozen
        marked: list[MarkedBlock] = []
        changed = first = False
        if entry.status is not None:
            first = previous is None
            # The first status is shown as it is: nothing to compare it with.
            result = diff_status(entry.status if first else previous, entry.status,
                                 with_deletions=True)  # fmt: skip
            marked = result.review or []
            changed = first or result.changed or bool(result.deleted)
            previous = entry.status
        history.append(
            HistoryRow(
                cycle.id,
                cycle.as_of,
                area,
                track,
                title,
                cycle.state,
                cycle.is_baseline,
                entry.status,
                entry.phase,
                marked,
                changed,
                first,
                between,
                frozen,
            )
        )
    return list(reversed(history))


def earlier_statuses(
    session: Session, cycle: Cycle, initiative_id: int, count: int = 2
) -> list[tuple[date, Entry]]:
    """The initiative's last ``count`` approved statuses before ``cycle``, newest
    first: what the update form shows besides last time's text."""
    rows = session.execute(
        select(Cycle.as_of, Entry)
        .join(Cycle, Cycle.id == Entry.cycle_id)
        .where(
            Entry.initiative_id == initiative_id,
            Entry.withdrawn_at.is_(None),
            Entry.status.is_not(None),
            Cycle.state.in_(APPROVED),
            Cycle.id != cycle.id,
            (Cycle.as_of < cycle.as_of) | ((Cycle.as_of == cycle.as_of) & (Cycle.id < cycle.id)),
        )
        .order_by(Cycle.as_of.desc(), Cycle.id.desc())
        .limit(count)
    ).all()
    return [(as_of, entry) for as_of, entry in rows]
