"""Absences in delivery: who is held back, and the jobs at a leave's start and end.

* ``absence_start`` ``{absence_id}`` (due the first day away, or at once):
  the away person's open items go to the stand-in as a delegation, with a
  notice saying why; with no stand-in the area's coordinators are told.
* ``absence_end`` ``{absence_id}`` (due the morning after the last day): the
  stand-in's delegations end, and if the round still runs the person gets
  their prompt (or a reminder of what is still open).

:func:`held_back` is what the prompt and reminder jobs ask before sending:
nobody on leave is ever prompted or reminded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.absence import no_stand_in_notice, stand_in_notice, status_suggestion
from bot.blocks.items import Gettext
from bot.blocks.model import Viewer
from bot.blocks.text import Mrkdwn
from bot.delivery import recovery
from bot.delivery.digest import area_coordinators
from bot.delivery.refresh import queue_refresh
from bot.delivery.registry import JobContext, job_handler
from bot.delivery.surfaces import prompt_parts, viewer_for, zone_of
from bot.settings import Settings
from bot.workflow.absence import (
    away_on,
    back_moment,
    cancel_absence,
    delegate_to_stand_in,
    end_stand_in,
    find_absence,
    open_entries,
    set_absence,
    start_moment,
)
from bot.workflow.actor import Actor
from bot.working_time import shift_reminder
from storage import outbox
from storage.models import Absence, Cycle, Entry, Person

log = logging.getLogger(__name__)

START, END, NOTICE = "absence_start", "absence_end", "absence_notice"


def schedule_absence(session: Session, absence: Absence, zone: ZoneInfo, now: datetime) -> None:
    """Queue the leave's start and end jobs (in the same transaction as the leave)."""
    team = absence.person.team_id
    for kind, due in (
        (START, max(now, start_moment(absence, zone))),
        (END, back_moment(absence, zone)),
    ):
        outbox.enqueue(
            session, kind, {"absence_id": absence.id}, due_at=due,
            dedupe_key=f"{kind}:{absence.id}", team_id=team,
        )  # fmt: skip


def record_absence(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    starts_on: date,
    ends_on: date,
    stand_in: Person | None,
    zone: ZoneInfo,
    now: datetime,
) -> Absence:
    """Record a leave (the rules: :func:`bot.workflow.absence.set_absence`) and
    queue its start and end for the running bot."""
    absence = set_absence(
        session, actor, person, starts_on=starts_on, ends_on=ends_on, stand_in=stand_in,
        today=now.astimezone(zone).date(), now=now,
    )  # fmt: skip
    schedule_absence(session, absence, zone, now)
    return absence


def cancel_now(
    session: Session, actor: Actor, person: Person, absence_id: int | None, *, zone: ZoneInfo,
    now: datetime,
) -> Absence:  # fmt: skip
    """Cancel the person's current or next leave; it ends at once (its queued
    end job then finds nothing left to do)."""
    absence = find_absence(session, person, absence_id, now.astimezone(zone).date())
    cancel_absence(session, actor, absence, now=now)
    outbox.enqueue(
        session, END, {"absence_id": absence.id}, due_at=now,
        dedupe_key=f"{END}:{absence.id}:cancel", team_id=absence.person.team_id,
    )  # fmt: skip
    return absence


def held_back(
    session: Session, person: Person, when: datetime, deadline: datetime, settings: Settings
) -> tuple[Absence | None, datetime | None]:
    """(the absence, when to try again) if ``person`` is away at ``when``; the
    second is None when they are back only after the deadline."""
    zone = zone_of(person, settings)
    absence = away_on(session, [person.id], when.astimezone(zone).date()).get(person.id)
    if absence is None:
        return None, None
    back = shift_reminder(
        back_moment(absence, zone), tz=zone, hours=settings.hours, deadline=deadline
    )
    return absence, (back if back < deadline else None)


def held_back_now(
    ctx: JobContext, person: Person, deadline: datetime
) -> tuple[Absence | None, datetime | None]:
    """:func:`held_back` at ``ctx.now``; in a batch, one look-up finds who of
    all its people (of this job's kind) is away that day, and only they are
    looked at again."""
    batch, settings = ctx.batch, ctx.deps.settings
    if batch is not None:
        day = ctx.now.astimezone(zone_of(person, settings)).date()
        kind = ctx.job.kind
        away = batch.memo(
            ("away", kind, day), lambda: set(away_on(ctx.session, batch.person_ids(kind), day))
        )
        if person.id not in away:
            return None, None
    return held_back(ctx.session, person, ctx.now, deadline, settings)


