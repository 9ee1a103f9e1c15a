"""Outbox retention: the scheduler's hourly housekeeping deletes jobs done more
than ``STATUSBOT_JOB_RETENTION_DAYS`` ago (in small batches); failed, pending
and recent jobs stay; 0 keeps everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.harness import SlackHarness
from storage import outbox
from storage.models import Job, JobState


def add_job(
    factory: sessionmaker[Session], name: str, state: str, done_at: datetime | None
) -> None:
    with factory() as session:
        session.add(
            Job(
                kind="test_retention",
                payload={},
                dedupe_key=name,
                due_at=done_at or datetime.now().astimezone(),
                state=state,
                done_at=done_at,
            )
        )
        session.commit()


def names(factory: sessionmaker[Session]) -> set[str]:
    with factory() as session:
        return {str(k) for k in session.scalars(select(Job.dedupe_key))}


def test_the_scheduler_deletes_done_jobs_past_retention(slack: SlackHarness) -> None:
    now = slack.clock.now()
    factory = slack.session_factory
    for n in range(3):
        add_job(factory, f"old-done-{n}", JobState.DONE, now - timedelta(days=31, minutes=n))
    add_job(factory, "recent-done", JobState.DONE, now - timedelta(days=29))
    add_job(factory, "old-failed", JobState.FAILED, now - timedelta(days=90))
    add_job(factory, "later", JobState.PENDING, None)
    # (a pending job due in the future is never claimed by the tick below)
    with factory() as session:
        session.execute(
            Job.__table__.update()
            .where(Job.dedupe_key == "later")
            .values(due_at=now + timedelta(days=400))
        )
        session.commit()

    slack.tick()
    assert names(factory) == {"recent-done", "old-failed", "later"}

    # Housekeeping runs hourly: a job that passes its retention now waits for the next round.
    add_job(factory, "old-done-late", JobState.DONE, now - timedelta(days=40))
    slack.tick()
    assert "old-done-late" in names(factory)
    slack.advance(timedelta(days=1, hours=1))
    slack.tick()
    assert names(factory) == {"old-failed", "later"}  # "recent-done" is 30 days old now


def test_retention_zero_keeps_everything(db_url: str, session_factory: sessionmaker) -> None:
    with SlackHarness(
        session_factory,
        database_url=db_url,
        listeners=False,
        settings={"STATUSBOT_JOB_RETENTION_DAYS": 0},
    ) as slack:
        add_job(session_factory, "ancient", JobState.DONE, slack.clock.now() - timedelta(days=900))
        slack.tick()
        assert names(session_factory) == {"ancient"}


def test_purge_works_in_batches(session_factory: sessionmaker) -> None:
    cutoff = datetime(2024, 3, 1).astimezone()
    for n in range(7):
        add_job(session_factory, f"d{n}", JobState.DONE, cutoff - timedelta(hours=n + 1))
    add_job(session_factory, "keep", JobState.DONE, cutoff + timedelta(hours=1))
    with session_factory() as session:
        assert outbox.purge_done(session, before=cutoff, batch=3) == 7
    assert names(session_factory) == {"keep"}
