"""Answers recorded before the acknowledgement and applied by the scheduler
(:mod:`bot.delivery.answers`): acknowledged means recorded, applied once, and a
rule that fails in between is told to the manager with their text."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.delivery import answers
from bot.testing.harness import SlackHarness
from bot.workflow.entries import plainly_answerable
from storage.models import (
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Job,
    JobState,
    Revision,
)
from tests.reliability.rel_world import (
    World,
    answer_text,
    assert_answers_exactly_once,
    open_now,
    seed,
    status_values,
    update_view,
)


@pytest.fixture
def world(slack: SlackHarness) -> World:
    world = seed(slack.session_factory, slack.fake, managers=3)
    open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()  # the prompts
    return world


def _submission(slack: SlackHarness, world: World, manager: str, text: str, view_id: str):  # type: ignore[no-untyped-def]
    return slack.signer.view_submission(
        update_view(world.cycle_id or 0, world.entry_of[manager], view_id=view_id),
        user_id=manager,
        values=status_values(text),
    )


def _answer_jobs(factory: sessionmaker[Session]) -> list[Job]:
    with factory() as session:
        return list(session.scalars(select(Job).where(Job.kind == answers.KIND).order_by(Job.id)))


def _revisions(factory: sessionmaker[Session], entry_id: int) -> int:
    with factory() as session:
        return len(session.scalars(select(Revision).where(Revision.entry_id == entry_id)).all())


def test_acknowledged_submission_is_recorded_then_applied_by_the_running_scheduler(
    slack: SlackHarness, world: World
) -> None:
    manager = world.managers[0]
    text = answer_text(manager)
    response = slack.send(_submission(slack, world, manager, text, "VINTAKE1"), wait=False)
    assert response.status == 200 and response.text in ("", "{}")
    [job] = _answer_jobs(slack.session_factory)  # recorded before the answer went out
    assert job.dedupe_key == f"view:VINTAKE1:{world.entry_of[manager]}.relhash"

    stop = threading.Event()
    runner = threading.Thread(target=slack.scheduler.run, args=(stop,), daemon=True)
    runner.start()  # woken by the listener: no waiting for the tick interval (1 s here)
    try:
        deadline = time.monotonic() + 20
        while _revisions(slack.session_factory, world.entry_of[manager]) == 0:
            assert time.monotonic() < deadline, "the recorded answer was never applied"
            time.sleep(0.02)
    finally:
        stop.set()
        runner.join(30)
    [job] = _answer_jobs(slack.session_factory)
    assert job.state == JobState.DONE
    assert_answers_exactly_once(slack.session_factory, world, {manager: text})


def test_the_same_submission_twice_before_it_is_applied_is_one_answer(
    slack: SlackHarness, world: World
) -> None:
    manager = world.managers[1]
    text = answer_text(manager)
    request = _submission(slack, world, manager, text, "VTWICE")
    assert slack.send(request, wait=False).status == 200
    assert slack.send(request, wait=False).status == 200
    assert len(_answer_jobs(slack.session_factory)) == 1
    slack.apply_answers()
    assert slack.send(request).status == 200  # and once more after it was applied
    assert len(_answer_jobs(slack.session_factory)) == 1
    assert_answers_exactly_once(slack.session_factory, world, {manager: text})


def test_cycle_closed_between_ack_and_apply_tells_the_manager_with_their_text(
    slack: SlackHarness, world: World
) -> None:
    manager = world.managers[2]
    text = "Vi har åbnet det nye bibliotek.\n\n- 400 besøgende første dag"
    assert slack.send(_submission(slack, world, manager, text, "VRACE"), wait=False).status == 200
    with slack.session_factory() as session:
        cycle = session.get(Cycle, world.cycle_id)
        assert cycle is not None
        cycle.state = CycleState.CLOSED
        session.commit()
    assert slack.apply_answers() == 1
    assert _revisions(slack.session_factory, world.entry_of[manager]) == 0
    [told] = [c for c in slack.fake.posted() if "400 besøgende" in str(c.params.get("text"))]
    assert "no longer takes answers" in str(told.params["text"])
    [job] = _answer_jobs(slack.session_factory)
    assert job.state == JobState.DONE and (job.result or {}).get("told") is True
    # A re-run of the job (a crash before it was marked done) does not tell twice.
    with slack.session_factory() as session:
        session.get(Job, job.id).state = JobState.PENDING  # type: ignore[union-attr]
        session.commit()
    slack.apply_answers()
    assert (
        len([c for c in slack.fake.posted() if "400 besøgende" in str(c.params.get("text"))]) == 1
    )


def test_no_change_clicked_twice_before_it_is_applied_stores_one_revision(
    slack: SlackHarness, world: World
) -> None:
    manager = world.managers[0]
    entry_id = world.entry_of[manager]
    value = ids.EntryRef(world.cycle_id or 0, entry_id).encode()
    action = ids.action_id(ids.CARRY, entry_id)
    for _ in range(2):
        assert (
            slack.send(
                slack.signer.block_action(action, user_id=manager, value=value), wait=False
            ).status
            == 200
        )
    slack.apply_answers()
    assert _revisions(slack.session_factory, entry_id) == 1
    with slack.session_factory() as session:
        entry = session.get(Entry, entry_id)
        assert entry is not None and entry.source == EntrySource.CARRY_FORWARD


def test_plainly_answerable(slack: SlackHarness, world: World) -> None:
    owner, other = world.managers[0], world.managers[1]
    entry_id = world.entry_of[owner]
    now = slack.clock.now()
    with slack.session_factory() as session:
        cycle = session.get(Cycle, world.cycle_id)
        assert cycle is not None

        def plain(
            user: str = owner, *, cycle_id: int = cycle.id, at=now, carry: bool = False
        ) -> bool:  # type: ignore[no-untyped-def]
            return plainly_answerable(
                session,
                team_id="",
                slack_user_id=user,
                entry_id=entry_id,
                cycle_id=cycle_id,
                at=at,
                carry=carry,
            )

        assert plain()
        assert not plain(other)  # someone else's initiative
        assert not plain("")
        assert not plain(cycle_id=cycle.id + 1)  # a forged cycle id
        initiative = session.scalar(
            select(Initiative)
            .join(Entry, Entry.initiative_id == Initiative.id)
            .where(Entry.id == entry_id)
        )
        assert initiative is not None
        initiative.delegate_id = world.person_of[other]
        session.flush()
        assert plain(other)  # the delegate
        entry = session.get(Entry, entry_id)
        assert entry is not None
        entry.source = EntrySource.ANSWER
        session.flush()
        assert plain(at=cycle.deadline)  # a revision until the deadline…
        assert not plain(at=cycle.deadline + timedelta(seconds=1))  # …not after
        entry.source = EntrySource.CARRY_FORWARD
        session.flush()
        assert plain() and not plain(carry=True)  # a second "No change"
        cycle.state = CycleState.CLOSED
        session.flush()
        assert not plain()
        session.rollback()


def test_reopened_cycle_refreshes_prompts_and_reminds_the_missing_before_the_new_deadline(
    slack: SlackHarness, world: World
) -> None:
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import close_cycle, reopen_cycle

    answered, missing = world.managers[0], world.managers[1]
    assert (
        slack.send(_submission(slack, world, answered, answer_text(answered), "VR1")).status == 200
    )
    with slack.session_factory() as session:
        cycle = session.get(Cycle, world.cycle_id)
        assert cycle is not None
        cycle.reminder_offsets = "1d"
        close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=slack.clock.now())
        session.commit()
    slack.drain()
    updates_before = len(slack.calls("chat.update", ok=True))
    slack.advance(timedelta(days=20))  # past the first deadline
    new_deadline = slack.clock.now() + timedelta(days=3)
    with slack.session_factory() as session:
        reopen_cycle(
            session,
            cycle_id=world.cycle_id or 0,
            actor=Actor.cli(),
            reason="Flere svar",
            now=slack.clock.now(),
            deadline=new_deadline,
        )
        session.commit()
    slack.drain()
    # Every prompt is brought up to date (buttons active again, the new deadline).
    assert len(slack.calls("chat.update", ok=True)) - updates_before >= len(world.managers)
    posted_before = {id(c) for c in slack.fake.posted()}
    slack.drain(within=timedelta(days=2, hours=12))  # through the reminder a day before
    reminded = {
        str(c.params.get("channel"))
        for c in slack.fake.posted()
        if id(c) not in posted_before and "Tiltag" in str(c.params)
    }
    assert reminded == {missing, world.managers[2]}  # not the one who answered


def test_a_standby_process_applies_its_own_answers_at_once(
    slack: SlackHarness, world: World, tmp_path
) -> None:
    """SQLite with several serving processes: one claims the schedule; the
    others still apply the answers their own requests recorded, at once."""
    import dataclasses

    from bot.scheduler import Scheduler, SchedulerService, SingleClaimerLock

    lock_path = str(tmp_path / "scheduler.lock")
    slow = slack.settings.model_copy(update={"tick_seconds": 3600.0})
    claimer_deps = dataclasses.replace(slack.deps, settings=slow, wakeup=threading.Event())
    claimer = SchedulerService(
        Scheduler(claimer_deps, worker_id="claimer"), lock=SingleClaimerLock(lock_path)
    ).start()
    standby = SchedulerService(
        Scheduler(slack.deps, worker_id="standby"), lock=SingleClaimerLock(lock_path)
    )
    try:
        deadline = time.monotonic() + 20
        while claimer.scheduler.last_tick_at is None:  # it holds the lock and has ticked
            assert time.monotonic() < deadline
            time.sleep(0.02)
        standby.start()
        manager = world.managers[0]
        text = answer_text(manager)
        assert (
            slack.send(_submission(slack, world, manager, text, "VSTANDBY"), wait=False).status
            == 200
        )
        while _revisions(slack.session_factory, world.entry_of[manager]) == 0:
            assert time.monotonic() < deadline, "the standby did not apply the answer"
            time.sleep(0.02)
        assert standby.status()["role"] == "standby"
        [job] = _answer_jobs(slack.session_factory)
        assert job.claimed_by == "standby" and job.state == JobState.DONE
    finally:
        standby.stop()
        claimer.stop()
    assert_answers_exactly_once(slack.session_factory, world, {manager: text})


def test_record_if_plain_records_only_the_ordinary_answer_once(
    slack: SlackHarness, world: World
) -> None:
    owner, stranger = world.managers[0], world.managers[1]
    entry_id, cycle_id = world.entry_of[owner], world.cycle_id or 0
    now = slack.clock.now()

    def record(user: str, key: str | None = None, markup: str = "Tekst.") -> bool:
        answer = answers.Answer(entry_id, cycle_id, user, now, markup=markup)
        with slack.session_factory() as session:
            return answers.record_if_plain(session, answer, team_id="", key=key)

    assert not record(stranger)  # someone else's initiative: the full path decides
    assert not record(owner, markup="  ")  # an empty text: the full path explains
    assert _answer_jobs(slack.session_factory) == []
    assert record(owner, key="view:V1:h1")
    assert record(owner, key="view:V1:h1")  # the same delivery again: recorded already
    assert record(owner)
    assert len(_answer_jobs(slack.session_factory)) == 2