def stand_in_for_cycle(ctx: JobContext, absence: Absence, cycle_id: int | None = None) -> None:
    """Delegate the away person's open items (of one cycle, or all) to the
    stand-in and queue the stand-in's prompts; with no stand-in, tell the
    coordinators once per cycle."""
    from bot.delivery.prompts import enqueue_prompt  # prompts imports this module

    session, now = ctx.session, ctx.now
    if absence.stand_in is None:
        for cycle_key, _entries in groupby(
            open_entries(session, absence.person, now), key=lambda e: e.cycle_id
        ):
            if cycle_id is None or cycle_key == cycle_id:
                outbox.enqueue(
                    session, NOTICE, {"absence_id": absence.id, "cycle_id": cycle_key},
                    due_at=now, dedupe_key=f"{NOTICE}:{absence.id}:{cycle_key}",
                    cycle_id=cycle_key, team_id=absence.person.team_id,
                )  # fmt: skip
        return
    delegated = delegate_to_stand_in(session, absence, now=now, cycle_id=cycle_id)
    for cycle_key, entries in groupby(delegated, key=lambda e: e.cycle_id):
        first = next(entries)
        enqueue_prompt(
            session,
            first.cycle,
            absence.stand_in,
            now=now,
            delegated_entry_id=first.id,
            by_person_id=absence.person_id,
            key_suffix=f":absence:{absence.id}",
            absence_id=absence.id,
        )
        queue_refresh(
            session, cycle_id=cycle_key, person_ids=[absence.person_id], now=now,
            team_id=absence.person.team_id,
        )  # fmt: skip


def send_stand_in_notice(ctx: JobContext, stand_in: Person, absence_id: int) -> None:
    """The first message of a stand-in's prompt job: whose items and why."""
    if (ctx.job.result or {}).get("notice_ts"):
        return
    absence = ctx.session.get(Absence, absence_id)
    if absence is None:
        return
    owner = absence.person
    viewer, _ = viewer_for(stand_in, ctx.deps.settings)
    text = stand_in_notice(owner.slack_user_id, owner.label, absence.ends_on, viewer, _)
    _channel, ts = recovery.post_once(
        ctx.deps.client,
        str(stand_in.slack_user_id),
        f"prompt:{ctx.job.id}:delegated",
        recover=ctx.job.attempts > 1,
        **kit.message(Mrkdwn(text), [kit.section(text)]),
    )
    outbox.record_result(ctx.session, ctx.job, notice_ts=ts)


@job_handler(START)
def start_absence(ctx: JobContext) -> None:
    absence = ctx.session.get(Absence, int((ctx.job.payload or {})["absence_id"]))
    if absence is None or absence.cancelled_at is not None:
        return
    stand_in_for_cycle(ctx, absence)


@job_handler(END)
def end_absence(ctx: JobContext) -> None:
    from bot.delivery.prompts import enqueue_prompt  # prompts imports this module

    session, now = ctx.session, ctx.now
    absence = session.get(Absence, int((ctx.job.payload or {})["absence_id"]))
    if absence is None:
        return
    cancelled = (ctx.job.dedupe_key or "").endswith(":cancel")
    if absence.cancelled_at is not None and not cancelled:
        return  # its cancellation ended it already
    if absence.stand_in_id is not None:
        for initiative in end_stand_in(session, absence, now=now):
            for cycle_id in _collecting_cycles(session, initiative.id):
                queue_refresh(
                    session, cycle_id=cycle_id, person_ids=[absence.stand_in_id], now=now,
                    team_id=absence.person.team_id,
                )  # fmt: skip
    person = absence.person
    zone = zone_of(person, ctx.deps.settings)
    if start_moment(absence, zone) > now:
        return  # cancelled before it began: nothing was held back
    for cycle_id, _entries in groupby(open_entries(session, person, now), key=lambda e: e.cycle_id):
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        due = shift_reminder(now, tz=zone, hours=ctx.deps.settings.hours, deadline=cycle.deadline)
        if not prompt_parts(session, cycle.id, person.id):
            enqueue_prompt(session, cycle, person, now=due, key_suffix=f":back:{absence.id}")
            continue
        outbox.enqueue(
            session, "reminder", {"cycle_id": cycle.id, "person_id": person.id,
                                  "offset_seconds": 0},
            due_at=due, dedupe_key=f"reminder:{cycle.id}:{person.id}:back:{absence.id}",
            cycle_id=cycle.id, team_id=person.team_id,
        )  # fmt: skip


def _collecting_cycles(session: Session, initiative_id: int) -> list[int]:
    from bot.workflow.entries import ANSWERABLE

    return list(
        session.scalars(
            select(Entry.cycle_id)
            .join(Cycle, Cycle.id == Entry.cycle_id)
            .where(Entry.initiative_id == initiative_id, Cycle.state.in_(ANSWERABLE))
        )
    )


