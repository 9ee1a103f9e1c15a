"""An initiative with a baseline, a rename, a missed round and a move to
another area, each report approved in turn (shared by the history tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from bot.registry.changes import move, rename
from bot.workflow.actor import Actor
from storage.models import Area, Cycle, CycleState, Entry, EntrySource, Initiative, Person, Track
from storage.richtext import StatusText

TEXTS = {
    "baseline": "Analysen er bestilt.",
    "spring": "Analysen er færdig.\n\n- Høring i maj",
    "autumn25": "Analysen er færdig.\n\n- Høring i maj\n- Beslutning i juni",
}


@dataclass
class HistoryWorld:
    initiative_id: int
    owner_id: int
    cycles: dict[str, int]


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def _cycle(
    session: Session, area: Area, as_of: date, approved: datetime, *, baseline=False
) -> Cycle:
    cycle = Cycle(
        area_id=area.id, as_of=as_of, deadline=approved, opened_at=approved,
        state=CycleState.PUBLISHED if baseline else CycleState.APPROVED,
        approved_at=None if baseline else approved, is_baseline=baseline,
    )  # fmt: skip
    session.add(cycle)
    session.flush()
    return cycle


def _entry(session: Session, cycle: Cycle, initiative: Initiative, text: str | None) -> None:
    session.add(
        Entry(
            cycle_id=cycle.id,
            initiative_id=initiative.id,
            status=StatusText.from_markup(text) if text else None,
            phase="in_progress" if text else None,
            source=EntrySource.ANSWER if text else EntrySource.PENDING,
        )
    )
    session.flush()


def build(session: Session) -> HistoryWorld:
    owner = Person(team_id="", slack_user_id="UOWNER01", display_name="Anna Andersen")
    session.add(owner)
    old = Area(team_id="", name="Børn og Unge", key="børn og unge")
    session.add(old)
    session.flush()
    track = Track(area_id=old.id, name="Spor 1", key="spor 1")
    session.add(track)
    session.flush()
    initiative = Initiative(
        area_id=old.id, track_id=track.id, title="Ny dagtilbudsstruktur",
        key="ny dagtilbudsstruktur", nr="BU-01", owner_id=owner.id,
    )  # fmt: skip
    session.add(initiative)
    session.flush()
    cycles = {}
    base = _cycle(session, old, date(2024, 3, 31), at(2024, 4, 2), baseline=True)
    _entry(session, base, initiative, TEXTS["baseline"])
    spring = _cycle(session, old, date(2024, 9, 30), at(2024, 10, 20))
    _entry(session, spring, initiative, TEXTS["spring"])
    rename(session, initiative, "Ny struktur for dagtilbud", actor=Actor.cli(), now=at(2024, 11, 1))
    missed = _cycle(session, old, date(2025, 3, 31), at(2025, 4, 20))
    _entry(session, missed, initiative, None)
    move(
        session, initiative, track="Tværgående", area="Dagtilbud", actor=Actor.cli(),
        now=at(2025, 5, 1),
    )  # fmt: skip
    new_area = session.get(Area, initiative.area_id)
    assert new_area is not None and new_area.name == "Dagtilbud"
    autumn = _cycle(session, new_area, date(2025, 9, 30), at(2025, 10, 20))
    _entry(session, autumn, initiative, TEXTS["autumn25"])
    cycles.update(baseline=base.id, spring=spring.id, missed=missed.id, autumn=autumn.id)
    session.commit()
    return HistoryWorld(initiative.id, owner.id, cycles)
