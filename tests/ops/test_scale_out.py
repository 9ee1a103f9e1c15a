"""Scale-out: two `statusbot serve --http` processes on one PostgreSQL share the
outbox; every prompt is sent exactly once, both processes do work, and both
stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.testing.fakeslack import FakeSlack
from bot.testing.served import LAUNCH
from bot.testing.signer import get
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.db import make_session_factory
from storage.models import Area, Initiative, Job, JobState, Person, Track

pytestmark = pytest.mark.skipif(
    not os.environ.get("STATUSBOT_TEST_DATABASE_URL"),
    reason="scale-out needs PostgreSQL (set STATUSBOT_TEST_DATABASE_URL); "
    "on SQLite only one process may claim work",
)

TOKEN = "xoxb-ops-test-token-0123456789"  # = conftest's fake token
SECRET = "scale-out-signing-secret"
AREAS, MANAGERS_PER_AREA = 10, 3


def start(db_url: str, fake: FakeSlack, cwd: Path) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STATUSBOT_"))}
    env.update(
        STATUSBOT_DATABASE_URL=db_url,
        SLACK_API_URL=fake.base_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        STATUSBOT_TICK_SECONDS="0.2",
        STATUSBOT_LOCALE="en",
        STATUSBOT_LOG_FORMAT="json",
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--http", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise AssertionError(f"serve did not start: {line!r} {proc.stderr.read()}")  # type: ignore[union-attr]
    return proc, line.split("listening on ", 1)[1].split()[0]


def seed(engine: Engine, fake: FakeSlack) -> list[int]:
    """AREAS areas of MANAGERS_PER_AREA managers with one initiative each."""
    area_ids = []
    with make_session_factory(engine)() as session:
        for a in range(AREAS):
            area = Area(team_id="", name=f"Område {a}", key=f"område {a}")
            session.add(area)
            session.flush()
            track = Track(area_id=area.id, name="Spor", key="spor", position=0)
            session.add(track)
            session.flush()
            for m in range(MANAGERS_PER_AREA):
                user_id = f"UM{a:02d}{m:02d}"
                fake.add_user(id=user_id, name=f"Leder {a}.{m}")
                person = Person(team_id="", slack_user_id=user_id, display_name=user_id)
                session.add(person)
                session.flush()
                title = f"Tiltag {a}.{m}"
                session.add(
                    Initiative(
                        area_id=area.id,
                        track_id=track.id,
                        title=title,
                        key=title.casefold(),
                        position=m,
                        owner_id=person.id,
                    )
                )
            area_ids.append(area.id)
        session.commit()
    return area_ids


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_two_serving_processes_send_each_prompt_once(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with FakeSlack(token=TOKEN) as fake:
        fake.slow("chat.postMessage", 0.02, times=None)  # a little latency, like Slack
        area_ids = seed(engine, fake)
        managers = [f"UM{a:02d}{m:02d}" for a in range(AREAS) for m in range(MANAGERS_PER_AREA)]
        procs = [start(db_url, fake, tmp_path) for _ in range(2)]
        try:
            for _, url in procs:
                assert get(url + "/healthz").json()["database"] == "ok"
            factory = make_session_factory(engine)
            now = datetime.now(UTC)
            # Open the cycles one by one while both processes tick.
            for area_id in area_ids:
                with factory() as session:
                    open_cycle(
                        session,
                        area_id=area_id,
                        as_of=now.date(),
                        deadline=now + timedelta(days=7),
                        remind=[],
                        title=None,
                        actor=Actor.cli(),
                        now=datetime.now(UTC),
                    )
                    session.commit()
                time.sleep(0.15)
            assert wait_for(lambda: all(fake.posted(m) for m in managers), timeout=60)
            time.sleep(1.0)  # room for a duplicate to show up
            per_manager = Counter(m for m in managers for _ in fake.posted(m))
            assert set(per_manager.values()) == {1}, per_manager
            assert len(fake.calls_to("chat.postMessage", ok=True)) == len(managers)
            for _, url in procs:
                health = get(url + "/healthz").json()
                assert health["status"] == "ok" and health["scheduler"]["alive"] is True
        finally:
            for proc, _ in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            results = [(proc.wait(timeout=30), proc.stderr.read()) for proc, _ in procs]  # type: ignore[union-attr]
    for code, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    with factory() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "prompt")).all()
    assert len(jobs) == len(managers)
    assert {job.state for job in jobs} == {JobState.DONE}
    # worker ids are host:pid:random — two serving processes, two pids.
    pids = {str(job.claimed_by).split(":")[1] for job in jobs}
    assert 1 <= len(pids) <= 2, pids
    if len(pids) == 1:
        # Legal (one process may win every claim on a loaded machine), but worth seeing.
        warnings.warn(f"one process did all the work: {pids}", stacklevel=1)