@job_handler(NOTICE)
def tell_coordinators(ctx: JobContext) -> None:
    """No stand-in: the area's coordinators hear who is away and what waits."""
    payload = ctx.job.payload or {}
    session = ctx.session
    absence = session.get(Absence, int(payload["absence_id"]))
    cycle = session.get(Cycle, int(payload["cycle_id"]))
    if absence is None or cycle is None or absence.cancelled_at is not None:
        return
    person = absence.person
    titles = [
        e.initiative.title for e in open_entries(session, person, ctx.now) if e.cycle_id == cycle.id
    ]
    if not titles:
        return
    zone = zone_of(person, ctx.deps.settings)
    back_in_time = back_moment(absence, zone) < cycle.deadline

    def build(viewer: Viewer, _: Gettext) -> dict[str, Any]:
        return no_stand_in_notice(
            person.slack_user_id, person.label, absence.starts_on, absence.ends_on,
            cycle.area.name, cycle.deadline, titles, back_in_time, viewer, _,
        )  # fmt: skip

    post_to_coordinators(ctx, cycle.area_id, person.id, NOTICE, build)


def post_to_coordinators(
    ctx: JobContext,
    area_id: int,
    about_person_id: int,
    kind: str,
    build: Callable[[Viewer, Gettext], dict[str, Any]],
) -> None:
    """One message per coordinator of the area (not the person it is about),
    each recorded in the job's result so a re-run never sends it twice."""
    sent = dict((ctx.job.result or {}).get("sent") or {})
    for coordinator in area_coordinators(ctx.session, area_id):
        if str(coordinator.id) in sent or coordinator.id == about_person_id:
            continue
        _channel, sent[str(coordinator.id)] = recovery.post_once(
            ctx.deps.client,
            str(coordinator.slack_user_id),
            f"{kind}:{ctx.job.id}:{coordinator.id}",
            recover=ctx.job.attempts > 1,
            **build(*viewer_for(coordinator, ctx.deps.settings)),
        )
        outbox.record_result(ctx.session, ctx.job, sent=sent)


SUGGEST = "absence_suggest"


def suggest_from_status(
    ctx: JobContext, person: Person, cycle: Cycle, status: str, until: datetime | None
) -> None:
    """Queue one suggestion per person and cycle to the area's coordinators."""
    outbox.enqueue(
        ctx.session, SUGGEST,
        {"person_id": person.id, "cycle_id": cycle.id, "status": status[:200],
         "until": until.isoformat() if until else None},
        due_at=ctx.now, dedupe_key=f"{SUGGEST}:{cycle.id}:{person.id}", cycle_id=cycle.id,
        team_id=person.team_id,
    )  # fmt: skip


@job_handler(SUGGEST)
def deliver_suggestion(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    session = ctx.session
    person = session.get(Person, int(payload["person_id"]))
    cycle = session.get(Cycle, int(payload["cycle_id"]))
    if person is None or cycle is None:
        return
    until = datetime.fromisoformat(payload["until"]) if payload.get("until") else None
    status = str(payload.get("status") or "")

    def build(viewer: Viewer, _: Gettext) -> dict[str, Any]:
        day = until.astimezone(viewer.tz).date() if until else None
        return status_suggestion(person.slack_user_id, person.label, status, day, viewer, _)

    post_to_coordinators(ctx, cycle.area_id, person.id, SUGGEST, build)


# A custom status that reads like a leave (Danish and English; Slack's own
# "Vacationing" preset is :palm_tree:). Only ever a suggestion to coordinators.
LEAVE_WORDS = re.compile(
    r"\b(ferie|vacation|vacationing|holiday|holidays|on leave|orlov|barsel|"
    r"out of office|ooo|fri|afspadsering)\b",
    re.IGNORECASE,
)
LEAVE_EMOJI = {":palm_tree:", ":desert_island:", ":beach_with_umbrella:", ":airplane:", "🌴", "🏝️"}


def leave_status(profile: dict[str, Any], now: datetime) -> tuple[str, datetime | None] | None:
    """(the status as shown, when it expires) if the profile's status says away."""
    text = str(profile.get("status_text") or "").strip()
    emoji = str(profile.get("status_emoji") or "").strip()
    expiration = int(profile.get("status_expiration") or 0)
    until = datetime.fromtimestamp(expiration, UTC) if expiration else None
    if until is not None and until <= now:
        return None  # an expired status Slack has not cleared yet
    if not (LEAVE_WORDS.search(text) or emoji in LEAVE_EMOJI or any(e in text for e in "🌴🏝")):
        return None
    return " ".join(p for p in (emoji, text) if p), until


def check_slack_status(ctx: JobContext, person: Person, cycle: Cycle) -> None:
    """Read the person's Slack status while prompting them (best effort) and
    suggest a leave to the coordinators when it says they are away."""
    try:
        # users.info carries the profile's status with the users:read scope the
        # bot has (users.profile.get would need users.profile:read).
        user = ctx.deps.client.users_info(user=str(person.slack_user_id)).get("user") or {}
        profile = user.get("profile")
    except SlackApiError as exc:
        log.info("users.info for %s failed: %s", person.id, exc.response.get("error"))
        return
    found = leave_status(profile or {}, ctx.now)
    if found is not None:
        suggest_from_status(ctx, person, cycle, *found)
