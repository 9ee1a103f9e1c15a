"""The outbox scheduler against the fake Slack: exactly once, through faults."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.delivery.registry import (
    JobContext,
    PermanentFailure,
    RetryLater,
    job_handler,
    unregister,
)
from bot.scheduler import Scheduler
from bot.testing.harness import SlackHarness
from storage import outbox
from storage.models import Area, Cycle, Job, JobState, Person, Role, RoleGrant

KIND = "test_dm"
CRASH_AFTER_SEND: set[int] = set()
CRASH_BEFORE_RECORD: set[int] = set()


class SimulatedKill(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def deliver_dm(ctx: JobContext) -> None:
    """A handler following the registry's rules: check, post, record at once."""
    if (ctx.job.result or {}).get("ts"):
        return
    response = ctx.deps.client.chat_postMessage(
        channel=ctx.job.payload["user"], text=ctx.job.payload.get("text", "hello")
    )
    if ctx.job.id in CRASH_BEFORE_RECORD:
        CRASH_BEFORE_RECORD.discard(ctx.job.id)
        raise SimulatedKill
    outbox.record_result(ctx.session, ctx.job, ts=response["ts"], channel=response["channel"])
    if ctx.job.id in CRASH_AFTER_SEND:
        CRASH_AFTER_SEND.discard(ctx.job.id)
        raise SimulatedKill


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    job_handler(KIND)(deliver_dm)

    @job_handler("test_later")
    def later(ctx: JobContext) -> None:
        raise RetryLater("not yet", delay=timedelta(minutes=10))

    @job_handler("test_never")
    def never(ctx: JobContext) -> None:
        raise PermanentFailure("no_slack_account", person_id=ctx.job.payload["person_id"])

    @job_handler("test_broken")
    def broken(ctx: JobContext) -> None:
        raise ValueError("a bug")

    yield
    for kind in (KIND, "test_later", "test_never", "test_broken"):
        unregister(kind)
    CRASH_AFTER_SEND.clear()
    CRASH_BEFORE_RECORD.clear()


def enqueue(slack: SlackHarness, kind: str = KIND, **payload: object) -> int:
    with slack.session_factory() as session:
        job = outbox.enqueue(session, kind, dict(payload), due_at=slack.clock.now())
        session.commit()
        return job.id


def job(slack: SlackHarness, job_id: int) -> Job:
    with slack.session_factory() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def area_with_coordinator(slack: SlackHarness) -> tuple[int, int, int]:
    """An area with a collecting cycle and coordinator C1; returns (area, cycle, coordinator)."""
    coordinator = slack.user("UC1", email="coord@kommune.dk", name="Cora Coordinator")
    assert coordinator is not None
    with slack.session_factory() as session:
        area = Area(name="Børn og Unge", key="børn og unge")
        session.add(area)
        session.flush()
        cycle = Cycle(
            area_id=area.id,
            as_of=date(2024, 3, 1),
            deadline=slack.clock.now() + timedelta(days=7),
        )
        session.add(cycle)
        session.add(RoleGrant(person_id=coordinator.id, role=Role.COORDINATOR, area_id=area.id))
        session.commit()
        return area.id, cycle.id, coordinator.id


def test_delivers_due_jobs_once_and_not_early(slack: SlackHarness) -> None:
    slack.user("U1")
    first = enqueue(slack, user="U1", text="now")
    with slack.session_factory() as session:
        outbox.enqueue(
            session,
            KIND,
            {"user": "U1", "text": "later"},
            due_at=slack.clock.now() + timedelta(hours=1),
        )
        session.commit()
    result = slack.tick()
    assert (result.claimed, result.done) == (1, 1)
    assert [c.params["text"] for c in slack.posted("U1")] == ["now"]
    assert job(slack, first).state == JobState.DONE
    assert job(slack, first).result["ts"] == slack.posted("U1")[0].response["ts"]
    assert slack.tick().claimed == 0
    slack.advance(timedelta(hours=1))
    assert slack.tick().done == 1
    assert [c.params["text"] for c in slack.posted("U1")] == ["now", "later"]
    slack.tick()
    assert len(slack.posted("U1")) == 2


def test_killed_between_send_and_mark_sends_no_duplicate(slack: SlackHarness) -> None:
    for user in ("U1", "U2", "U3"):
        slack.user(user)
    ids = [enqueue(slack, user=user) for user in ("U1", "U2", "U3")]
    CRASH_AFTER_SEND.add(ids[1])
    with pytest.raises(SimulatedKill):
        slack.tick()  # U1 delivered and marked, U2 sent and recorded, then "killed"
    assert job(slack, ids[1]).state == JobState.CLAIMED
    assert job(slack, ids[2]).state == JobState.CLAIMED  # held by the dead process

    restarted = Scheduler(slack.deps, worker_id="restarted")
    assert restarted.tick().claimed == 0  # the dead process's lease still runs
    slack.advance(outbox.DEFAULT_LEASE + timedelta(seconds=1))
    result = restarted.tick()
    assert result.claimed == 2
    posts = Counter(c.response["channel"] for c in slack.posted())
    assert posts == {"D1": 1, "D2": 1, "D3": 1}
    assert {job(slack, i).state for i in ids} == {JobState.DONE}


