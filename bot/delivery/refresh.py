"""Keeping what a manager sees current after an answer, outside the request.

Jobs ``refresh_prompts`` ``{cycle_id, person_id}`` (update the person's prompt
messages in place) and ``publish_home`` ``{person_id}`` (republish their App
Home). Listeners queue them in the same transaction as the answer and wake the
scheduler, so the acknowledgement never waits for Slack.

Coalescing: at most one *pending* job per key (``refresh:{cycle}:{person}``,
``home:{person}``). A burst of answers for one person queues one job; an
answer that arrives once that job was claimed queues a new one (the claimed
run may already have read the entries), so the last answer is always shown.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from bot.delivery.registry import JobContext, job_handler
from bot.delivery.surfaces import prompt_parts, publish_home, sync_prompt
from bot.slack_client import TRANSIENT_ERRORS, slack_error_code
from storage.db import dialect_insert
from storage.models import Cycle, Entry, Job, JobState, Person

log = logging.getLogger(__name__)

ANSWER_KIND = "answer"  # bot.delivery.answers (which imports this module)
REFRESH_KIND = "refresh_prompts"
HOME_KIND = "publish_home"
_ATTEMPTS = 3


def enqueue_coalesced(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    key: str,
    now: datetime,
    cycle_id: int | None = None,
    team_id: str = "",
) -> None:
    """Queue ``kind`` unless a job with ``key`` is still pending.

    The pending job is touched (``UPDATE``), which locks it until this
    transaction commits: on PostgreSQL the claimer (``SKIP LOCKED``) cannot
    take it before the answer is visible; on SQLite the write lock does the
    same. A running or finished job gives its key up to the new one. Two or
    three statements, no savepoint: this runs before the acknowledgement.
    """
    for _ in range(_ATTEMPTS):
        # One statement: lock a pending job with the key, or free the key of
        # a claimed/finished one.
        state = session.execute(
            update(Job)
            .where(Job.dedupe_key == key)
            .values(dedupe_key=case((Job.state == JobState.PENDING, Job.dedupe_key), else_=None))
            .returning(Job.state)
            .execution_options(synchronize_session=False)
        ).scalar()
        if state == JobState.PENDING:
            return
        values = {
            "kind": kind,
            "payload": payload,
            "due_at": now,
            "dedupe_key": key,
            "cycle_id": cycle_id,
            "team_id": team_id,
            "state": JobState.PENDING,
            "attempts": 0,
            "created_at": now,
        }
        if _insert_unless_exists(session, values):
            return
        # A concurrent answer queued it first: touch theirs on the next pass.
    log.warning("could not queue %s (%s); the next answer will", kind, key)


def _insert_unless_exists(session: Session, values: dict[str, Any]) -> bool:
    insert = dialect_insert(session.get_bind().dialect.name)
    statement = insert(Job).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def queue_refresh(
    session: Session,
    *,
    cycle_id: int,
    person_ids: list[int | None],
    now: datetime,
    team_id: str = "",
) -> None:
    """Refresh the prompts of these people (owner, delegate) in this cycle."""
    for person_id in dict.fromkeys(p for p in person_ids if p is not None):
        enqueue_coalesced(
            session,
            REFRESH_KIND,
            {"cycle_id": cycle_id, "person_id": person_id},
            key=f"refresh:{cycle_id}:{person_id}",
            now=now,
            cycle_id=cycle_id,
            team_id=team_id,
        )


def queue_home(session: Session, *, person_id: int, now: datetime, team_id: str = "") -> None:
    enqueue_coalesced(
        session,
        HOME_KIND,
        {"person_id": person_id},
        key=f"home:{person_id}",
        now=now,
        team_id=team_id,
    )


def queue_followups(
    session: Session,
    entry: Entry,
    now: datetime,
    *,
    team_id: str = "",
    home_of: Person | None = None,
) -> None:
    """In the answer's transaction: refresh the prompts of everyone asked about
    ``entry`` (owner and delegate) and, with ``home_of``, that person's App Home."""
    initiative = entry.initiative
    queue_refresh(
        session,
        cycle_id=entry.cycle_id,
        person_ids=[initiative.owner_id, initiative.delegate_id],
        now=now,
        team_id=team_id,
    )
    if home_of is not None and home_of.slack_user_id:
        queue_home(session, person_id=home_of.id, now=now, team_id=team_id)


def _worth_retrying(exc: SlackApiError) -> bool:
    status = getattr(exc.response, "status_code", 200)
    return status == 429 or status >= 500 or slack_error_code(exc) in TRANSIENT_ERRORS


@job_handler(REFRESH_KIND)
def refresh_prompts(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    cycle = session.get(Cycle, int(payload["cycle_id"]))
    person = session.get(Person, int(payload["person_id"]))
    if cycle is None or person is None or not person.slack_user_id:
        return
    if not prompt_parts(session, cycle.id, person.id):
        return  # never prompted in this cycle: nothing to update
    try:
        sync_prompt(ctx.deps.client, session, ctx.deps.settings, cycle, person, ctx.now)
    except SlackApiError as exc:
        if _worth_retrying(exc):
            raise
        # e.g. the message was deleted: the next prompt or reminder shows the state
        log.warning("could not update the prompt of person %s: %s", person.id, exc)


@job_handler(HOME_KIND)
def publish_home_job(ctx: JobContext) -> None:
    person = ctx.session.get(Person, int((ctx.job.payload or {})["person_id"]))
    if person is None or not person.slack_user_id:
        return
    try:
        publish_home(ctx.deps.client, ctx.session, ctx.deps.settings, person, ctx.now)
    except SlackApiError as exc:
        if _worth_retrying(exc):
            raise
        log.warning("views.publish for person %s failed: %s", person.id, exc)


def pending_followups(session: Session) -> int:
    """Answers not yet applied and refresh/home jobs not yet done (the bench
    waits for them)."""
    rows = session.scalars(
        select(Job.id).where(
            Job.kind.in_([ANSWER_KIND, REFRESH_KIND, HOME_KIND]),
            Job.state.in_([JobState.PENDING, JobState.CLAIMED]),
        )
    )
    return len(list(rows))
