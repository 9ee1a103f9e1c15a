"""One initiative's history across a rename, a missed round and a move to
another area: every approved status in order, newest first, each under the
names it had then, with what changed since the status before."""

from __future__ import annotations

from datetime import date

from bot.registry.history import earlier_statuses, initiative_history
from storage.models import Cycle, Initiative
from tests.registry.history_world import build


def test_history_across_rename_missed_round_and_move(session) -> None:
    world = build(session)
    initiative = session.get(Initiative, world.initiative_id)
    rows = initiative_history(session, initiative)

    assert [r.cycle_id for r in rows] == [
        world.cycles[k] for k in ("autumn", "missed", "spring", "baseline")
    ]
    assert [r.as_of for r in rows] == [
        date(2025, 9, 30), date(2025, 3, 31), date(2024, 9, 30), date(2024, 3, 31)
    ]  # fmt: skip
    autumn, missed, spring, baseline = rows
    # Each report under the names it had then.
    assert (autumn.area, autumn.track, autumn.title) == (
        "Dagtilbud", "Tværgående", "Ny struktur for dagtilbud"
    )  # fmt: skip
    assert (missed.area, missed.title) == ("Børn og Unge", "Ny struktur for dagtilbud")
    assert (spring.area, spring.title) == ("Børn og Unge", "Ny dagtilbudsstruktur")
    assert baseline.baseline and baseline.first and not spring.first
    # The renames and moves on the way, each on the first report after it.
    assert [s.action for s in autumn.steps] == ["initiative.move"]
    assert autumn.steps[0].after == "Dagtilbud / Tværgående / Ny struktur for dagtilbud"
    assert [s.action for s in missed.steps] == ["initiative.rename"]
    assert spring.steps == [] and baseline.steps == []
    # The missed round has no status; the next one compares with the last status.
    assert missed.status is None and missed.marked == []
    new = [s.text for b in autumn.marked for s in b.segments if s.changed]
    assert new == ["Beslutning i juni"]
    assert not any(s.changed for b in baseline.marked for s in b.segments)  # first: plain
    gone = [s.text for b in spring.marked for s in b.segments if s.deleted]
    assert gone and "bestilt" in " ".join(gone)


def test_the_form_gets_the_two_latest_approved_statuses(session) -> None:
    world = build(session)
    autumn = session.get(Cycle, world.cycles["autumn"])
    later = Cycle(area_id=autumn.area_id, as_of=date(2026, 3, 31), deadline=autumn.deadline)
    session.add(later)
    session.flush()
    found = earlier_statuses(session, later, world.initiative_id)
    assert [as_of for as_of, _entry in found] == [date(2025, 9, 30), date(2024, 9, 30)]