def test_killed_before_the_ts_was_recorded_is_sent_again(slack: SlackHarness) -> None:
    # The documented window: Slack accepted, the process died before recording.
    slack.user("U1")
    job_id = enqueue(slack, user="U1")
    CRASH_BEFORE_RECORD.add(job_id)
    with pytest.raises(SimulatedKill):
        slack.tick()
    slack.advance(outbox.DEFAULT_LEASE + timedelta(seconds=1))
    Scheduler(slack.deps, worker_id="restarted").tick()
    assert job(slack, job_id).state == JobState.DONE
    assert len(slack.posted("U1")) == 2  # at least once, never lost


def test_429_storm_delays_but_loses_nothing(slack: SlackHarness) -> None:
    users = [f"U{n}" for n in range(1, 6)]
    for user in users:
        slack.user(user)
    ids = [enqueue(slack, user=user) for user in users]
    # A storm for everyone, and for U1 more 429s than MAX_ATTEMPTS: rate
    # limits must not use up a job's attempts.
    slack.fake.fail(
        "chat.postMessage", status=429, retry_after=30, times=outbox.MAX_ATTEMPTS + 4, channel="U1"
    )
    slack.fake.fail("chat.postMessage", status=429, retry_after=30, times=10)
    start = slack.clock.now()
    slack.drain(within=timedelta(hours=2))
    posts = Counter(c.response["channel"] for c in slack.posted())
    assert posts == {"D" + u[1:]: 1 for u in users}
    assert {job(slack, i).state for i in ids} == {JobState.DONE}
    assert slack.clock.now() - start >= timedelta(seconds=30 * 3)
    limited = [c for c in slack.calls("chat.postMessage") if c.status == 429]
    assert len(limited) == outbox.MAX_ATTEMPTS + 4 + 10


def test_server_errors_and_dropped_connections_are_retried(slack: SlackHarness) -> None:
    slack.user("U1")
    slack.user("U2")
    a = enqueue(slack, user="U1")
    b = enqueue(slack, user="U2")
    # 3 failures exhaust the client's own 2 retries: the job goes back with backoff.
    slack.fake.fail("chat.postMessage", status=500, times=3, channel="U1")
    slack.fake.fail("chat.postMessage", reset=True, times=3, channel="U2")
    result = slack.tick()
    assert result.retried == 2
    pending = job(slack, a)
    assert pending.state == JobState.PENDING
    assert pending.due_at > slack.clock.now()
    assert "500" in (pending.last_error or "")
    assert slack.tick().claimed == 0  # backing off
    slack.drain(within=timedelta(hours=1))
    assert job(slack, a).state == job(slack, b).state == JobState.DONE
    assert len(slack.posted("U1")) == len(slack.posted("U2")) == 1


def test_client_retries_short_outages_inline(slack: SlackHarness) -> None:
    slack.user("U1")
    job_id = enqueue(slack, user="U1")
    slack.fake.fail("chat.postMessage", status=503, times=1)
    slack.fake.fail("chat.postMessage", reset=True, times=1)
    assert slack.tick().done == 1
    assert job(slack, job_id).attempts == 1
    assert len(slack.posted("U1")) == 1


def test_permanent_failure_is_reported_once_and_blocks_nobody(slack: SlackHarness) -> None:
    area_id, cycle_id, _ = area_with_coordinator(slack)
    slack.user("U1", name="Olga Owner")
    with slack.session_factory() as session:
        ghost = Person(team_id="", slack_user_id="U404", display_name="Gustav Ghost")
        session.add(ghost)
        session.commit()
        ghost_id = ghost.id
    bad = enqueue(slack, user="U404", person_id=ghost_id, cycle_id=cycle_id)
    good = enqueue(slack, user="U1")
    bad_again = enqueue(slack, user="U404", person_id=ghost_id, cycle_id=cycle_id)
    slack.drain()
    assert job(slack, good).state == JobState.DONE
    for failed in (bad, bad_again):
        assert job(slack, failed).state == JobState.FAILED
        assert job(slack, failed).last_error == "channel_not_found"
    notices = slack.posted("UC1")
    assert len(notices) == 1
    assert "Gustav Ghost" in notices[0].params["text"]
    assert "does not exist" in notices[0].params["text"]
    [notice] = list(slack.jobs("notify_failure"))
    assert notice.payload["area_id"] == area_id
    assert notice.state == JobState.DONE
    # Only one message attempt per failing job: permanent errors are not retried.
    assert len([c for c in slack.calls("chat.postMessage") if c.channel == "U404"]) == 2


