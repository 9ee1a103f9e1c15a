"""SIGKILL a real ``statusbot serve --http`` at random points, restart it, and
check the invariants: every prompt delivered exactly once, every acknowledged
answer stored exactly once, no entry half-changed.

The bot talks to the fake Slack through ``SLACK_API_URL``; the database is the
test's SQLite file or (``STATUSBOT_TEST_DATABASE_URL``) a PostgreSQL schema.
After a kill the dead process's claims are released the way time would release
them (their 2-minute lease is moved into the past) instead of sleeping.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import answers
from bot.testing.fakeslack import FakeSlack
from bot.testing.signer import post
from storage.models import Job, JobState, Revision
from tests.reliability.rel_world import (
    TOKEN,
    Served,
    answer_text,
    assert_answers_exactly_once,
    assert_prompts_exactly_once,
    dm_counts,
    expire_leases,
    open_now,
    seed,
    serve_env,
    signer,
    status_values,
    update_view,
    wait_until,
)

MANAGERS = 200
SEEDS = [11, 23, 37]
# Every start of `serve` costs seconds (imports, gunicorn): one kill per seed.


@pytest.fixture
def fake() -> FakeSlack:
    with FakeSlack(token=TOKEN) as server:
        yield server


def _prompted(fake: FakeSlack) -> int:
    return sum(1 for channel in dm_counts(fake) if channel.startswith("DM"))


@pytest.mark.slow
@pytest.mark.parametrize("seed_", SEEDS)
def test_kill_while_sending_200_prompts(
    seed_: int,
    db_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    fake: FakeSlack,
    tmp_path: Path,
) -> None:
    rng = random.Random(seed_)
    world = seed(session_factory, fake, managers=MANAGERS, previous=False)
    open_now(session_factory, world)
    # A little latency per message so the kills land in the middle of the work.
    fake.slow("chat.postMessage", 0.004, times=None)
    env = serve_env(db_url, fake)
    kills = [rng.randrange(5, MANAGERS - 5)]
    for at in kills:
        served = Served(env, tmp_path)
        assert wait_until(lambda at=at: _prompted(fake) >= at, timeout=60), served.stderr()
        # A random extra moment: between Slack's answer, the commit, mark_done…
        threading.Event().wait(rng.random() * 0.02)
        served.kill()
        expire_leases(session_factory)
    served = Served(env, tmp_path)
    try:
        assert wait_until(lambda: _all_prompts_done(session_factory), timeout=90), served.stderr()
    finally:
        code = served.stop()
    assert code == 0
    assert_prompts_exactly_once(session_factory, fake, world)
    assert "Traceback" not in served.stderr()


def _all_prompts_done(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        states = set(session.scalars(select(Job.state).where(Job.kind == "prompt")))
    return states == {JobState.DONE}


@pytest.mark.slow
@pytest.mark.parametrize("seed_", SEEDS[:2])
def test_kill_while_handling_submissions(
    seed_: int,
    db_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    fake: FakeSlack,
    tmp_path: Path,
) -> None:
    rng = random.Random(seed_)
    managers = 60
    world = seed(session_factory, fake, managers=managers, previous=False)
    cycle_id = open_now(session_factory, world)
    env = serve_env(db_url, fake)
    served = Served(env, tmp_path)
    assert wait_until(lambda: _all_prompts_done(session_factory), timeout=60), served.stderr()

    acknowledged: dict[str, str] = {}
    unanswered: list[str] = []
    lock = threading.Lock()
    sign = signer()
    kill_at = rng.randrange(5, managers - 20)

    def submit(slack_id: str, url: str, delay: float = 0.0) -> None:
        threading.Event().wait(delay)  # Saves pressed over a while, not all at once
        text = answer_text(slack_id)
        request = sign.view_submission(
            update_view(cycle_id, world.entry_of[slack_id]),
            user_id=slack_id,
            values=status_values(text),
        )
        try:
            response = post(url, request, timeout=15)
        except OSError:
            response = None
        with lock:
            if response is not None and response.status == 200 and response.text in ("", "{}"):
                acknowledged[slack_id] = text  # Slack saw the modal close
            else:
                unanswered.append(slack_id)

    threads = [
        threading.Thread(target=submit, args=(slack_id, served.events_url, n * 0.01))
        for n, slack_id in enumerate(world.managers)
    ]
    for thread in threads:
        thread.start()
    # Acknowledged answers are recorded first and applied just after: the kill
    # lands among requests in flight, recorded answers and answers being applied.
    assert wait_until(lambda: len(acknowledged) >= kill_at, timeout=30)
    threading.Event().wait(rng.random() * 0.05)
    served.kill()
    for thread in threads:
        thread.join(30)
    assert acknowledged, "the kill came before any answer was acknowledged"
    assert unanswered, "the kill came after every answer was acknowledged"
    assert len(acknowledged) + len(unanswered) == managers

    # Restart. Slack showed the managers whose Save was not acknowledged an
    # error with their text still in the modal; they press Save again.
    expire_leases(session_factory)
    served = Served(env, tmp_path)
    try:
        for slack_id in sorted(unanswered):
            submit(slack_id, served.events_url)
        assert len(acknowledged) == managers, sorted(set(world.managers) - set(acknowledged))
        assert wait_until(lambda: _idle(session_factory), timeout=30)
    finally:
        code = served.stop()
    assert code == 0
    assert_answers_exactly_once(session_factory, world, acknowledged)
    # Prompts still went out exactly once (the restart did not re-send them).
    assert_prompts_exactly_once(session_factory, fake, world)


def _revisions(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count(Revision.id))) or 0)


def _idle(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        busy = session.scalar(
            select(Job.id)
            .where(
                (Job.state == JobState.CLAIMED)
                | ((Job.state == JobState.PENDING) & (Job.kind == answers.KIND))
            )
            .limit(1)
        )
    return busy is None
