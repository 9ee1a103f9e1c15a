"""Answers acknowledged at once and applied right after: the ``answer`` job.

Slack waits at most three seconds for an acknowledgement, and when many
managers answer at once, a full answer per request (load the entry, check the
rules, append the revision, queue the refreshes) makes the last of them wait
for all the others. So when one read shows the ordinary case
(:func:`bot.workflow.entries.plainly_answerable`), a listener only records the
answer as an ``answer`` job — committed *before* the acknowledgement, so an
acknowledged answer is never lost — and wakes the scheduler, which applies it
with the complete rules of :mod:`bot.workflow.entries` in the same transaction
that marks the job done (so it is applied exactly once). Anything else (a
stranger, a closed cycle, a forged button, a second "No change") takes the
full path inside the request: refusals still come back as modal errors, and
nothing is recorded for them.

A rule that fails only between the acknowledgement and the job (the cycle was
closed in that moment) is told to the manager privately, with the text they
wrote, so it is not lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Connection, bindparam, cast, literal, select
from sqlalchemy.orm import Session

from bot.blocks import ids
from bot.delivery.callers import (
    Caller,
    Refusal,
    caller,
    check_revision_allowed,
    entry_from_value,
    tell,
)
from bot.delivery.refresh import ANSWER_KIND, queue_followups
from bot.delivery.registry import JobContext, RetryLater, job_handler
from bot.errors import WorkflowError
from bot.runtime import Deps
from bot.workflow.actor import Actor
from bot.workflow.entries import (
    carry_forward,
    clean_answer_fields,
    plainly_answerable_query,
    submit_update,
)
from storage import outbox
from storage.db import dialect_insert, run_in_request
from storage.models import EntrySource, Job, JobState, ProcessedEvent, PromptMessage
from storage.richtext import StatusText

log = logging.getLogger(__name__)

KIND = ANSWER_KIND
# Slack shows at most 40,000 characters of a message; a refused text longer
# than this is shortened in the message (the job keeps all of it).
_TEXT_IN_MESSAGE = 30_000


@dataclass(frozen=True)
class Answer:
    """What a manager answered, as acknowledged (``at``: the acknowledgement's time)."""

    entry_id: int
    cycle_id: int
    user_id: str
    at: datetime
    carry: bool = False
    markup: str = ""
    phase: str | None = None
    note: str | None = None
    home: bool = False  # answered in App Home: republish it
    channel: str | None = None  # where a button was clicked (private replies go there)
    message_ts: str | None = None  # the message it was clicked in, if any

    def payload(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Answer:
        values = dict(data)
        values["at"] = datetime.fromisoformat(str(values["at"]))
        return cls(**values)


def record_if_plain(
    session: Session, answer: Answer, *, team_id: str, key: str | None = None
) -> bool:
    """Record ``answer`` as a job and commit, if it is the ordinary case.

    One statement (``INSERT … SELECT`` under the conditions of
    :func:`bot.workflow.entries.plainly_answerable_query`), built once: this
    runs before the acknowledgement. False: not recorded, the caller must take
    the full path. ``key`` names one delivery (a modal submission): when it is
    recorded already, nothing is added and the answer counts as recorded (True)."""
    if not answer.user_id or not _fields_ok(answer):
        return False
    bind = session.get_bind()
    statement = _record_statement(bind.dialect.name, answer.carry, key is not None)
    params = {
        "team_id": team_id,
        "user_id": answer.user_id,
        "entry_id": answer.entry_id,
        "cycle_id": answer.cycle_id,
        "at": answer.at,
        "payload": answer.payload(),
        "dedupe_key": key,
    }
    # Core, on a connection of its own: no ORM session machinery (with
    # parameters, the ORM would also read an INSERT as a bulk insert of mapped
    # objects). RETURNING, not rowcount, tells whether a row went in (psycopg
    # reports -1 for INSERT…SELECT). Safe to run twice (run_in_request may
    # retry): a repeated keyed insert does nothing, and a second "No change"
    # job finds the entry carried already.
    def record(connection: Connection) -> bool:
        recorded = connection.execute(statement, params).first() is not None
        if not recorded and key is not None:
            found = connection.execute(select(Job.id).where(Job.dedupe_key == key)).first()
            recorded = found is not None
        return recorded

    return run_in_request(bind, record)  # type: ignore[arg-type]


@lru_cache(maxsize=16)
def _record_statement(dialect: str, carry: bool, keyed: bool) -> Any:
    plain = plainly_answerable_query(
        team_id=bindparam("team_id"),
        slack_user_id=bindparam("user_id"),
        entry_id=bindparam("entry_id"),
        cycle_id=bindparam("cycle_id"),
        at=bindparam("at", type_=Job.due_at.type),
        carry=carry,
    )
    payload: Any = bindparam("payload", type_=Job.payload.type)
    if dialect == "postgresql":  # it types a SELECT's parameters on their own (text)
        payload = cast(payload, Job.payload.type)
    columns = {
        "kind": literal(KIND, Job.kind.type),
        "payload": payload,
        "due_at": bindparam("at", type_=Job.due_at.type),
        "dedupe_key": bindparam("dedupe_key", type_=Job.dedupe_key.type),
        "cycle_id": bindparam("cycle_id", type_=Job.cycle_id.type),
        "team_id": bindparam("team_id", type_=Job.team_id.type),
        "state": literal(JobState.PENDING, Job.state.type),
        "attempts": literal(0, Job.attempts.type),
        "created_at": bindparam("at", type_=Job.created_at.type),
    }
    source = plain.with_only_columns(*columns.values(), maintain_column_froms=True)
    statement = dialect_insert(dialect)(Job).from_select(list(columns), source)
    if keyed:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return statement.returning(Job.id)


def _fields_ok(answer: Answer) -> bool:
    if answer.carry:
        return True
    try:
        clean_answer_fields(answer.phase, answer.note)
    except WorkflowError:
        return False
    return bool(answer.markup.strip())  # the listener checked the text itself


@job_handler(KIND)
def apply_answer(ctx: JobContext) -> None:
    """Apply a recorded answer with the full rules; done in the same commit."""
    session, job, deps = ctx.session, ctx.job, ctx.deps
    answer = Answer.from_payload(job.payload or {})
    if (job.result or {}).get("told"):
        return  # refused and told before a crash: nothing more to do
    if job.dedupe_key and session.get(ProcessedEvent, job.dedupe_key) is not None:
        return  # this very submission was stored already (by the full path)
    who = caller(session, deps, answer.user_id, team_id=job.team_id)
    try:
        title = _apply(session, answer, who, team_id=job.team_id, key=job.dedupe_key, now=ctx.now)
    except Refusal as refusal:
        session.rollback()
        _tell_refused(ctx, answer, who, refusal.message)
        return
    except WorkflowError as exc:
        session.rollback()
        if exc.code == "conflict":  # another answer to the same entry won the race
            raise RetryLater("conflict", delay=timedelta(0)) from None
        _tell_refused(ctx, answer, who, who.error_text(exc))
        return
    if title is None:
        return
    job.state = JobState.DONE  # in the answer's own transaction: applied once
    job.done_at = ctx.now
    job.claimed_until = None
    session.commit()
    if answer.message_ts:
        confirm_saved(deps, deps.client, who, answer.channel, answer.message_ts, title)


def _apply(
    session: Session, answer: Answer, who: Caller, *, team_id: str, key: str | None, now: datetime
) -> str | None:
    """Store the answer (not committed); its initiative's title, or None when
    there was nothing to do (a second "No change")."""
    ref = ids.EntryRef(answer.cycle_id, answer.entry_id).encode()
    entry = entry_from_value(session, who, ref)
    if answer.carry and entry.source == EntrySource.CARRY_FORWARD:
        return None
    check_revision_allowed(session, who, entry, answer.at)
    actor = Actor.of(who.require_person())
    if answer.carry:
        carry_forward(session, entry_id=entry.id, actor=actor, now=answer.at)
    else:
        submit_update(
            session,
            entry_id=entry.id,
            actor=actor,
            status=StatusText.from_markup(answer.markup),
            phase=answer.phase,
            note=answer.note,
            now=answer.at,
        )
    queue_followups(
        session, entry, now, team_id=team_id, home_of=who.person if answer.home else None
    )
    if key:  # apply_answer returned early if it was recorded already
        session.add(ProcessedEvent(key=key, created_at=now))
    return entry.initiative.title


def _tell_refused(ctx: JobContext, answer: Answer, who: Caller, reason: str) -> None:
    _ = who._
    text = reason
    if not answer.carry and answer.markup:
        kept = answer.markup
        if len(kept) > _TEXT_IN_MESSAGE:
            kept = kept[:_TEXT_IN_MESSAGE] + " […]"
        text += "\n\n" + _("Your text was not saved; here it is, so you can use it again:")
        text += "\n\n" + kept
    tell(ctx.deps.client, _reply_to(answer.user_id, answer.channel), text, _)
    outbox.record_result(ctx.session, ctx.job, told=True)


def confirm_saved(
    deps: Deps,
    client: WebClient,
    who: Caller,
    channel: str | None,
    message_ts: str | None,
    title: str,
) -> None:
    """Clicked in a message that is not a prompt (whose ✓ says it all): say it worked."""
    with deps.session_factory() as session:
        on_prompt = session.scalar(
            select(PromptMessage.id).where(
                PromptMessage.channel == channel, PromptMessage.ts == message_ts
            )
        )
    if on_prompt is None:
        text = who._("Saved for “{title}”. ✅").format(title=title)
        tell(client, _reply_to(who.user_id, channel), text, who._)


def _reply_to(user_id: str, channel: str | None) -> dict[str, Any]:
    """The parts of a request body :func:`tell` answers to, outside the request."""
    body: dict[str, Any] = {"user": {"id": user_id}}
    if channel:
        body["channel"] = {"id": channel}
    return body
