"""SIGKILL a real ``statusbot serve --http`` while it sends reminders, while it
compiles a coordinator's draft and while it publishes the approved report
(files_upload_v2 to the area's channel, then a thank-you DM per manager);
restart after each kill and check: one reminder per manager who was missing
something, one draft (its files shared once, one summary), the report's files
shared once in the channel, one thank-you each — and every job done.

One process start per phase and seed (starts cost seconds): the kill lands at
a random moment of the phase's work, which the fake Slack slows down a little.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.reminders import remind_now
from bot.delivery.review import enqueue_compile
from bot.review import approve, publish
from bot.testing.fakeslack import FakeSlack
from bot.workflow.actor import Actor
from storage.models import Area, Cycle, Document, DocumentKind, Job, JobState, Person
from tests.reliability.rel_world import (
    TOKEN,
    Served,
    answer_everyone,
    expire_leases,
    open_now,
    seed,
    serve_env,
    wait_until,
)

MANAGERS = 30
SEEDS = [5, 17]
REPORTS = "CREPORTS1"
COORDINATOR = "UCOORD"


@pytest.fixture
def fake() -> FakeSlack:
    with FakeSlack(token=TOKEN) as server:
        yield server


def _marked(fake: FakeSlack, prefix: str) -> Counter[str]:
    """Accepted chat.postMessage calls whose metadata key starts with ``prefix``, per channel."""
    found: Counter[str] = Counter()
    for call in fake.posted():
        key = ((call.params.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if str(key).startswith(prefix) and call.response is not None:
            found[str(call.response["channel"])] += 1
    return found


def _jobs(factory: sessionmaker[Session], kind: str) -> list[str]:
    with factory() as session:
        return [str(s) for s in session.scalars(select(Job.state).where(Job.kind == kind))]


def _done(factory: sessionmaker[Session], kind: str) -> Callable[[], bool]:
    return lambda: set(_jobs(factory, kind)) == {JobState.DONE}


def _started(factory: sessionmaker[Session], kind: str) -> Callable[[], bool]:
    return lambda: any(s != JobState.PENDING for s in _jobs(factory, kind))


def _kill_during(
    served: Served,
    factory: sessionmaker[Session],
    rng: random.Random,
    started: Callable[[], bool],
    span: float,
) -> None:
    """Kill at a random moment within ``span`` seconds after the work started."""
    assert wait_until(started, timeout=60), served.stderr()
    threading.Event().wait(rng.random() * span)
    served.kill()
    with factory() as session:
        progress = [
            (job.kind, job.state, sorted(job.result or {}))
            for job in session.scalars(select(Job).where(Job.state != JobState.DONE))
            if job.kind != "digest"
        ]
    print(f"\nkilled with {len(progress)} job(s) unfinished, e.g. {progress[:2]}")
    expire_leases(factory)


@pytest.mark.slow
@pytest.mark.parametrize("seed_", SEEDS)
def test_kill_while_reminding_compiling_and_publishing(
    seed_: int,
    db_url: str,
    session_factory: sessionmaker[Session],
    fake: FakeSlack,
    tmp_path: Path,
) -> None:
    rng = random.Random(seed_)
    factory = session_factory
    world = seed(factory, fake, managers=MANAGERS, previous=False)
    cycle_id = open_now(factory, world)
    with factory() as session:
        # The prompts went out before (not what this test is about).
        for job in session.scalars(select(Job).where(Job.kind == "prompt")):
            job.state = JobState.DONE
        session.get(Area, world.area_id).report_channel = REPORTS  # type: ignore[union-attr]
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        remind_now(session, cycle, datetime.now(UTC))
        session.commit()
    fake.slow("chat.postMessage", 0.01, times=None)
    fake.slow("files.completeUploadExternal", 0.05, times=None)
    env = serve_env(db_url, fake)

    # 1. Reminders: kill while they go out.
    served = Served(env, tmp_path)
    _kill_during(served, factory, rng, _started(factory, "reminder"), span=MANAGERS * 0.012)

    # 2. Compile: the rest of the reminders, then a draft for the coordinator.
    served = Served(env, tmp_path)
    assert wait_until(_done(factory, "reminder"), timeout=60), served.stderr()
    answer_everyone(factory, world, now=datetime.now(UTC), status="Status fra {}")
    with factory() as session:
        cycle = session.get(Cycle, cycle_id)
        coordinator = session.get(Person, world.person_of[COORDINATOR])
        assert cycle is not None and coordinator is not None
        enqueue_compile(session, cycle, coordinator, datetime.now(UTC))
        session.commit()
    _kill_during(served, factory, rng, _started(factory, "review.compile"), span=0.15)

    # 3. Publish: finish the draft, approve and publish; kill while posting.
    served = Served(env, tmp_path)
    assert wait_until(_done(factory, "review.compile"), timeout=60), served.stderr()
    with factory() as session:
        coordinator = session.get(Person, world.person_of[COORDINATOR])
        assert coordinator is not None
        now = datetime.now(UTC)
        approve(session, cycle_id=cycle_id, actor=Actor.of(coordinator), now=now)
        publish(session, cycle_id=cycle_id, actor=Actor.of(coordinator), now=now)
        session.commit()
    _kill_during(served, factory, rng, _started(factory, "publish"), span=MANAGERS * 0.012)

    served = Served(env, tmp_path)
    try:
        assert wait_until(_done(factory, "publish"), timeout=60), served.stderr()
    finally:
        code = served.stop()
    assert code == 0

    # Reminders: one per manager (all were missing their answer), none for others.
    wanted = {fake.dm_channel(m): 1 for m in world.managers}
    assert dict(_marked(fake, "reminder:")) == wanted
    # One draft: compiled once, its files shared once in the coordinator's DM, one summary.
    coordinator_dm = fake.dm_channel(COORDINATOR)
    with factory() as session:
        drafts = session.scalars(
            select(Document.draft_number).where(
                Document.cycle_id == cycle_id, Document.kind == DocumentKind.DRAFT
            )
        ).all()
    assert set(drafts) == {1}
    shared = Counter(ch for f in fake.uploaded() for ch, _ts in f.get("shares", []))
    assert shared[coordinator_dm] == len(drafts)
    assert dict(_marked(fake, "draft:")) == {coordinator_dm: 1}
    # Published: the report's files once in the channel, one thank-you per manager.
    in_channel = [f for f in fake.uploaded() if REPORTS in f.get("channels", [])]
    assert in_channel and all(len(f["shares"]) == 1 for f in in_channel)
    assert shared[REPORTS] == len(in_channel)
    assert dict(_marked(fake, "publish:")) == wanted
    with factory() as session:
        states = Counter(session.scalars(select(Job.state).where(Job.kind != "digest")))
    assert set(states) == {JobState.DONE}, states  # (the digest is due at the deadline)
    assert "Traceback" not in served.stderr()
