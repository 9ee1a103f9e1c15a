"""From the database to what a person sees in Slack, and keeping it current.

Loads the plain view data of :mod:`bot.blocks.model`, and posts or updates
prompt messages (stored as :class:`PromptMessage` parts so they can be edited
in place). Used by the job handlers and by the listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import BindParameter, Integer, Select, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from bot.blocks import kit
from bot.blocks.home import home_view
from bot.blocks.items import Gettext
from bot.blocks.model import (
    AwayView,
    CycleHeader,
    ItemView,
    OwnerProgressView,
    ProgressView,
    PromptView,
    Viewer,
)
from bot.blocks.prompt import prompt_messages
from bot.committee.flowback import CommitteeNotice, committee_notice
from bot.delivery import recovery
from bot.i18n import normalise_locale, translator
from bot.registry.history import last_known_entries
from bot.settings import Settings
from bot.workflow.absence import away_on
from bot.workflow.cycles import progress
from storage.models import (
    Absence,
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Person,
    PromptMessage,
    Track,
)
from storage.types import utcnow

log = logging.getLogger(__name__)

DOMAIN = "slack"
ANSWERABLE = (CycleState.COLLECTING,)


def locale_of(person: Person | None, settings: Settings) -> str:
    """The person's Slack locale (``da-DK`` → ``da``), else STATUSBOT_LOCALE."""
    if person is not None and person.locale:
        return normalise_locale(person.locale)
    return settings.locale


def zone_of(person: Person | None, settings: Settings) -> ZoneInfo:
    if person is not None and person.tz:
        try:
            return ZoneInfo(person.tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return settings.zone


def texts(locale: str) -> Gettext:
    return translator(DOMAIN, locale).gettext


def viewer_for(person: Person | None, settings: Settings) -> tuple[Viewer, Gettext]:
    locale = locale_of(person, settings)
    return Viewer(locale=locale, tz=zone_of(person, settings)), texts(locale)


def cycle_header(session: Session, cycle: Cycle) -> CycleHeader:
    area = cycle.area if cycle.area is not None else session.get(Area, cycle.area_id)
    return CycleHeader(
        cycle_id=cycle.id,
        area=area.name if area else "?",
        title=cycle.title,
        as_of=cycle.as_of,
        deadline=cycle.deadline,
    )


def person_by_slack_id(session: Session, team_id: str, user_id: str | None) -> Person | None:
    if not user_id:
        return None
    return session.scalar(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id == user_id)
    )


def person_entries(session: Session, cycle_id: int, person_id: int) -> list[Entry]:
    """The person's entries (as owner or delegate) in report order."""
    return people_entries(session, cycle_id, [person_id]).get(person_id, [])


def people_entries(
    session: Session, cycle_id: int, person_ids: list[int]
) -> dict[int, list[Entry]]:
    """person id → their entries (as owner or delegate) in report order, for
    many people with one query (a fan-out's batch)."""
    wanted = set(person_ids)
    found: dict[int, list[Entry]] = {}
    rows = session.scalars(
        _people_entries_statement(), {"cycle_id": cycle_id, "person_ids": sorted(wanted)}
    ).unique()
    for entry in rows:
        initiative = entry.initiative
        for person_id in dict.fromkeys((initiative.owner_id, initiative.delegate_id)):
            if person_id in wanted:
                found.setdefault(person_id, []).append(entry)
    return found


@cache
def _people_entries_statement() -> Select[Any]:
    """Built once with bound parameters (every prompt, reminder and App Home
    loads it; building it cost more than running it)."""
    person_ids: BindParameter[Any] = bindparam("person_ids", expanding=True)
    return (
        select(Entry)
        .join(Initiative, Initiative.id == Entry.initiative_id)
        .join(Track, Track.id == Initiative.track_id)
        .where(
            Entry.cycle_id == bindparam("cycle_id", type_=Integer()),
            Entry.withdrawn_at.is_(None),
            or_(Initiative.owner_id.in_(person_ids), Initiative.delegate_id.in_(person_ids)),
        )
        .order_by(Track.position, Initiative.position, Entry.id)
        # Many-to-one all the way: one query with joins instead of five.
        .options(
            joinedload(Entry.initiative).joinedload(Initiative.track),
            joinedload(Entry.initiative).joinedload(Initiative.owner),
            joinedload(Entry.initiative).joinedload(Initiative.delegate),
            joinedload(Entry.answered_by),
        )
    )


def previous_texts(session: Session, cycle: Cycle, entries: list[Entry]) -> dict[int, str]:
    """initiative id → plain text of its last known status."""
    known = last_known_entries(session, cycle, [e.initiative_id for e in entries])
    return {i: entry.status.plain for i, entry in known.items() if entry.status}


