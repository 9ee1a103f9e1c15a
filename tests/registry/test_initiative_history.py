"""One initiative's history across a rename, a missed round and a move to
another area: every approved status in order, newest first, each under the
names it had then, with what changed since the status before."""

from __future__ import annotations

from datetime import date, datetime

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


def test_renames_and_moves_by_a_keyed_import_are_in_the_history(session, tmp_path) -> None:
    """A file naming the initiative by its key (nr) under a new title, then
    in another track: both show on the first report after them, as the
    registry commands' renames and moves do."""
    from bot.importing import import_file
    from bot.workflow.actor import Actor
    from tests.registry.history_world import _cycle, _entry, at

    world = build(session)
    initiative = session.get(Initiative, world.initiative_id)
    area = initiative.track.area

    def run(title: str, track: str, when: datetime) -> None:
        path = tmp_path / "initiativer.csv"
        path.write_text(
            f"nr;område;udviklingsspor;tiltag\nBU-01;{area.name};{track};{title}\n",
            encoding="utf-8",
        )
        import_file(session, path, actor=Actor.cli(), now=when)
        session.commit()

    run("Dagtilbud i ny struktur", "Tværgående", at(2025, 11, 3))
    spring = _cycle(session, area, date(2026, 3, 31), at(2026, 4, 20))
    _entry(session, spring, initiative, "Strukturen er vedtaget.")
    run("Dagtilbud i ny struktur", "Spor 2", at(2026, 5, 4))
    autumn = _cycle(session, area, date(2026, 9, 30), at(2026, 10, 20))
    _entry(session, autumn, initiative, "Strukturen er indført.")
    session.commit()

    rows = initiative_history(session, initiative)
    assert [r.cycle_id for r in rows[:3]] == [autumn.id, spring.id, world.cycles["autumn"]]
    latest, renamed, before = rows[:3]
    assert [s.action for s in renamed.steps] == ["initiative.rename"]
    assert renamed.steps[0].before == "Dagtilbud / Tværgående / Ny struktur for dagtilbud"
    assert renamed.steps[0].after == "Dagtilbud / Tværgående / Dagtilbud i ny struktur"
    assert (renamed.track, renamed.title) == ("Tværgående", "Dagtilbud i ny struktur")
    assert (before.title) == "Ny struktur for dagtilbud"  # the name it had then
    assert [s.action for s in latest.steps] == ["initiative.move"]
    assert latest.steps[0].after == "Dagtilbud / Spor 2 / Dagtilbud i ny struktur"
    assert latest.track == "Spor 2"
