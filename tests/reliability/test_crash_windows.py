"""The last duplicate window of every job that posts: the process dies right
after Slack accepted a message or shared a file, before the job could record
it. After the restart (the lease runs out, another scheduler claims the job)
nothing visible is sent twice and nothing is missing.

The kill is simulated at the commit that records the step (``record_result``
raises a ``BaseException`` instead of committing): Slack has the message, the
database does not know it. Each visible step is killed once (``kill_at``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.notices import enqueue_failure_notice
from bot.delivery.prompts import enqueue_prompt
from bot.delivery.review import enqueue_compile
from bot.review import approve, publish
from bot.scheduler import Scheduler
from bot.testing.harness import SlackHarness
from bot.workflow.actor import Actor
from storage import outbox
from storage.models import Area, Cycle, Initiative, Job, JobState, Person, Role, RoleGrant
from tests.reliability.rel_world import World, answer_everyone, open_now, seed

REPORTS = "CREPORTS1"


class SimulatedKill(BaseException):
    """The process dying: not an Exception, so no handler catches it."""


def crash_then_restart(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, kind: str, kill_at: int
) -> None:
    """Run due jobs; die at the ``kill_at``-th record of a ``kind`` job; restart."""
    original = outbox.record_result
    seen = Counter[str]()

    def dying(session: Any, job: Job, **result: Any) -> None:
        if job.kind == kind:
            seen[kind] += 1
            if seen[kind] == kill_at:
                raise SimulatedKill
        original(session, job, **result)

    monkeypatch.setattr(outbox, "record_result", dying)
    with pytest.raises(SimulatedKill):
        slack.drain()
    monkeypatch.setattr(outbox, "record_result", original)
    with slack.session_factory() as session:
        newest = select(Job.state).where(Job.kind == kind).order_by(Job.id.desc()).limit(1)
        assert session.scalar(newest) == JobState.CLAIMED  # held by the dead process
    slack.advance(outbox.DEFAULT_LEASE + timedelta(seconds=1))  # the dead claim runs out
    slack.scheduler = Scheduler(slack.deps, worker_id="restarted")
    slack.drain()
    with slack.session_factory() as session:
        states = set(session.scalars(select(Job.state).where(Job.kind == kind)))
    assert states == {JobState.DONE}


def posts_to(slack: SlackHarness, user: str) -> int:
    return len(slack.fake.posted(user))


def prepared(slack: SlackHarness, *, coordinators: int = 2) -> tuple[World, int, list[str]]:
    """Two managers, ``coordinators`` coordinators, a collecting cycle whose
    prompts went out; the calls made so far are forgotten."""
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    coordinator_ids = ["UCOORD"]
    with slack.session_factory() as session:
        for n in range(1, coordinators):
            slack_id = f"UCOORD{n}"
            slack.fake.add_user(id=slack_id, name=slack_id.lower(), locale="en-US")
            person = Person(team_id="", slack_user_id=slack_id, display_name=slack_id, locale="en")
            session.add(person)
            session.flush()
            session.add(
                RoleGrant(person_id=person.id, role=Role.COORDINATOR, area_id=world.area_id)
            )
            coordinator_ids.append(slack_id)
        session.get(Area, world.area_id).report_channel = REPORTS  # type: ignore[union-attr]
        session.commit()
    slack.drain()
    slack.fake.reset_calls()
    return world, cycle_id, coordinator_ids


def each_visible_step(count: int) -> Callable[[Any], Any]:
    return pytest.mark.parametrize("kill_at", range(1, count + 1))


@each_visible_step(2)
def test_digest(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, kill_at: int) -> None:
    _world, _cycle, coordinators = prepared(slack)
    slack.advance(timedelta(days=14))  # the deadline: the digest is due
    crash_then_restart(slack, monkeypatch, "digest", kill_at)
    assert {c: posts_to(slack, c) for c in coordinators} == dict.fromkeys(coordinators, 1)


@each_visible_step(2)
def test_coordinator_notice(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, kill_at: int
) -> None:
    world, cycle_id, coordinators = prepared(slack)
    with slack.session_factory() as session:
        enqueue_failure_notice(
            session,
            area_id=world.area_id,
            person_id=world.person_of[world.managers[0]],
            reason="user_not_found",
            now=slack.clock.now(),
            cycle_id=cycle_id,
        )
        session.commit()
    crash_then_restart(slack, monkeypatch, "notify_failure", kill_at)
    assert {c: posts_to(slack, c) for c in coordinators} == dict.fromkeys(coordinators, 1)


@each_visible_step(4)
def test_compiled_draft(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, kill_at: int) -> None:
    """Records: draft compiled, files staged, files shared, summary posted."""
    world, cycle_id, _coordinators = prepared(slack, coordinators=1)
    answer_everyone(slack.session_factory, world, now=slack.clock.now())
    with slack.session_factory() as session:
        cycle = session.get(Cycle, cycle_id)
        person = session.get(Person, world.person_of["UCOORD"])
        assert cycle is not None and person is not None
        enqueue_compile(session, cycle, person, slack.clock.now())
        session.commit()
    crash_then_restart(slack, monkeypatch, "review.compile", kill_at)
    shared = [f for f in slack.fake.uploaded() if f.get("channels")]
    assert shared and all(len(f["shares"]) == 1 for f in shared)
    assert len({f["initial_comment"] for f in shared}) == 1  # one message with the files
    assert posts_to(slack, "UCOORD") == 1  # the summary with its buttons


def test_compile_refused(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A compile refused by the rules tells the coordinator once."""
    world, cycle_id, _coordinators = prepared(slack, coordinators=1)
    with slack.session_factory() as session:
        cycle = session.get(Cycle, cycle_id)
        person = session.get(Person, world.person_of[world.managers[0]])  # not a coordinator
        assert cycle is not None and person is not None
        enqueue_compile(session, cycle, person, slack.clock.now())
        session.commit()
    crash_then_restart(slack, monkeypatch, "review.compile", 1)
    assert posts_to(slack, world.managers[0]) == 1