def item_view(
    entry: Entry, viewer_person_id: int | None, previous: str, cycle: Cycle, now: datetime
) -> ItemView:
    initiative = entry.initiative
    owner, delegate = initiative.owner, initiative.delegate
    collecting = cycle.state in ANSWERABLE
    return ItemView(
        entry_id=entry.id,
        cycle_id=entry.cycle_id,
        track=initiative.track.name,
        title=initiative.title,
        previous=previous,
        current=entry.status.plain if entry.status else "",
        answered=entry.source != EntrySource.PENDING,
        carried_forward=entry.source == EntrySource.CARRY_FORWARD,
        answered_at=entry.answered_at,
        answered_by=entry.answered_by.label if entry.answered_by else None,
        owner_user=owner.slack_user_id if owner else None,
        delegate_user=delegate.slack_user_id if delegate else None,
        viewer_is_delegate=delegate is not None
        and delegate.id == viewer_person_id
        and (owner is None or owner.id != viewer_person_id),
        collecting=collecting,
        editable=collecting and now <= cycle.deadline,
    )


def items_for(session: Session, cycle: Cycle, person: Person, now: datetime) -> list[ItemView]:
    return load_prompt(session, cycle, person, now).items


def _items(
    entries: list[Entry],
    person_id: int,
    previous: dict[int, str],
    cycle: Cycle,
    now: datetime,
    notice: CommitteeNotice | None,
) -> list[ItemView]:
    items = [
        item_view(e, person_id, previous.get(e.initiative_id, ""), cycle, now) for e in entries
    ]
    if notice is None or not notice.asked:
        return items
    return [
        replace(item, committee_asks=notice.words_for(entry.initiative_id))
        for item, entry in zip(items, entries, strict=True)
    ]


def load_prompt(session: Session, cycle: Cycle, person: Person, now: datetime) -> PromptView:
    return load_prompts(session, cycle, [person], now)[person.id]


def load_prompts(
    session: Session, cycle: Cycle, people: list[Person], now: datetime
) -> dict[int, PromptView]:
    """person id → their prompt's view of ``cycle``: for many people with the
    same few queries as for one (a fan-out's batch)."""
    notice = committee_notice(session, cycle)
    header = cycle_header(session, cycle)
    entries = people_entries(session, cycle.id, [p.id for p in people])
    every = list({e.id: e for found in entries.values() for e in found}.values())
    previous = previous_texts(session, cycle, every)
    return {
        person.id: PromptView(
            cycle=header,
            recipient=person.display_name or person.label,
            items=_items(entries.get(person.id, []), person.id, previous, cycle, now, notice),
            committee=notice,
        )
        for person in people
    }


def prompt_parts(session: Session, cycle_id: int, person_id: int) -> dict[int, PromptMessage]:
    rows = session.scalars(
        select(PromptMessage).where(
            PromptMessage.cycle_id == cycle_id, PromptMessage.person_id == person_id
        )
    )
    return {row.part: row for row in rows}


