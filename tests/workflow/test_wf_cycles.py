from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from bot.workflow.actor import Actor
from bot.workflow.cycles import close_cycle, current_cycle, progress, reopen_cycle
from bot.workflow.dates import format_offsets, parse_deadline, parse_offsets
from bot.workflow.entries import people_to_prompt
from storage.models import AuditEvent, CycleState, Entry, Job, JobState
from storage.richtext import StatusText


def jobs(session, cycle_id):
    return list(session.scalars(select(Job).where(Job.cycle_id == cycle_id).order_by(Job.id)))


def test_open_cycle_creates_entries_jobs_and_audit(session, world, open_default, now):
    world.initiatives[3].active = False  # retired: no entry
    session.flush()
    cycle = open_default(remind=[timedelta(days=1), timedelta(days=10), timedelta(hours=2)])
    session.commit()

    entries = session.scalars(select(Entry).where(Entry.cycle_id == cycle.id)).all()
    assert sorted(e.initiative_id for e in entries) == sorted(i.id for i in world.initiatives[:3])
    assert cycle.state == CycleState.COLLECTING
    assert cycle.reminder_offsets == "10d,1d,2h"

    by_kind = {}
    for job in jobs(session, cycle.id):
        by_kind.setdefault(job.kind, []).append(job)
    prompts = {j.payload["person_id"]: j for j in by_kind["prompt"]}
    assert set(prompts) == {world.owner_a.id, world.owner_b.id, world.delegate.id}
    assert all(j.due_at == now for j in prompts.values())
    assert prompts[world.owner_a.id].dedupe_key == f"prompt:{cycle.id}:{world.owner_a.id}"
    # 10 days before a deadline 7 days away is already past: no round for it.
    rounds = sorted(by_kind["reminder_round"], key=lambda j: j.due_at)
    assert [j.payload["offset_seconds"] for j in rounds] == [86400, 7200]
    assert [j.due_at for j in rounds] == [
        cycle.deadline - timedelta(days=1),
        cycle.deadline - timedelta(hours=2),
    ]
    assert rounds[0].dedupe_key == f"reminders:{cycle.id}:86400"
    (digest,) = by_kind["digest"]
    assert digest.due_at == cycle.deadline and digest.dedupe_key == f"digest:{cycle.id}"

    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.open"))
    assert event.cycle_id == cycle.id and event.actor_label.startswith("cli:")
    assert event.detail["entries"] == 3


def test_open_cycle_uses_area_default_reminders(session, world, open_default):
    world.area.default_reminders = "2d"
    cycle = open_default(remind=None)
    assert cycle.reminder_offsets == "2d"
    assert [
        j.payload.get("offset_seconds")
        for j in jobs(session, cycle.id)
        if j.kind == "reminder_round"
    ] == [172800]


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"deadline": datetime(2026, 3, 1, tzinfo=UTC)}, InvalidInput, "deadline"),
        ({"as_of": date(2023, 1, 1)}, InvalidInput, "as_of"),
        ({"as_of": date(2028, 1, 1)}, InvalidInput, "as_of"),
        ({"area_id": 9999}, NotFound, None),
    ],
)
def test_open_cycle_validates(session, world, open_default, overrides, error, field):
    with pytest.raises(error) as info:
        open_default(**overrides)
    assert info.value.field == field
    assert session.scalars(select(Job)).all() == []


def test_open_cycle_refuses_area_without_initiatives(session, world, open_default):
    with pytest.raises(InvalidInput, match="initiatives"):
        open_default(area_id=world.other_area.id)


def test_only_one_collecting_cycle_per_area(session, world, open_default):
    first = open_default()
    with pytest.raises(InvalidState, match=str(first.id)):
        open_default()


def test_open_cycle_permissions(session, world, open_default):
    for person in (world.owner_a, world.stranger, world.other_coordinator):
        with pytest.raises(PermissionDenied):
            open_default(actor=Actor.of(person))
    with pytest.raises(PermissionDenied):
        open_default(actor=Actor.system())
    assert open_default(actor=Actor.of(world.coordinator)).id


def test_close_cancels_prompts_and_reminders_and_reopen_records_reason(
    session, world, open_default, now
):
    cycle = open_default()
    closed = close_cycle(session, cycle_id=cycle.id, actor=Actor.of(world.admin), now=now)
    assert closed.state == CycleState.CLOSED and closed.closed_at == now
    states = {(j.kind, j.state) for j in jobs(session, cycle.id)}
    assert ("prompt", JobState.CANCELLED) in states
    assert ("reminder_round", JobState.CANCELLED) in states
    assert ("digest", JobState.PENDING) in states
    with pytest.raises(InvalidState):
        close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=now)
    with pytest.raises(PermissionDenied):
        reopen_cycle(session, cycle_id=cycle.id, actor=Actor.of(world.owner_a), reason="x", now=now)
    with pytest.raises(InvalidInput):
        reopen_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), reason="  ", now=now)

    reopened = reopen_cycle(
        session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), reason="Fejl i tal", now=now
    )
    assert reopened.state == CycleState.COLLECTING and reopened.reopen_count == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.reopen"))
    assert event.actor_id == world.coordinator.id
    assert event.detail == {"reason": "Fejl i tal", "previous_state": "closed"}
    with pytest.raises(InvalidState):
        reopen_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), reason="again", now=now)


