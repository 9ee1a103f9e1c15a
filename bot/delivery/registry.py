"""Job kinds and their handlers.

A handler is ``fn(ctx: JobContext) -> None`` registered with
``@job_handler("kind")``. The scheduler claims a due job, calls its handler
and marks the job done only after the handler returned.

Rules for handlers (the outbox delivers *at least* once; these make it once):

* **Idempotent.** A job can run again after a crash between the Slack call and
  ``mark_done`` (its lease runs out and another tick claims it). Before any
  visible work, check what an earlier attempt already did: ``ctx.job.result``
  (e.g. ``{"ts": ...}``) and/or :class:`storage.models.PromptMessage` rows.
* **Record right after Slack accepted.** Immediately after each successful
  post, call ``storage.outbox.record_result(ctx.session, ctx.job, ts=..., channel=...)``
  (it commits), so a re-run sees it. A job that posts several messages records
  each one (e.g. ``parts={"0": ts0, "1": ts1}``) and skips the recorded ones.
  Post DMs with :func:`bot.delivery.recovery.post_once` and share files with
  :func:`bot.delivery.uploads.share_once` (``recover=ctx.job.attempts > 1``):
  they adopt what a run killed before its record already sent.
* **Errors.** Let ``slack_sdk.errors.SlackApiError`` propagate: the scheduler
  retries ``ratelimited``/5xx/connection errors with backoff and reports
  permanent ones (``user_not_found``, ``cannot_dm_bot``…) to the area's
  coordinators. Raise :class:`RetryLater` for "not now" and
  :class:`PermanentFailure` for "never" (give ``person_id``/``cycle_id`` so the
  failure can be reported to the right people).
* The session is the handler's own; the scheduler commits after the handler
  returns and rolls back if it raises.
* **Batches.** ``ctx.batch`` (a :class:`JobBatch`) lists the jobs claimed
  together with this one; a handler may load plain data for all of them at
  once (:meth:`JobBatch.memo`, e.g. every owner's message of a fan-out) and
  must still act for its own job only, and work without it (``None``).
* **Deferred work.** With ``ctx.defer`` set, a handler may hand its last step
  to the scheduler as a :class:`Deferred` (plain data) instead of doing it:
  the scheduler commits the handler's session, keeps the job claimed, and
  finishes the deferred steps of the chunk of jobs one thread runs together
  (``Deferred.finish``, e.g. issuing their links in one transaction before
  sending their mails); each job is then done (committed right after its own
  effect), retried or failed on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Base, Job

if TYPE_CHECKING:
    from bot.runtime import Deps


T = TypeVar("T")
M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class BatchJob:
    id: int
    kind: str
    payload: dict[str, Any]


@dataclass
class JobBatch:
    """The jobs one tick claimed together, and what their handlers loaded for
    all of them (plain data only: each job runs in a session of its own)."""

    jobs: list[BatchJob]
    _memo: dict[object, object] = field(default_factory=dict)
    # Reentrant: a loader may use another memo of the batch (the mail
    # messages read the batch's people).
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def of(cls, jobs: list[Job]) -> JobBatch:
        return cls([BatchJob(job.id, job.kind, dict(job.payload or {})) for job in jobs])

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [job.payload for job in self.jobs if job.kind == kind]

    def person_ids(self, kind: str, cycle_id: int | None = None) -> set[int]:
        """The ``person_id`` of the batch's jobs of ``kind`` (and ``cycle_id``)."""
        return {
            int(payload["person_id"])
            for payload in self.payloads(kind)
            if payload.get("person_id") is not None
            and (cycle_id is None or payload.get("cycle_id") == cycle_id)
        }

    def ids(self, kind: str, key: str) -> set[int]:
        """The ``key`` of the payloads of the batch's jobs of ``kind``."""
        return {int(p[key]) for p in self.payloads(kind) if isinstance(p.get(key), int)}

    def memo(self, key: object, load: Callable[[], T]) -> T:
        """``load()`` once per batch and ``key`` (other threads wait for it)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = load()
            return self._memo[key]  # type: ignore[return-value]


class Deferred:
    """A handler's last step, left to be finished with the same step of the
    other jobs of its chunk (see the module's docstring)."""

    job_id: int

    @classmethod
    def finish(
        cls,
        deps: Deps,
        items: list[Any],
        now: datetime,
        done: Callable[[int, dict[str, Any]], None],
    ) -> list[tuple[int, Exception]]:
        """Do the items' steps; right after each one's visible effect call
        ``done(job_id, final_result)`` (it commits the job done). Returns the
        (job id, exception the handler would have raised) of the others."""
        raise NotImplementedError


@dataclass
class JobContext:
    deps: Deps
    session: Session
    job: Job
    now: datetime
    batch: JobBatch | None = None
    defer: Callable[[Deferred], None] | None = None


def batch_get(ctx: JobContext, model: type[M], ident: int, key: str) -> M | None:
    """``ctx.session.get(model, ident)``; in a batch, the rows named by the
    payloads' ``key`` of all its jobs of this kind are read once (in a
    session of their own, so they stay unchanged) and merged into this
    session without a query each."""
    if ctx.batch is None:
        return ctx.session.get(model, ident)
    row = batch_rows(ctx, model, key).get(ident)
    if row is None:
        return ctx.session.get(model, ident)
    return ctx.session.merge(row, load=False)


def batch_rows(ctx: JobContext, model: type[M], key: str) -> dict[int, M]:
    """id → the row (detached: plain data) of each ``model`` the payloads'
    ``key`` names in the batch's jobs of this kind, read once per batch."""
    batch, kind = ctx.batch, ctx.job.kind
    if batch is None:
        return {}
    return batch.memo(("rows", kind, model), lambda: _read_rows(ctx, model, batch.ids(kind, key)))


def _read_rows(ctx: JobContext, model: type[M], ids: set[int]) -> dict[int, M]:
    with ctx.deps.session_factory() as session:
        rows = session.scalars(select(model).where(model.id.in_(sorted(ids))))  # type: ignore[attr-defined]
        return {row.id: row for row in rows}  # type: ignore[attr-defined]


class RetryLater(Exception):
    """Try this job again later (after ``delay``, or the outbox's backoff)."""

    def __init__(self, reason: str = "retry later", delay: timedelta | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class PermanentFailure(Exception):
    """This job can never succeed; it is marked failed and reported once."""

    def __init__(
        self,
        reason: str,
        *,
        person_id: int | None = None,
        cycle_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(reason if detail is None else f"{reason}: {detail}")
        self.reason = reason
        self.person_id = person_id
        self.cycle_id = cycle_id
        self.detail = detail


JobHandler = Callable[[JobContext], None]

_HANDLERS: dict[str, JobHandler] = {}


class UnknownJobKind(LookupError):
    pass


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register ``fn`` as the handler of ``kind`` (one handler per kind)."""

    def decorator(fn: JobHandler) -> JobHandler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing is not fn and _qualname(existing) != _qualname(fn):
            raise ValueError(f"job kind {kind!r} already has a handler ({_qualname(existing)})")
        _HANDLERS[kind] = fn
        return fn

    return decorator


def handler_for(kind: str) -> JobHandler:
    """The handler of ``kind``; raises :class:`UnknownJobKind`."""
    if kind not in _HANDLERS:
        from bot.delivery import load_handlers

        load_handlers()
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise UnknownJobKind(f"no handler registered for job kind {kind!r}") from None


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def unregister(kind: str) -> None:
    """Remove a handler (tests register throw-away kinds)."""
    _HANDLERS.pop(kind, None)


def _qualname(fn: Callable[..., object]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}"