def test_cannot_dm_bot_is_permanent(slack: SlackHarness) -> None:
    area_with_coordinator(slack)
    job_id = enqueue(slack, user=slack.fake.bot_user_id)
    slack.drain()
    assert job(slack, job_id).state == JobState.FAILED
    assert job(slack, job_id).last_error == "cannot_dm_bot"


def test_permanent_failure_raised_by_a_handler(slack: SlackHarness) -> None:
    _, cycle_id, _ = area_with_coordinator(slack)
    with slack.session_factory() as session:
        nobody = Person(team_id="", display_name="Nils Nobody")
        session.add(nobody)
        session.commit()
        nobody_id = nobody.id
    job_id = enqueue(slack, "test_never", person_id=nobody_id, cycle_id=cycle_id)
    slack.drain()
    assert job(slack, job_id).state == JobState.FAILED
    [notice] = slack.posted("UC1")
    assert "Nils Nobody" in notice.params["text"]


def test_unknown_kind_fails_with_a_clear_error(slack: SlackHarness) -> None:
    job_id = enqueue(slack, "no_such_kind")
    assert slack.tick().failed == 1
    failed = job(slack, job_id)
    assert failed.state == JobState.FAILED
    assert "no handler registered for job kind 'no_such_kind'" in (failed.last_error or "")


def test_retry_later_uses_the_given_delay(slack: SlackHarness) -> None:
    job_id = enqueue(slack, "test_later")
    assert slack.tick().retried == 1
    later = job(slack, job_id)
    assert later.state == JobState.PENDING
    assert later.due_at == slack.clock.now() + timedelta(minutes=10)


def test_a_failing_handler_gives_up_after_max_attempts_and_reports(slack: SlackHarness) -> None:
    _, cycle_id, _ = area_with_coordinator(slack)
    with slack.session_factory() as session:
        owner = Person(team_id="", slack_user_id="U1", display_name="Olga Owner")
        session.add(owner)
        session.commit()
        owner_id = owner.id
    job_id = enqueue(slack, "test_broken", person_id=owner_id, cycle_id=cycle_id)
    slack.drain(within=timedelta(days=2))
    failed = job(slack, job_id)
    assert failed.state == JobState.FAILED
    assert failed.attempts == outbox.MAX_ATTEMPTS
    assert "ValueError: a bug" in (failed.last_error or "")
    [notice] = slack.posted("UC1")
    assert "gave up" in notice.params["text"]


def test_release_hands_back_claimed_jobs(slack: SlackHarness) -> None:
    slack.user("U1")
    job_id = enqueue(slack, user="U1")
    other = Scheduler(slack.deps, worker_id="other")
    with slack.session_factory() as session:
        claimed = outbox.claim_due(session, now=slack.clock.now(), worker="other")
    assert [j.id for j in claimed] == [job_id]
    assert other.release() == 1
    assert job(slack, job_id).state == JobState.PENDING
    assert slack.tick().done == 1


def test_two_schedulers_share_the_work_exactly_once(slack: SlackHarness) -> None:
    users = [f"U{n:03d}" for n in range(40)]
    for user in users:
        slack.fake.add_user(id=user)
    for user in users:
        enqueue(slack, user=user)
    workers = [
        Scheduler(slack.deps, worker_id=f"w{n}", batch=5, resolve_emails=False) for n in range(2)
    ]
    errors: list[BaseException] = []

    def loop(scheduler: Scheduler) -> None:
        try:
            for _ in range(100):
                if not scheduler.tick().claimed and slack.next_due() is None:
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    posts = Counter(c.response["channel"] for c in slack.posted())
    assert posts == {"D" + u[1:]: 1 for u in users}
    with slack.session_factory() as session:
        states = set(session.scalars(select(Job.state)))
        by_worker = Counter(session.scalars(select(Job.claimed_by)))
    assert states == {JobState.DONE}
    assert sum(by_worker.values()) == 40


def test_concurrent_job_execution_in_one_scheduler(slack: SlackHarness) -> None:
    users = [f"U{n:03d}" for n in range(12)]
    for user in users:
        slack.fake.add_user(id=user)
        enqueue(slack, user=user)
    scheduler = Scheduler(slack.deps, worker_id="pool", concurrency=4)
    result = scheduler.tick()
    scheduler.release()
    assert result.done == 12
    assert len(slack.posted()) == 12


def test_notice_is_in_the_coordinators_language() -> None:
    from bot.delivery.notices import notice_text

    ghost = Person(display_name="Gustav <Ghost>", email="g@kommune.dk")
    area = Area(name="Kultur & Fritid")
    danish = notice_text("users_not_found", ghost, area, "da")
    assert "ingen Slack-bruger har e-mailadressen g@kommune.dk" in danish
    assert "Gustav &lt;Ghost&gt;" in danish and "Kultur &amp; Fritid" in danish
    english = notice_text("cannot_dm_bot", ghost, area, "en")
    assert "bots cannot receive direct messages" in english
