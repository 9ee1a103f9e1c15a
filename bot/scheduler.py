"""Delivers due outbox jobs (prompts, reminders, digests, notices) exactly once.

Each :meth:`Scheduler.tick`:

1. looks up e-mail addresses that have no Slack id yet (:mod:`bot.resolve`);
2. claims due jobs (``storage.outbox.claim_due``: a lease, ``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL so several processes can share the work; on SQLite
   the guarded UPDATE makes concurrent claimers safe, and ``serve`` runs one);
3. runs each job's handler (:mod:`bot.delivery.registry`) and marks the job
   done only after the handler returned. A thread runs the claimed jobs in
   chunks of ``CHUNK``: a handler may defer its last step (a fan-out's mail,
   :class:`bot.mail.jobs.MailPlan`), finished for the whole chunk at its end
   (the chunk's links committed in one transaction before its mails go out,
   each job marked done right after its mail); the jobs' data the handlers
   need is loaded once for the claimed batch (:class:`JobBatch`).

Exactly once = the claim's lease + idempotent handlers: a process killed
between Slack's answer and ``mark_done`` leaves a claimed job whose lease runs
out; the next claimer re-runs the handler, which finds the ``ts`` it recorded
with ``record_result`` and does not post again. A crash between Slack
accepting a message and ``record_result`` committing is covered by message
metadata and ``files.info`` (:mod:`bot.delivery.recovery`,
:mod:`bot.delivery.uploads`): the re-run adopts what Slack already has.

Failures: ``ratelimited`` → back after ``Retry-After`` (not counted as an
attempt); 5xx, timeouts, connection errors and unexpected exceptions → retry
with exponential backoff (``mark_retry``), failed after ``MAX_ATTEMPTS``;
``PermanentFailure`` and permanent Slack errors (``user_not_found``,
``cannot_dm_bot``…) → failed at once. Failed jobs about a person queue one
``notify_failure`` to the area's coordinators.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.delivery.notices import KIND as NOTICE_KIND
from bot.delivery.notices import enqueue_failure_notice
from bot.delivery.refresh import ANSWER_KIND, HOME_KIND, REFRESH_KIND
from bot.delivery.registry import (
    Deferred,
    JobBatch,
    JobContext,
    PermanentFailure,
    RetryLater,
    UnknownJobKind,
    handler_for,
)
from bot.oauth import NotInstalled
from bot.resolve import resolve_pending, teams_pending
from bot.runtime import Deps
from bot.slack_client import (
    TRANSIENT_ERRORS,
    is_permanent,
    retry_after_seconds,
    slack_error_code,
)
from storage import outbox
from storage.models import Cycle, Job, JobState, ProcessedEvent

log = logging.getLogger(__name__)

PROCESSED_EVENT_TTL = timedelta(days=7)
HOUSEKEEPING_EVERY = timedelta(hours=1)
DEFAULT_RATE_LIMIT_DELAY = timedelta(seconds=1)
WAKE_DELAY = 0.3  # seconds of quiet after a wake-up before the tick (coalescing)
MAX_SETTLE = 2.0  # seconds a stream of wake-ups may hold the tick back
# What a request queues for right after it (see SchedulerService._standby).
FOLLOW_UP_KINDS = (ANSWER_KIND, REFRESH_KIND, HOME_KIND)
WAIT_SLICE = 0.25  # how often an idle scheduler looks at ``stop``
# Jobs one thread runs before finishing their deferred steps together (a
# fan-out's mails: the chunk's links committed in one transaction, then each
# mail sent and its job marked done).
CHUNK = 8
_NETWORK_ERRORS = (URLError, TimeoutError, ConnectionError, HTTPException, socket.timeout)


@dataclass
class TickResult:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    resolved: int = 0
    errors: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Scheduler:
    """One claimer. ``tick()`` does one pass; ``run(stop)`` loops until ``stop`` is set."""

    def __init__(
        self,
        deps: Deps,
        worker_id: str | None = None,
        *,
        batch: int = 50,
        lease: timedelta = outbox.DEFAULT_LEASE,
        concurrency: int = 1,
        resolve_emails: bool = True,
    ) -> None:
        self.deps = deps
        self.worker_id = worker_id or default_worker_id()
        self.batch = batch
        self.lease = lease
        self.concurrency = max(1, concurrency)
        self.resolve_emails = resolve_emails
        self.wake_delay = WAKE_DELAY
        self.last_tick_at: float | None = None  # time.monotonic() of the last finished tick
        self.last_error: str | None = None
        self._started = False
        self._housekept_at: datetime | None = None
        self._pool: ThreadPoolExecutor | None = None

    # ---------------------------------------------------------------- loop

    def run(self, stop: threading.Event) -> None:
        """Tick every ``STATUSBOT_TICK_SECONDS`` (at once again while there is a
        backlog) until ``stop`` is set; then hand back what is claimed."""
        interval = self.deps.settings.tick_seconds
        try:
            while not stop.is_set():
                try:
                    result = self.tick()
                    busy = result.claimed >= self.batch
                except Exception as exc:  # the loop must survive a DB outage
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("scheduler tick failed: %s", self.last_error)
                    busy = False
                    stop.wait(min(interval, 5.0))
                if not busy:
                    self._idle(stop, interval)
        finally:
            self.release()

    def _idle(self, stop: threading.Event, interval: float) -> None:
        """Sleep until the next tick: ``interval``, or less when a listener
        queued work (``deps.wakeup``); then a short pause so a burst of answers
        coalesces into one refresh per person and the acks go out first."""
        wakeup = self.deps.wakeup
        deadline = time.monotonic() + interval
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if wakeup.wait(min(remaining, WAIT_SLICE)):
                self._settle(stop)
                return

    def _settle(self, stop: threading.Event) -> None:
        """After a wake-up, wait until requests pause for ``wake_delay`` (at
        most ``MAX_SETTLE`` in all): during a burst of answers every request
        wakes us again, and its acknowledgement matters more than applying
        the answers a moment earlier."""
        wakeup = self.deps.wakeup
        limit = time.monotonic() + MAX_SETTLE
        while not stop.is_set():
            wakeup.clear()
            if stop.wait(self.wake_delay) or not wakeup.is_set():
                return
            if time.monotonic() >= limit:
                wakeup.clear()
                return

    def last_tick_age_seconds(self) -> float | None:
        if self.last_tick_at is None:
            return None
        return round(time.monotonic() - self.last_tick_at, 3)

    def release(self) -> int:
        """Hand back every job this worker holds (clean shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        try:
            with self.deps.session_factory() as session:
                count = outbox.release(session, self.worker_id)
        except SQLAlchemyError as exc:
            log.warning("could not release claimed jobs: %s", exc)
            return 0
        if count:
            log.info("released %d claimed job(s)", count)
        return count

    # ---------------------------------------------------------------- tick

    def tick(self, *, kinds: list[str] | None = None) -> TickResult:
        """One pass: resolve e-mails, claim due jobs (of ``kinds``, default
        all; then no e-mail look-ups), run them."""
        result = TickResult()
        now = self.deps.clock.now()
        if self.resolve_emails and kinds is None:
            result.resolved = self._resolve(now)
        with self.deps.session_factory() as session:
            jobs = outbox.claim_due(
                session,
                now=now,
                worker=self.worker_id,
                limit=self.batch,
                lease=self.lease,
                kinds=kinds,
            )
            ids = [job.id for job in jobs]
            batch = JobBatch.of(jobs) if len(jobs) > 1 else None
            claimed = {job.id: job for job in jobs}  # as the claim read them
        # The database answered: an outage reported by an earlier tick is over,
        # before any job of this tick is seen done.
        self.last_error = None
        result.claimed = len(ids)
        # Renewing a lease right after claiming it is a wasted round trip: a job
        # that starts within a quarter of the lease runs on the claim's lease.
        fresh_until = time.monotonic() + self.lease.total_seconds() / 4
        if ids:
            chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]

            def run(chunk: list[int]) -> list[str]:
                return self.run_chunk(
                    chunk,
                    renew=lambda: time.monotonic() > fresh_until,
                    batch=batch,
                    claimed=claimed,
                )

            if self.concurrency == 1 or len(ids) == 1:
                outcomes = [o for chunk in chunks for o in run(chunk)]
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        self.concurrency, thread_name_prefix="statusbot-job"
                    )
                outcomes = [o for done in self._pool.map(run, chunks) for o in done]
            for outcome in outcomes:
                setattr(result, outcome, getattr(result, outcome) + 1)
        if kinds is None:
            self._housekeeping(now)
        self.last_tick_at = time.monotonic()
        self.last_error = None
        return result

    def _resolve(self, now: datetime) -> int:
        include_failed = not self._started
        resolved = 0
        try:
            if self.deps.workspaces is None:
                teams: list[str | None] = [None]  # one workspace: everyone
            else:
                teams = list(teams_pending(self.deps.session_factory, include_failed))
            for team in teams:
                try:
                    client = self.deps.client if team is None else self.deps.for_team(team).client
                except NotInstalled:
                    continue  # their jobs fail with the reason
                outcome = resolve_pending(
                    client,
                    self.deps.session_factory,
                    now=now,
                    include_failed=include_failed,
                    team_id=team,
                )
                resolved += len(outcome.resolved)
        except Exception as exc:
            log.warning("e-mail look-up failed: %s", exc)
            return resolved
        self._started = True
        return resolved

    def _housekeeping(self, now: datetime) -> None:
        """Hourly: forget old delivery ids; delete finished jobs past their retention."""
        if self._housekept_at is not None and now - self._housekept_at < HOUSEKEEPING_EVERY:
            return
        self._housekept_at = now
        with self.deps.session_factory() as session:
            session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.created_at < now - PROCESSED_EVENT_TTL)
            )
            session.commit()
            days = self.deps.settings.job_retention_days
            if days:
                removed = outbox.purge_done(session, before=now - timedelta(days=days))
                if removed:
                    log.info("deleted %d job(s) done more than %d days ago", removed, days)

    # ----------------------------------------------------------------- job

    def _renew(self, session: Session, job_id: int, now: datetime) -> bool:
        """Extend our lease right before running; False if the job is no longer ours."""
        renewed = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.claimed_by == self.worker_id,
                Job.state == JobState.CLAIMED,
            )
            .values(claimed_until=now + self.lease)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def run_job(
        self,
        job_id: int,
        *,
        renew: bool = True,
        batch: JobBatch | None = None,
        claimed: Job | None = None,
        defer: list[Deferred] | None = None,
    ) -> str:
        """Run one claimed job; returns ``done``/``retried``/``failed``/``skipped``,
        or ``deferred`` when, given ``defer``, its handler left its last step
        there (the caller finishes it: :meth:`run_chunk`).

        Without ``renew`` (just claimed by this tick) the job is loaded and
        checked to still be ours in one query instead of an UPDATE, a commit
        and a SELECT; or in none, given the row as the ``claimed`` claim read it."""
        with self.deps.session_factory() as session:
            now = self.deps.clock.now()
            if renew and not self._renew(session, job_id, now):
                return "skipped"  # lease lost (we were too slow): someone else has it
            job = (
                session.merge(claimed, load=False)
                if claimed is not None and not renew
                else session.get(Job, job_id, populate_existing=True)
            )
            if job is None:
                return "skipped"
            if not renew and (job.claimed_by != self.worker_id or job.state != JobState.CLAIMED):
                return "skipped"
            try:
                handler = handler_for(job.kind)
            except UnknownJobKind as exc:
                log.error("job %s: %s", job.id, exc)
                outbox.mark_failed(session, job, now=now, error=str(exc))
                return "failed"
            deferred: list[Deferred] = []
            try:
                # Multi-workspace: the token of the workspace the job belongs to.
                deps = self.deps.for_team(job.team_id)
                ctx = JobContext(deps=deps, session=session, job=job, now=now, batch=batch)
                if defer is not None:
                    ctx.defer = deferred.append
                handler(ctx)
                if deferred:  # its last step is the chunk's: still claimed
                    session.commit()
                    defer.extend(deferred)  # type: ignore[union-attr]
                    return "deferred"
                # The handler's last changes and "done" in one commit.
                outbox.mark_done(session, job, now=self.deps.clock.now())
            except Exception as exc:
                session.rollback()
                return self._outcome(session, job_id, job.kind, exc)
            return "done"

    def _outcome(self, session: Session, job_id: int, kind: str, exc: Exception) -> str:
        """Retried or failed, by what the handler raised."""
        if isinstance(exc, NotInstalled):
            # Nobody in that workspace can be told; the log line says it all.
            return self._fail(session, job_id, exc.reason, detail=str(exc), notify=False)
        if isinstance(exc, PermanentFailure):
            return self._fail(
                session,
                job_id,
                exc.reason,
                detail=str(exc),
                person_id=exc.person_id,
                cycle_id=exc.cycle_id,
            )
        if isinstance(exc, RetryLater):
            return self._retry(session, job_id, exc.reason, exc.delay)
        if isinstance(exc, SlackApiError):
            return self._slack_error(session, job_id, exc)
        if isinstance(exc, (*_NETWORK_ERRORS, SlackClientError)):
            return self._retry(session, job_id, f"network: {type(exc).__name__}: {exc}")
        log.error("job %s (%s) raised", job_id, kind, exc_info=exc)
        return self._retry(session, job_id, f"{type(exc).__name__}: {exc}")

    def run_chunk(
        self,
        job_ids: list[int],
        *,
        renew: Callable[[], bool],
        batch: JobBatch | None,
        claimed: dict[int, Job],
    ) -> list[str]:
        """Run the jobs one after another, then finish what their handlers
        deferred (:class:`Deferred`) together; their outcomes."""
        deferred: list[Deferred] = []
        outcomes = []
        for job_id in job_ids:
            fresh = not renew()
            outcome = self.run_job(
                job_id,
                renew=not fresh,
                batch=batch,
                claimed=claimed.get(job_id) if fresh else None,
                defer=deferred,
            )
            if outcome != "deferred":
                outcomes.append(outcome)
        if deferred and renew():  # a long tick: the leases first, as for a job
            ours = self._renew_many([item.job_id for item in deferred])
            outcomes += ["skipped"] * sum(1 for item in deferred if item.job_id not in ours)
            deferred = [item for item in deferred if item.job_id in ours]
        return outcomes + self._finish(deferred)

    def _renew_many(self, job_ids: list[int]) -> set[int]:
        """Extend our leases of ``job_ids``; the ids still ours."""
        mine = (
            Job.id.in_(job_ids),
            Job.claimed_by == self.worker_id,
            Job.state == JobState.CLAIMED,
        )
        with self.deps.session_factory() as session:
            session.execute(
                update(Job)
                .where(*mine)
                .values(claimed_until=self.deps.clock.now() + self.lease)
                .execution_options(synchronize_session=False)
            )
            ours = set(session.scalars(select(Job.id).where(*mine)))
            session.commit()
        return ours

    def _finish(self, deferred: list[Deferred]) -> list[str]:
        """Finish deferred steps by kind; each job done as soon as its step
        is (committed), the others retried or failed one by one."""
        outcomes: list[str] = []
        finished: set[int] = set()
        with self.deps.session_factory() as session:

            def done(job_id: int, result: dict[str, Any]) -> None:
                outbox.mark_done_many(session, {job_id: result}, now=self.deps.clock.now())
                finished.add(job_id)
                outcomes.append("done")

            for cls in dict.fromkeys(type(item) for item in deferred):
                items = [item for item in deferred if type(item) is cls]
                try:
                    failures = cls.finish(self.deps, items, self.deps.clock.now(), done)
                except Exception as exc:  # e.g. the links could not be stored
                    session.rollback()
                    failures = [(i.job_id, exc) for i in items if i.job_id not in finished]
                for job_id, raised in failures:
                    job = session.get(Job, job_id)
                    kind = job.kind if job is not None else "?"
                    outcomes.append(self._outcome(session, job_id, kind, raised))
        return outcomes

    def _slack_error(self, session: Session, job_id: int, exc: SlackApiError) -> str:
        code = slack_error_code(exc)
        status = getattr(exc.response, "status_code", 200)
        if status == 429 or code == "ratelimited":
            wait = retry_after_seconds(getattr(exc.response, "headers", None))
            delay = timedelta(seconds=wait) if wait else DEFAULT_RATE_LIMIT_DELAY
            return self._retry(session, job_id, "ratelimited", delay, counts=False)
        if is_permanent(code):
            return self._fail(session, job_id, code)
        if status >= 500 or code in TRANSIENT_ERRORS:
            return self._retry(session, job_id, f"slack: {code} (HTTP {status})")
        # Unknown error codes: maybe transient; retried, then reported when given up.
        return self._retry(session, job_id, f"slack: {code}")

    def _retry(
        self,
        session: Session,
        job_id: int,
        error: str,
        delay: timedelta | None = None,
        *,
        counts: bool = True,
    ) -> str:
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None
        if not counts:
            job.attempts = max(0, job.attempts - 1)  # a rate limit is not the job's fault
        if outbox.mark_retry(session, job, now=self.deps.clock.now(), error=error, delay=delay):
            log.info("job %s (%s) retried at %s: %s", job.id, job.kind, job.due_at, error)
            return "retried"
        log.error(
            "job %s (%s) gave up after %d attempts: %s", job.id, job.kind, job.attempts, error
        )
        self._notify(session, job, "gave_up")
        session.commit()
        return "failed"

    def _fail(
        self,
        session: Session,
        job_id: int,
        reason: str,
        *,
        detail: str | None = None,
        person_id: int | None = None,
        cycle_id: int | None = None,
        notify: bool = True,
    ) -> str:
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None
        log.warning("job %s (%s) failed for good: %s", job.id, job.kind, detail or reason)
        # Queue the notice first so it commits together with the failure.
        if notify:
            self._notify(session, job, reason, person_id=person_id, cycle_id=cycle_id)
        outbox.mark_failed(session, job, now=self.deps.clock.now(), error=detail or reason)
        return "failed"

    def _notify(
        self,
        session: Session,
        job: Job,
        reason: str,
        *,
        person_id: int | None = None,
        cycle_id: int | None = None,
    ) -> None:
        if job.kind == NOTICE_KIND:
            return  # never a notice about a notice
        payload = job.payload or {}
        person_id = person_id or payload.get("person_id")
        cycle_id = cycle_id or payload.get("cycle_id") or job.cycle_id
        area_id = payload.get("area_id")
        if area_id is None and cycle_id is not None:
            cycle = session.get(Cycle, cycle_id)
            area_id = cycle.area_id if cycle is not None else None
        if person_id is None:
            return  # nothing to say about whom; the log line has it
        enqueue_failure_notice(
            session,
            area_id=area_id,
            person_id=person_id,
            reason=reason,
            now=self.deps.clock.now(),
            job_kind=job.kind,
            cycle_id=cycle_id,
            team_id=job.team_id,
        )


