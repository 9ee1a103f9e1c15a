"""The database goes away while a manager submits, and while the scheduler
works: the modal answers with a field error asking to try again (the text stays
in the modal); once the database is back the same submission is stored once;
the scheduler backs off and resumes by itself.

SQLite: another writer holds an exclusive transaction on the file (the app
waits its per-request lock wait, then gives up — inside Slack's 3 s window).
PostgreSQL: the app's connections point at a server that is not running (a
closed port) — the machine's shared server is never stopped.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from bot.testing.harness import SlackHarness
from storage.db import (
    bounded_lock_waits,
    is_sqlite,
    make_engine,
    make_session_factory,
    request_engine,
)
from storage.models import Job, JobState, Revision
from tests.reliability.rel_world import (
    PG_URL,
    answer_text,
    assert_answers_exactly_once,
    open_now,
    seed,
    status_values,
    update_view,
)

DEAD_PG = "postgresql+psycopg://postgres@127.0.0.1:9/statusbot?connect_timeout=1"


@contextmanager
def database_down(slack: SlackHarness, db_url: str) -> Iterator[None]:
    if is_sqlite(db_url):
        path = make_url(db_url).database
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    working = slack.deps.session_factory
    dead = make_engine(DEAD_PG)
    slack.deps.session_factory = make_session_factory(dead)
    try:
        yield
    finally:
        slack.deps.session_factory = working
        dead.dispose()


@pytest.mark.serial  # measures the answer against Slack's 3-second window
def test_submission_while_the_database_is_down_then_back(slack: SlackHarness, db_url: str) -> None:
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    manager = world.managers[0]
    text = answer_text(manager)
    request = slack.signer.view_submission(
        update_view(cycle_id, world.entry_of[manager]), user_id=manager, values=status_values(text)
    )
    with database_down(slack, db_url):
        started = time.monotonic()
        refused = slack.send(request, wait=False)  # the HTTP answer alone
        waited = time.monotonic() - started
    assert refused.status == 200, refused.text
    body = refused.json()
    assert body["response_action"] == "errors"
    [message] = body["errors"].values()
    assert "could not be saved" in message and "Save again" in message
    assert "Traceback" not in refused.text
    assert waited < 3.0, f"answered after {waited:.2f}s, after Slack's 3-second window"
    print(f"\nsubmission answered after {waited:.1f}s with the database down")
    with slack.session_factory() as session:
        assert session.scalars(select(Revision)).all() == []

    # Back: Slack re-sends the very same modal (same id and hash) when Save is pressed again.
    again = slack.send(request)
    assert again.status == 200 and again.text in ("", "{}"), again.text
    # …and a third delivery of it changes nothing.
    assert slack.send(request).text in ("", "{}")
    assert_answers_exactly_once(slack.session_factory, world, {manager: text})


def test_scheduler_backs_off_and_resumes(slack: SlackHarness, db_url: str) -> None:
    world = seed(slack.session_factory, slack.fake, managers=5)
    open_now(slack.session_factory, world, now=slack.clock.now())
    stop = threading.Event()
    scheduler = slack.scheduler
    with database_down(slack, db_url):
        runner = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
        runner.start()
        deadline = time.monotonic() + 15
        while scheduler.last_error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scheduler.last_error is not None  # it noticed, and keeps running
        assert runner.is_alive()
        assert slack.fake.posted() == []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with slack.session_factory() as session:
                states = set(session.scalars(select(Job.state).where(Job.kind == "prompt")))
            if states == {JobState.DONE}:
                break
            time.sleep(0.1)
        assert states == {JobState.DONE}
        assert scheduler.last_error is None
    finally:
        stop.set()
        runner.join(30)
    channels = sorted(str(c.response["channel"]) for c in slack.fake.posted())
    assert channels == sorted(slack.fake.dm_channel(u) for u in world.managers)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's request pool (SQLite has no server)")
def test_a_dropped_request_connection_is_retried_once(slack: SlackHarness, engine: Engine) -> None:
    """The acknowledgement's pool does not ping before each use (a round trip):
    a connection the server dropped (restart, idle cut) fails once, and the
    same request retries on a fresh one — the manager sees nothing of it."""
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    first, second = world.managers
    texts = {first: answer_text(first), second: answer_text(second)}

    def submit(manager: str) -> str:
        request = slack.signer.view_submission(
            update_view(cycle_id, world.entry_of[manager]),
            user_id=manager,
            values=status_values(texts[manager]),
        )
        return slack.send(request).text

    assert submit(first) in ("", "{}")
    with bounded_lock_waits():
        pool = request_engine(engine)
    assert pool is not None
    with pool.connect() as conn:  # the one pooled connection the first answer used
        pid = conn.connection.driver_connection.info.backend_pid
    with engine.begin() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    assert submit(second) in ("", "{}")
    assert_answers_exactly_once(slack.session_factory, world, texts)


def test_an_outage_is_over_before_any_job_of_the_next_tick_is_seen_done(
    slack: SlackHarness, monkeypatch
) -> None:
    """A tick that gets through the database clears the outage it reported
    before its jobs are done, not after its housekeeping (the race behind
    "database is locked" still showing after the prompts went out)."""
    world = seed(slack.session_factory, slack.fake, managers=2)
    open_now(slack.session_factory, world, now=slack.clock.now())
    scheduler = slack.scheduler
    scheduler.last_error = "OperationalError: database is locked"
    reported: list[str | None] = []

    def housekeeping(_now: object) -> None:  # the rest of the tick, after the jobs ran
        with slack.session_factory() as session:
            states = set(session.scalars(select(Job.state).where(Job.kind == "prompt")))
        assert states == {JobState.DONE}
        reported.append(scheduler.last_error)

    monkeypatch.setattr(scheduler, "_housekeeping", housekeeping)
    scheduler.tick()
    assert reported == [None]
    assert scheduler.last_error is None
