"""The outbox: enqueue work now, deliver it later exactly once.

Claiming happens in its own short transaction. On PostgreSQL due rows are
locked with ``FOR UPDATE SKIP LOCKED`` so several bot processes can share one
database; SQLite serialises writers, so the claim's UPDATE is itself the lock.
A claim is a lease (``claimed_until``): if the process dies, the job becomes
due again when the lease ends, and the handler must check ``result`` (e.g. a
recorded Slack ``ts``) before doing visible work again.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import is_sqlite
from storage.models import Job, JobState

DEFAULT_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
PURGE_BATCH = 500


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    due_at: datetime,
    dedupe_key: str | None = None,
    cycle_id: int | None = None,
    team_id: str = "",
) -> Job:
    """Add a job unless one with the same ``dedupe_key`` exists (then return it)."""
    if dedupe_key is not None:
        existing = session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    job = Job(
        kind=kind,
        payload=payload,
        due_at=due_at,
        dedupe_key=dedupe_key,
        cycle_id=cycle_id,
        team_id=team_id,
        state=JobState.PENDING,
    )
    session.add(job)
    session.flush()
    return job


def claim_due(
    session: Session,
    *,
    now: datetime,
    worker: str,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    kinds: list[str] | None = None,
) -> list[Job]:
    """Claim up to ``limit`` due jobs for ``worker`` and commit the claim.

    Due means pending with ``due_at <= now``, or claimed by someone whose lease
    has run out (a crashed process).
    """
    due = or_(
        (Job.state == JobState.PENDING) & (Job.due_at <= now),
        (Job.state == JobState.CLAIMED) & (Job.claimed_until <= now),
    )
    query = select(Job.id).where(due).order_by(Job.due_at, Job.id).limit(limit)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    bind = session.get_bind()
    if not is_sqlite(bind):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        session.commit()
        return []
    # Re-check the condition in the UPDATE so a concurrent claimer on SQLite
    # (which has no row locks) cannot take the same job twice.
    session.execute(
        update(Job)
        .where(Job.id.in_(ids), due)
        .values(
            state=JobState.CLAIMED,
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=Job.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    claimed = session.scalars(
        select(Job)
        .where(Job.id.in_(ids), Job.claimed_by == worker, Job.state == JobState.CLAIMED)
        .order_by(Job.due_at, Job.id)
        .execution_options(populate_existing=True)
    )
    return list(claimed)


def record_result(session: Session, job: Job, **result: Any) -> None:
    """Remember what the side effect produced (before marking done), committed."""
    merged = dict(job.result or {})
    # A copy: callers keep mutating the lists/dicts they pass (``sent[x] = ts``);
    # storing the same objects would make the next call compare equal to the
    # stored value (sessions keep objects after commit) and write nothing.
    merged.update(copy.deepcopy(result))
    write_job(session, job, result=merged)
    session.commit()


def mark_done(session: Session, job: Job, *, now: datetime) -> None:
    """Done, with whatever else of ``job`` changed, committed (with the
    session's other changes)."""
    write_job(session, job, state=JobState.DONE, done_at=now, claimed_until=None)
    session.commit()


def write_job(session: Session, job: Job, **values: Any) -> None:
    """One Core UPDATE of ``job``'s changed columns and ``values`` (not
    committed); ``job`` then holds them as written. Every delivered job passes
    here once or twice: the ORM's flush of the one row cost more than the
    statement (bench.mail_fanout, issue 21)."""
    state = inspect(job)
    changed = {a.key: a.value for a in state.attrs if a.history.has_changes()}
    changed.update(values)
    # On the table, not the entity: no ORM UPDATE machinery; and ``job`` is
    # not flushed first (this statement writes its changes).
    columns = state.mapper.columns
    statement = update(_JOB).where(_JOB.c.id == job.id)
    with session.no_autoflush:
        session.execute(statement.values({columns[k]: v for k, v in changed.items()}))
    for key, value in changed.items():
        set_committed_value(job, key, value)


_JOB = cast(Table, Job.__table__)
_BY_ID = _JOB.c.id == bindparam("job_id")


def sync_result(job: Job, result: dict[str, Any]) -> None:
    """``job`` holds ``result`` as written (by :func:`write_results`)."""
    set_committed_value(job, "result", dict(result))


def write_results(session: Session, results: dict[int, dict[str, Any]]) -> None:
    """Set the ``result`` of many jobs (job id → result) in one statement
    (not committed)."""
    if results:
        rows = [{"job_id": i, "new_result": r} for i, r in results.items()]
        session.execute(_WRITE_RESULT, rows)


def mark_done_many(session: Session, results: dict[int, dict[str, Any]], *, now: datetime) -> None:
    """Done, with their final ``result`` (job id → result), committed."""
    if results:
        rows = [{"job_id": i, "new_result": r, "now": now} for i, r in results.items()]
        session.execute(_MARK_DONE, rows)
    session.commit()


# Built once (a fan-out runs them once per mail).
_NEW_RESULT = bindparam("new_result", type_=_JOB.c.result.type)
_WRITE_RESULT = update(_JOB).where(_BY_ID).values(result=_NEW_RESULT)
_MARK_DONE = (
    update(_JOB)
    .where(_BY_ID)
    .values(
        state=JobState.DONE,
        done_at=bindparam("now", type_=_JOB.c.done_at.type),
        claimed_until=None,
        result=_NEW_RESULT,
    )
)


def mark_retry(
    session: Session, job: Job, *, now: datetime, error: str, delay: timedelta | None = None
) -> bool:
    """Put the job back with exponential backoff; give up after MAX_ATTEMPTS.

    Returns True when the job will be retried, False when it has failed for good.
    """
    job.last_error = error[:2000]
    job.claimed_by = None
    job.claimed_until = None
    if job.attempts >= MAX_ATTEMPTS:
        job.state = JobState.FAILED
        job.done_at = now
        session.commit()
        return False
    backoff = delay if delay is not None else timedelta(seconds=min(3600, 5 * 2**job.attempts))
    job.state = JobState.PENDING
    job.due_at = now + backoff
    session.commit()
    return True


def mark_failed(session: Session, job: Job, *, now: datetime, error: str) -> None:
    """Give up on a job that can never succeed (e.g. ``user_not_found``)."""
    job.state = JobState.FAILED
    job.last_error = error[:2000]
    job.done_at = now
    job.claimed_until = None
    session.commit()


def release(session: Session, worker: str) -> int:
    """Hand back every job ``worker`` holds (clean shutdown)."""
    result = session.execute(
        update(Job)
        .where(Job.claimed_by == worker, Job.state == JobState.CLAIMED)
        .values(state=JobState.PENDING, claimed_by=None, claimed_until=None)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_done(session: Session, *, before: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete jobs that finished successfully before ``before``; returns how many.

    In short transactions of ``batch`` rows, so a large backlog never holds
    the database's write lock long (Slack requests wait at most ~1.5 s for it).
    Failed jobs stay: they are the record of what could not be delivered.
    """
    removed = 0
    while True:
        ids = list(
            session.scalars(
                select(Job.id)
                .where(Job.state == JobState.DONE, Job.done_at < before)
                .order_by(Job.id)
                .limit(batch)
            )
        )
        if ids:
            session.execute(
                delete(Job)
                .where(Job.id.in_(ids), Job.state == JobState.DONE)
                .execution_options(synchronize_session=False)
            )
        session.commit()
        removed += len(ids)
        if len(ids) < batch:
            return removed