def sync_prompt(
    client: WebClient,
    session: Session,
    settings: Settings,
    cycle: Cycle,
    person: Person,
    now: datetime,
    *,
    update_existing: bool = True,
    on_posted: Callable[[int, str, str], None] | None = None,
    recover: bool = False,
) -> list[str]:
    """Post the person's prompt parts that are not posted yet and (optionally)
    update those that are. Each new part is stored and committed right after
    Slack accepted it, so a re-run never posts it twice. With ``recover`` (a
    re-run after a crash) parts Slack accepted but nobody recorded are found
    by their metadata (:mod:`bot.delivery.recovery`). Returns the ts list."""
    if not person.slack_user_id:
        raise ValueError(f"person {person.id} has no Slack user id")
    from bot.delivery.message import MessageKind, owner_message

    message = owner_message(session, settings, cycle, person, MessageKind.PROMPT, now)
    _ = texts(message.viewer.locale)
    messages = prompt_messages(message.view, message.viewer, _)
    existing = prompt_parts(session, cycle.id, person.id)
    earlier: dict[str, tuple[str, str]] | None = None
    stamps: list[str] = []
    for part, message in enumerate(messages):
        row = existing.get(part)
        if row is not None:
            if update_existing:
                client.chat_update(channel=row.channel, ts=row.ts, **message)
                row.updated_at = now
            stamps.append(row.ts)
            continue
        key = f"prompt:{cycle.id}:{person.id}:{part}"
        if recover and earlier is None:
            earlier = recovery.posted_before(client, person.slack_user_id)
        if earlier and key in earlier:
            channel, ts = earlier[key]  # accepted before a crash, never recorded
        else:
            response = client.chat_postMessage(
                channel=person.slack_user_id, metadata=recovery.marker(key), **message
            )
            channel, ts = str(response["channel"]), str(response["ts"])
        row = PromptMessage(
            cycle_id=cycle.id,
            person_id=person.id,
            part=part,
            channel=channel,
            ts=ts,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.commit()
        stamps.append(row.ts)
        if on_posted is not None:
            on_posted(part, row.channel, row.ts)
    for part, row in sorted(existing.items()):
        if part >= len(messages) and update_existing:  # the prompt got shorter
            leftover = _("(This part of the prompt is no longer needed.)")
            client.chat_update(
                channel=row.channel, ts=row.ts, **kit.message(leftover, [kit.context(leftover)])
            )
    return stamps


def refresh_prompts(
    client: WebClient,
    session: Session,
    settings: Settings,
    entry: Entry,
    now: datetime,
) -> None:
    """Update, in place, the prompts of everyone who was asked about ``entry``."""
    initiative = entry.initiative
    cycle = entry.cycle
    for person in dict.fromkeys(p for p in (initiative.owner, initiative.delegate) if p):
        if not prompt_parts(session, cycle.id, person.id) or not person.slack_user_id:
            continue
        try:
            sync_prompt(client, session, settings, cycle, person, now)
        except SlackApiError as exc:
            log.warning("could not update the prompt of person %s: %s", person.id, exc)


def current_cycles_for(session: Session, person: Person) -> list[Cycle]:
    """Collecting cycles in which the person owns or is delegated an initiative."""
    return list(
        session.scalars(
            select(Cycle)
            .join(Entry, Entry.cycle_id == Cycle.id)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(
                Cycle.state.in_(ANSWERABLE),
                Cycle.is_baseline.is_(False),
                Entry.withdrawn_at.is_(None),
                or_(Initiative.owner_id == person.id, Initiative.delegate_id == person.id),
            )
            .distinct()
            .order_by(Cycle.deadline, Cycle.id)
        )
    )


# Extra App Home sections (e.g. the coordinators' view, issue 5):
# fn(session, person, viewer, gettext, now) -> blocks.
HomeSection = Callable[[Session, Person, Viewer, Gettext, datetime], list[kit.Block]]
HOME_SECTIONS: list[HomeSection] = []


def publish_home(
    client: WebClient, session: Session, settings: Settings, person: Person, now: datetime
) -> None:
    viewer, _ = viewer_for(person, settings)
    cycles = [
        (cycle_header(session, c), items_for(session, c, person, now))
        for c in current_cycles_for(session, person)
    ]
    extra = [
        block for section in HOME_SECTIONS for block in section(session, person, viewer, _, now)
    ]
    assert person.slack_user_id
    client.views_publish(
        user_id=person.slack_user_id, view=home_view(cycles, viewer, _, extra=extra)
    )


def away_views(session: Session, person_ids: list[int], day: date) -> dict[int, AwayView]:
    """person id → how their absence on ``day`` is shown (until, stand-in)."""
    return {
        person_id: away_view(absence)
        for person_id, absence in away_on(session, person_ids, day).items()
    }


def away_view(absence: Absence) -> AwayView:
    stand_in = absence.stand_in
    return AwayView(
        until=absence.ends_on,
        stand_in_user=stand_in.slack_user_id if stand_in else None,
        stand_in_label=stand_in.label if stand_in else None,
    )


def progress_view(session: Session, cycle: Cycle, day: date | None = None) -> ProgressView:
    """Answered/missing per owner; owners on leave on ``day`` (default: today,
    in UTC) say until when and who stands in."""
    result = progress(session, cycle.id)
    titles = dict(
        session.execute(
            select(Entry.id, Initiative.title)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Entry.cycle_id == cycle.id)
        ).all()
    )
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(
                Person.id.in_([o.person_id for o in result.per_owner if o.person_id])
            )
        )
    }
    away = away_views(session, list(people), day or utcnow().date())
    owners = [
        OwnerProgressView(
            label=row.label,
            slack_user=people[row.person_id].slack_user_id if row.person_id in people else None,
            answered=len(row.answered),
            missing_titles=[titles[e] for e in row.missing],
            away=away.get(row.person_id) if row.person_id is not None else None,
        )
        for row in result.per_owner
    ]
    return ProgressView(
        cycle=cycle_header(session, cycle),
        state=cycle.state,
        total=result.total,
        answered=result.answered,
        carried_forward=result.carried_forward,
        owners=owners,
    )
