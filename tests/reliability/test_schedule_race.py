"""Two serving processes on one PostgreSQL database when a scheduled round's
opening day comes: the round opens once (the scheduler's claim), every
manager gets one prompt, and the round is recorded as opened with its cycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from bot.workflow import schedules
from bot.workflow.actor import Actor
from storage.models import Cycle, Job, JobState, RoundState, ScheduledRound
from tests.reliability.rel_world import (
    PG_URL,
    TOKEN,
    Served,
    assert_prompts_exactly_once,
    pg_only_reason,
    seed,
    serve_env,
    wait_until,
)

pytestmark = pytest.mark.skipif(not PG_URL, reason=pg_only_reason())
ZONE = ZoneInfo("Europe/Copenhagen")


@pytest.mark.postgres
@pytest.mark.slow
def test_two_processes_open_the_scheduled_round_once(
    db_url: str, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with FakeSlack(token=TOKEN) as fake:
        world = seed(session_factory, fake, managers=20, previous=False)
        now = datetime.now(UTC)
        as_of = (now + timedelta(days=20)).astimezone(ZONE).date()
        with session_factory() as session:
            schedules.set_schedule(
                session,
                area_id=world.area_id,
                spec=schedules.parse_schedule(
                    as_of=as_of.strftime("%m-%d"), open_before="14d", answer_days=10, remind=None
                ),
                actor=Actor.cli(),
                now=now,
                zone=ZONE,
            )
            # The opening day has come (its 08:00 is six days ahead): the job is due.
            session.execute(
                update(Job)
                .where(Job.kind.in_(schedules.JOB_KINDS))
                .values(due_at=now)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        env = serve_env(db_url, fake, STATUSBOT_TICK_SECONDS="0.1")
        first, second = Served(env, tmp_path), Served(env, tmp_path)
        try:
            assert wait_until(lambda: _prompts_done(session_factory, len(world.managers)), 90)
        finally:
            codes = (first.stop(), second.stop())
        assert codes == (0, 0)
        with session_factory() as session:
            (cycle,) = session.scalars(select(Cycle)).all()
            row = session.scalar(select(ScheduledRound).where(ScheduledRound.as_of == as_of))
            assert row is not None and (row.state, row.cycle_id) == (RoundState.OPENED, cycle.id)
            openings = session.scalars(select(Job).where(Job.kind == schedules.OPEN_KIND)).all()
            states = [j.state for j in openings if j.payload["as_of"] == as_of.isoformat()]
            assert states == [JobState.DONE]  # and the next round's opening is planned
            assert len(openings) == 2
        assert_prompts_exactly_once(session_factory, fake, replace(world, cycle_id=cycle.id))


def _prompts_done(factory: sessionmaker[Session], wanted: int) -> bool:
    with factory() as session:
        states = list(session.scalars(select(Job.state).where(Job.kind == "prompt")))
    return len(states) == wanted and set(states) == {JobState.DONE}
