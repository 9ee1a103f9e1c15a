"""Two serving processes on one PostgreSQL database share the scheduler: each
job is done once (``FOR UPDATE SKIP LOCKED`` claims), every manager gets one
prompt, and both processes did part of the work."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from storage.models import Job, JobState
from tests.reliability.rel_world import (
    PG_URL,
    TOKEN,
    Served,
    assert_prompts_exactly_once,
    open_now,
    pg_only_reason,
    seed,
    serve_env,
    wait_until,
)

pytestmark = pytest.mark.skipif(not PG_URL, reason=pg_only_reason())


@pytest.mark.postgres
@pytest.mark.slow
def test_two_processes_do_each_job_once(
    db_url: str, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with FakeSlack(token=TOKEN) as fake:
        world = seed(session_factory, fake, managers=150, previous=False)
        fake.slow("chat.postMessage", 0.01, times=None)
        env = serve_env(db_url, fake, STATUSBOT_TICK_SECONDS="0.1")
        first = Served(env, tmp_path)
        second = Served(env, tmp_path)
        try:
            open_now(session_factory, world)
            assert wait_until(lambda: _done(session_factory), timeout=90)
        finally:
            codes = (first.stop(), second.stop())
        assert codes == (0, 0)
        assert_prompts_exactly_once(session_factory, fake, world)
        with session_factory() as session:
            workers = Counter(
                str(w).split(":")[1]
                for w in session.scalars(select(Job.claimed_by).where(Job.kind == "prompt"))
                if w
            )
        print(f"\nprompt jobs per process: {dict(workers)}")
        assert len(workers) == 2, workers  # both processes claimed work


def _done(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        states = set(session.scalars(select(Job.state).where(Job.kind == "prompt")))
    return states == {JobState.DONE}