def test_reopen_with_a_new_deadline_plans_rounds_and_refreshes_prompts(
    session, world, open_default, now
):
    cycle = open_default(remind=[timedelta(days=1), timedelta(hours=2)])
    close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=now)
    later = now + timedelta(days=9)  # after the old deadline
    new_deadline = later + timedelta(days=3)
    with pytest.raises(InvalidInput):
        reopen_cycle(
            session, cycle_id=cycle.id, actor=Actor.cli(), reason="x", now=later, deadline=later
        )
    reopen_cycle(
        session,
        cycle_id=cycle.id,
        actor=Actor.of(world.coordinator),
        reason="Flere svar",
        now=later,
        deadline=new_deadline,
    )
    assert cycle.deadline == new_deadline
    pending = [j for j in jobs(session, cycle.id) if j.state == JobState.PENDING]
    rounds = sorted((j for j in pending if j.kind == "reminder_round"), key=lambda j: j.due_at)
    assert [j.due_at for j in rounds] == [
        new_deadline - timedelta(days=1),
        new_deadline - timedelta(hours=2),
    ]
    assert rounds[0].dedupe_key == f"reminders:{cycle.id}:86400:r1"
    [digest] = [j for j in pending if j.kind == "digest"]
    assert digest.due_at == new_deadline
    refreshed = {j.payload["person_id"] for j in pending if j.kind == "refresh_prompts"}
    assert refreshed == set(people_to_prompt(session, cycle.id))
    assert all(j.due_at == later for j in pending if j.kind == "refresh_prompts")
    # The first opening's digest (never sent) does not go out at the old deadline.
    old_digests = [j for j in jobs(session, cycle.id) if j.dedupe_key == f"digest:{cycle.id}"]
    assert [j.state for j in old_digests] == [JobState.CANCELLED]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.reopen"))
    assert event.detail["reason"] == "Flere svar" and "deadline" in event.detail


def test_reopen_after_the_deadline_without_a_new_one_plans_nothing_ahead(
    session, world, open_default, now
):
    cycle = open_default(remind=[timedelta(days=1)])
    close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=now)
    later = cycle.deadline + timedelta(days=1)
    reopen_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), reason="Rettelse", now=later)
    kinds = {j.kind for j in jobs(session, cycle.id) if j.state == JobState.PENDING}
    assert kinds == {"refresh_prompts"}


def test_published_cycle_cannot_be_reopened(session, world, open_default, now):
    cycle = open_default()
    cycle.state = CycleState.PUBLISHED
    session.flush()
    with pytest.raises(InvalidState):
        reopen_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), reason="x", now=now)
    assert current_cycle(session, world.area.id) is None


def test_close_unknown_cycle(session, world, now):
    with pytest.raises(NotFound):
        close_cycle(session, cycle_id=424242, actor=Actor.cli(), now=now)


def test_progress_per_owner(session, world, open_default, now):
    from bot.workflow.entries import submit_update

    cycle = open_default()
    entries = {e.initiative_id: e for e in cycle.entries}
    first = entries[world.initiatives[0].id]
    submit_update(
        session,
        entry_id=first.id,
        actor=Actor.of(world.owner_a),
        status=StatusText.from_markup("Ansat."),
        phase="completed",
        now=now,
    )
    result = progress(session, cycle.id)
    assert (result.total, result.answered, result.missing, result.carried_forward) == (4, 1, 3, 0)
    rows = {row.person_id: row for row in result.per_owner}
    assert rows[world.owner_a.id].answered == [first.id]
    assert rows[world.owner_a.id].missing == [entries[world.initiatives[1].id].id]
    assert rows[world.owner_b.id].missing == [entries[world.initiatives[2].id].id]
    assert result.per_owner[-1].person_id is None  # no owner: listed last
    assert current_cycle(session, world.area.id).id == cycle.id


def test_people_to_prompt_lists_owner_and_delegate(session, world, open_default):
    cycle = open_default()
    entries = {e.initiative_id: e.id for e in cycle.entries}
    ids = [entries[i.id] for i in world.initiatives]
    assert people_to_prompt(session, cycle.id) == {
        world.owner_a.id: [ids[0], ids[1]],
        world.delegate.id: [ids[1]],
        world.owner_b.id: [ids[2]],
    }


def test_parse_offsets_and_deadline():
    assert parse_offsets("3d, 1d,2h,30m,10s,1d") == [
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=2),
        timedelta(minutes=30),
        timedelta(seconds=10),
    ]
    assert parse_offsets("") == []
    assert format_offsets(parse_offsets("1w,36h,90m")) == "7d,36h,90m"
    for bad in ("3x", "0d", "-1d", "d", "1.5h"):
        with pytest.raises(InvalidInput) as info:
            parse_offsets(bad)
        assert info.value.field == "remind"
    from zoneinfo import ZoneInfo

    cph = ZoneInfo("Europe/Copenhagen")
    assert parse_deadline("2026-03-02T12:00", cph) == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert parse_deadline("2026-07-02 12:00", cph) == datetime(2026, 7, 2, 10, 0, tzinfo=UTC)
    assert parse_deadline("2026-03-02T12:00+00:00", cph).hour == 12
    assert parse_deadline("2026-03-02T12:00Z", cph).hour == 12
    assert parse_deadline("2026-03-02", cph) == datetime(2026, 3, 2, 22, 59, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        parse_deadline("next friday", cph)