class SingleClaimerLock:
    """On SQLite only one process may claim: an exclusive ``flock`` on a file
    next to the database. Held until the process exits (the OS frees it if
    the process dies), so another serving process takes over by itself."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            import fcntl
        except ImportError:  # not POSIX: run without the lock
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def claimer_lock_for(database_url: str) -> SingleClaimerLock | None:
    """The lock file for a file-based SQLite URL; None for PostgreSQL."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return SingleClaimerLock(os.path.abspath(url.database) + ".scheduler.lock")


def job_threads(database_url: str) -> int:
    """How many threads run jobs under ``statusbot serve``: one on a SQLite
    file (one writer; the request threads' acknowledgements come first), four
    on PostgreSQL."""
    return 1 if claimer_lock_for(database_url) else 4


class SchedulerService:
    """The scheduler as a daemon thread of a serving process, with health status."""

    def __init__(self, scheduler: Scheduler, *, lock: SingleClaimerLock | None = None) -> None:
        self.scheduler = scheduler
        self.lock = lock
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self.active = lock is None
        self._standby_checked_at: float | None = None
        self._started_at = time.monotonic()

    def start(self) -> SchedulerService:
        self._started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="statusbot-scheduler", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        interval = self.scheduler.deps.settings.tick_seconds
        while not self.stop_event.is_set():
            if not self.active:
                self._standby_checked_at = time.monotonic()
                assert self.lock is not None
                self.active = self.lock.acquire()
                if not self.active:
                    self._standby(interval)
                    continue
                log.info("scheduler %s is the claimer", self.scheduler.worker_id)
            self.scheduler.run(self.stop_event)

    def _standby(self, interval: float) -> None:
        """Until the next try for the lock: apply this process's own requests'
        follow-ups (answers, prompt and App Home refreshes) when its listeners
        wake us, so a manager behind a standby worker sees the ✓ at once.
        Claiming re-checks each job in its UPDATE, so the claimer and a standby
        never take the same job."""
        scheduler = self.scheduler
        if not scheduler.deps.wakeup.wait(interval) or self.stop_event.is_set():
            return
        scheduler._settle(self.stop_event)
        try:
            scheduler.tick(kinds=list(FOLLOW_UP_KINDS))
        except Exception as exc:  # the database may be away: the claimer retries
            log.warning("standby follow-ups failed: %s", exc)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the job in hand, hand back the claims, drop the lock."""
        self.stop_event.set()
        self.scheduler.deps.wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            self.scheduler.release()
        if self.lock is not None:
            self.lock.release()

    def stale_after(self) -> float:
        """Seconds without a finished tick after which the scheduler counts as stuck."""
        return max(5 * self.scheduler.deps.settings.tick_seconds, 120.0)

    def alive(self) -> bool:
        """The thread runs and (as claimer) ticked recently, or has just started."""
        if self._thread is None or not self._thread.is_alive() or self.stop_event.is_set():
            return False
        if not self.active:
            return True
        age = self.scheduler.last_tick_age_seconds()
        if age is None:
            age = time.monotonic() - self._started_at
        return age <= self.stale_after()

    def status(self) -> dict[str, object]:
        if not self.active:
            age = (
                round(time.monotonic() - self._standby_checked_at, 3)
                if self._standby_checked_at is not None
                else None
            )
            return {"role": "standby", "last_tick_age_seconds": age, "alive": self.alive()}
        return {
            "role": "claimer",
            "last_tick_age_seconds": self.scheduler.last_tick_age_seconds(),
            "last_error": self.scheduler.last_error,
            "alive": self.alive(),
        }