@each_visible_step(4)
def test_publication(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, kill_at: int) -> None:
    """Records: files staged, files shared in the channel, a thank-you per manager."""
    world, cycle_id, _coordinators = prepared(slack, coordinators=1)
    answer_everyone(slack.session_factory, world, now=slack.clock.now())
    now = slack.clock.now()
    with slack.session_factory() as session:
        coordinator = session.get(Person, world.person_of["UCOORD"])
        assert coordinator is not None
        approve(session, cycle_id=cycle_id, actor=Actor.of(coordinator), now=now)
        publish(session, cycle_id=cycle_id, actor=Actor.of(coordinator), now=now)
        session.commit()
    slack.fake.reset_calls()
    crash_then_restart(slack, monkeypatch, "publish", kill_at)
    in_channel = [f for f in slack.fake.uploaded() if REPORTS in f.get("channels", [])]
    assert in_channel and all(len(f["shares"]) == 1 for f in in_channel)
    assert {m: posts_to(slack, m) for m in world.managers} == dict.fromkeys(world.managers, 1)


def test_delegation_notice(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "you were asked to answer for …" notice before a delegate's prompt."""
    world, cycle_id, _coordinators = prepared(slack, coordinators=1)
    owner, delegate = world.managers
    with slack.session_factory() as session:
        entry_id = world.entry_of[owner]
        initiative = session.scalar(
            select(Initiative).where(Initiative.owner_id == world.person_of[owner])
        )
        assert initiative is not None
        initiative.delegate_id = world.person_of[delegate]
        cycle = session.get(Cycle, cycle_id)
        person = session.get(Person, world.person_of[delegate])
        assert cycle is not None and person is not None
        enqueue_prompt(
            session,
            cycle,
            person,
            now=slack.clock.now(),
            delegated_entry_id=entry_id,
            by_person_id=world.person_of[owner],
            key_suffix=":delegated:test",
        )
        session.commit()
    crash_then_restart(slack, monkeypatch, "prompt", 1)
    texts = [str(c.params.get("text")) for c in slack.fake.posted(delegate)]
    notices = [t for t in texts if "Person " + owner in t or owner in t]
    assert len(notices) == 1, texts
