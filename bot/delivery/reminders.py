"""Reminders: a round per cycle offset fans out one job per person still missing
something, each shifted into that person's working time.

* ``reminder_round`` ``{cycle_id, offset_seconds}`` → ``reminder`` jobs
  ``{cycle_id, person_id, offset_seconds}`` (dedupe ``reminder:{cycle}:{person}:{seconds}``).
* ``reminder`` re-checks what is missing when it runs and says nothing if the
  person has answered everything meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.messages import reminder_messages
from bot.delivery import recovery
from bot.delivery.absence import held_back, held_back_now
from bot.delivery.message import MessageKind, owner_message
from bot.delivery.registry import JobContext, PermanentFailure, batch_get, job_handler
from bot.delivery.surfaces import texts, zone_of
from bot.mail.jobs import deliver_by_mail, look_up_first, reached_by_mail
from bot.workflow.absence import away_on
from bot.workflow.entries import people_to_prompt
from bot.working_time import shift_reminder
from storage import outbox
from storage.models import Cycle, CycleState, Entry, EntrySource, Person


def people_missing(session: Session, cycle_id: int) -> dict[int, list[int]]:
    """person id → their unanswered entry ids (owners and delegates)."""
    pending = {
        entry_id
        for (entry_id,) in session.query(Entry.id).filter(
            Entry.cycle_id == cycle_id, Entry.source == EntrySource.PENDING
        )
    }
    result: dict[int, list[int]] = {}
    for person_id, entry_ids in people_to_prompt(session, cycle_id).items():
        missing = [e for e in entry_ids if e in pending]
        if missing:
            result[person_id] = missing
    return result


@job_handler("reminder_round")
def fan_out_reminders(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    cycle = ctx.session.get(Cycle, int(payload["cycle_id"]))
    if cycle is None or cycle.state != CycleState.COLLECTING:
        return
    seconds = int(payload.get("offset_seconds", 0))
    planned = max(ctx.job.due_at, ctx.now)
    for person_id in people_missing(ctx.session, cycle.id):
        person = ctx.session.get(Person, person_id)
        if person is None:
            continue
        due = shift_reminder(
            planned,
            tz=zone_of(person, ctx.deps.settings),
            hours=ctx.deps.settings.hours,
            deadline=cycle.deadline,
        )
        away, _back = held_back(ctx.session, person, due, cycle.deadline, ctx.deps.settings)
        if away is not None:
            continue  # never a reminder on leave; the leave's end reminds them if in time
        outbox.enqueue(
            ctx.session,
            "reminder",
            {"cycle_id": cycle.id, "person_id": person_id, "offset_seconds": seconds},
            due_at=due,
            dedupe_key=f"reminder:{cycle.id}:{person_id}:{seconds}",
            cycle_id=cycle.id,
            team_id=person.team_id,
        )


def remind_now(session: Session, cycle: Cycle, now: datetime) -> int:
    """Queue an immediate reminder for everyone still missing something
    (a coordinator's "Remind now"). Returns how many people will be reminded."""
    minute = int(now.timestamp() // 60)
    away = away_on(session, set(people_missing(session, cycle.id)), now.date())
    missing = [p for p in people_missing(session, cycle.id) if p not in away]
    for person_id in missing:
        outbox.enqueue(
            session,
            "reminder",
            {"cycle_id": cycle.id, "person_id": person_id, "offset_seconds": 0, "manual": True},
            due_at=now,
            # One click per minute counts once (double clicks, Slack retries).
            dedupe_key=f"reminder:{cycle.id}:{person_id}:now:{minute}",
            cycle_id=cycle.id,
            team_id=cycle.area.team_id,
        )
    return len(missing)


@job_handler("reminder")
def deliver_reminder(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    cycle = batch_get(ctx, Cycle, int(payload["cycle_id"]), "cycle_id")
    person = batch_get(ctx, Person, int(payload["person_id"]), "person_id")
    if cycle is None or person is None or cycle.state != CycleState.COLLECTING:
        return
    if not (ctx.job.result or {}).get("parts"):
        away, _back = held_back_now(ctx, person, cycle.deadline)
        if away is not None:
            return  # on leave since the reminder was planned: the leave's end reminds them
    look_up_first(ctx, person)
    if reached_by_mail(person, ctx.deps.settings):
        return deliver_by_mail(ctx, cycle, person, MessageKind.REMINDER)
    if not person.slack_user_id:
        raise PermanentFailure("no Slack user for this person", person_id=person.id)
    reminder = owner_message(
        session, ctx.deps.settings, cycle, person, MessageKind.REMINDER, ctx.now
    )
    done = dict((ctx.job.result or {}).get("parts") or {})
    if reminder.empty and not done:
        return
    _ = texts(reminder.viewer.locale)
    messages = reminder_messages(reminder.cycle, reminder.items, reminder.viewer, _)
    earlier: dict[str, tuple[str, str]] = {}
    if ctx.job.attempts > 1 and len(done) < len(messages):  # an earlier run may have died mid-post
        earlier = recovery.posted_before(ctx.deps.client, person.slack_user_id)
    for part, message in enumerate(messages):
        if str(part) in done:
            continue
        key = f"reminder:{ctx.job.id}:{part}"
        if key in earlier:
            channel, done[str(part)] = earlier[key]
        else:
            response = ctx.deps.client.chat_postMessage(
                channel=person.slack_user_id, metadata=recovery.marker(key), **message
            )
            channel, done[str(part)] = str(response["channel"]), str(response["ts"])
        outbox.record_result(session, ctx.job, channel=channel, parts=done)
