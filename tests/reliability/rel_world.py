"""Shared pieces of the reliability suite: a seeded area with many managers,
a real ``statusbot serve --http`` subprocess, the invariants, and a database
fingerprint to prove that refused requests changed nothing."""

from __future__ import annotations

import hashlib
import json
import os
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, MetaData, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.testing.fakeslack import FakeSlack
from bot.testing.served import ServedProcess
from bot.testing.served import serve_env as served_env
from bot.testing.signer import SlackSigner
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import submit_update
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Job,
    JobState,
    Person,
    PromptMessage,
    Revision,
    Role,
    RoleGrant,
    Track,
)
from storage.richtext import StatusText

SECRET = "reliability-signing-secret-0123456789"
TOKEN = "xoxb-reliability-token-9876543210"
PG_URL = os.environ.get("STATUSBOT_TEST_DATABASE_URL")
AREA = "Teknik og Miljø"


# ------------------------------------------------------------------ world


@dataclass
class World:
    area_id: int
    cycle_id: int | None
    coordinator: str  # Slack id of the area's coordinator
    managers: list[str]  # Slack ids, one initiative each (in order)
    entry_of: dict[str, int]  # Slack id → entry id in the open cycle
    person_of: dict[str, int]  # Slack id → person id


def manager_id(n: int) -> str:
    return f"UM{n:05d}"


def seed(
    factory: sessionmaker[Session],
    fake: FakeSlack | None,
    *,
    managers: int,
    previous: bool = True,
    per_manager: int = 1,
    area: str = AREA,
) -> World:
    """An area with ``managers`` managers owning ``per_manager`` initiatives
    each, a coordinator ``UCOORD``, and (``previous``) a published baseline so
    "No change" has something to carry forward."""
    users = [manager_id(n) for n in range(managers)]
    with factory() as session:
        people = {}
        for slack_id in [*users, "UCOORD"]:
            person = Person(
                team_id="",
                slack_user_id=slack_id,
                display_name=f"Person {slack_id}",
                tz="Europe/Copenhagen",
                locale="en-US",
            )
            session.add(person)
            people[slack_id] = person
            if fake is not None:
                fake.add_user(id=slack_id, name=slack_id.lower(), locale="en-US")
        the_area = Area(team_id="", name=area, key=area.casefold(), default_reminders="")
        session.add(the_area)
        session.flush()
        track = Track(area_id=the_area.id, name="Spor 1: Klima", key="spor 1", position=0)
        session.add(track)
        session.flush()
        position = 0
        initiatives = []
        for slack_id in users:
            for k in range(per_manager):
                initiative = Initiative(
                    area_id=the_area.id,
                    track_id=track.id,
                    title=f"Tiltag {position:04d} ({slack_id}/{k})",
                    key=f"tiltag {position:04d}",
                    position=position,
                    owner_id=people[slack_id].id,
                )
                session.add(initiative)
                initiatives.append(initiative)
                position += 1
        session.flush()
        if previous:
            baseline = Cycle(
                area_id=the_area.id,
                as_of=date(2023, 10, 1),
                deadline=datetime(2023, 10, 20, 10, tzinfo=UTC),
                state=CycleState.PUBLISHED,
                is_baseline=True,
            )
            session.add(baseline)
            session.flush()
            for initiative in initiatives:
                session.add(
                    Entry(
                        cycle_id=baseline.id,
                        initiative_id=initiative.id,
                        status=StatusText.from_markup(f"Forrige status for {initiative.title}."),
                        phase="in_progress",
                        source=EntrySource.IMPORT,
                    )
                )
        session.add(
            RoleGrant(person_id=people["UCOORD"].id, role=Role.COORDINATOR, area_id=the_area.id)
        )
        session.commit()
        return World(
            area_id=the_area.id,
            cycle_id=None,
            coordinator="UCOORD",
            managers=users,
            entry_of={},
            person_of={k: p.id for k, p in people.items()},
        )


def open_now(
    factory: sessionmaker[Session],
    world: World,
    *,
    now: datetime | None = None,
    deadline: timedelta = timedelta(days=14),
    remind: list[timedelta] | None = None,
) -> int:
    """Open a cycle (prompts due at once, digest at the deadline)."""
    now = now or datetime.now(UTC)
    with factory() as session:
        cycle = open_cycle(
            session,
            area_id=world.area_id,
            as_of=now.date(),
            deadline=now + deadline,
            remind=remind or [],
            title=None,
            actor=Actor.cli(),
            now=now,
        )
        session.commit()
        world.cycle_id = cycle.id
        rows = session.execute(
            select(Person.slack_user_id, Entry.id)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Person, Person.id == Initiative.owner_id)
            .where(Entry.cycle_id == cycle.id)
            .order_by(Initiative.position)
        )
        for slack_id, entry_id in rows:
            world.entry_of.setdefault(str(slack_id), entry_id)
        return cycle.id


def answer_everyone(
    factory: sessionmaker[Session], world: World, *, now: datetime, status: str = "Status of {}"
) -> None:
    """Every manager answers (directly through the workflow, no Slack)."""
    with factory() as session:
        for manager, entry_id in world.entry_of.items():
            person = session.get(Person, world.person_of[manager])
            assert person is not None
            submit_update(
                session,
                entry_id=entry_id,
                actor=Actor.of(person),
                status=StatusText.from_markup(status.format(manager)),
                phase="in_progress",
                note=None,
                now=now,
            )
        session.commit()


# ------------------------------------------------------------- requests


def update_view(cycle_id: int, entry_id: int, *, view_id: str | None = None) -> dict[str, Any]:
    """The update modal as Slack would send it back (callback and metadata are
    what the bot's own modal carries)."""
    return {
        "id": view_id or f"VREL{entry_id:07d}",
        "type": "modal",
        "callback_id": ids.UPDATE_VIEW,
        "private_metadata": ids.dump_metadata(e=entry_id, c=cycle_id, n=1),
        "hash": f"{entry_id}.relhash",
        "blocks": [],
    }


def status_values(text_: str, phase: str | None = "in_progress") -> dict[str, Any]:
    return {
        ids.STATUS_BLOCK.format(0): {
            ids.STATUS_ACTION: {"type": "plain_text_input", "value": text_}
        },
        ids.PHASE_BLOCK: {
            ids.PHASE_BLOCK: {
                "type": "static_select",
                "selected_option": {"value": phase} if phase else None,
            }
        },
        ids.NOTE_BLOCK: {ids.NOTE_BLOCK: {"type": "plain_text_input", "value": None}},
    }


def answer_text(slack_id: str, round_: int = 0) -> str:
    return f"Status fra {slack_id}, runde {round_}: arbejdet skrider frem."


# ------------------------------------------------------------- invariants


def dm_counts(fake: FakeSlack) -> Counter[str]:
    """Successful chat.postMessage calls per channel."""
    return Counter(
        str(call.response["channel"]) for call in fake.posted() if call.response is not None
    )


def assert_prompts_exactly_once(
    factory: sessionmaker[Session], fake: FakeSlack, world: World
) -> None:
    """Every manager got exactly one prompt DM, recorded once in the database,
    and every prompt job is done."""
    counts = dm_counts(fake)
    wanted = {fake.dm_channel(u): 1 for u in world.managers}
    got = {channel: counts.get(channel, 0) for channel in wanted}
    doubled = {c: n for c, n in got.items() if n > 1}
    missing = [c for c, n in got.items() if n == 0]
    assert not doubled and not missing, f"doubled: {doubled}, missing: {missing}"
    with factory() as session:
        states = Counter(session.scalars(select(Job.state).where(Job.kind == "prompt")))
        rows = session.execute(
            select(PromptMessage.channel, PromptMessage.ts).where(
                PromptMessage.cycle_id == world.cycle_id
            )
        ).all()
    assert states == {JobState.DONE: len(world.managers)}, states
    recorded = {(str(c), str(t)) for c, t in rows}
    posted = {
        (str(call.response["channel"]), str(call.response["ts"]))
        for call in fake.posted()
        if call.response is not None and call.response["channel"] in wanted
    }
    assert recorded == posted  # the database knows each DM's ts: nothing sent "blind"


def assert_answers_exactly_once(
    factory: sessionmaker[Session], world: World, acknowledged: dict[str, str]
) -> None:
    """Each acknowledged answer is the entry's status and stored as exactly one
    revision; every entry's status equals its last revision (no half-change)."""
    with factory() as session:
        for slack_id, wanted in acknowledged.items():
            entry = session.get(Entry, world.entry_of[slack_id])
            assert entry is not None
            assert entry.status.to_markup() == wanted, slack_id
            texts = [
                r.status.to_markup()
                for r in session.scalars(
                    select(Revision).where(Revision.entry_id == entry.id).order_by(Revision.number)
                )
            ]
            assert texts.count(wanted) == 1, (slack_id, texts)
        assert_no_half_changes(session, world.cycle_id)


def assert_no_half_changes(session: Session, cycle_id: int | None) -> None:
    """An entry is answered iff it has revisions, and shows its last revision."""
    entries = session.scalars(select(Entry).where(Entry.cycle_id == cycle_id)).all()
    for entry in entries:
        last = session.scalar(
            select(Revision)
            .where(Revision.entry_id == entry.id)
            .order_by(Revision.number.desc())
            .limit(1)
        )
        if last is None:
            assert entry.answered_at is None and not entry.status, entry.id
        else:
            assert entry.status == last.status, entry.id
            assert entry.answered_at == last.created_at, entry.id
            numbers = list(
                session.scalars(
                    select(Revision.number)
                    .where(Revision.entry_id == entry.id)
                    .order_by(Revision.number)
                )
            )
            assert numbers == list(range(1, len(numbers) + 1)), (entry.id, numbers)


# ------------------------------------------------------------ fingerprint

# Rows that a refused request may legitimately add: the record that a delivery
# was seen (de-duplication of Slack's retries) and nothing else.
FINGERPRINT_IGNORES = ("processed_event", "alembic_version")


# The schema reflected once per engine: reflecting is most of a fingerprint's
# time (PostgreSQL's catalog queries), and a test compares hundreds of them.
_SCHEMAS: weakref.WeakKeyDictionary[Engine, MetaData] = weakref.WeakKeyDictionary()


def fingerprint(engine: Engine, ignore: Iterable[str] = FINGERPRINT_IGNORES) -> dict[str, str]:
    """A digest of every table's rows, to compare before/after."""
    meta = _SCHEMAS.get(engine)
    if meta is None:
        meta = _SCHEMAS[engine] = MetaData()
        meta.reflect(engine)
    skip = set(ignore)
    digests: dict[str, str] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            blob = json.dumps([list(map(str, row)) for row in rows], ensure_ascii=False)
            digests[name] = f"{len(rows)}:{hashlib.sha256(blob.encode()).hexdigest()[:16]}"
    return digests


# ----------------------------------------------------------- subprocess


def serve_env(db_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    extra.setdefault("STATUSBOT_TICK_SECONDS", "0.2")
    return served_env(db_url, fake.base_url, token=TOKEN, secret=SECRET, **extra)


Served = ServedProcess


def expire_leases(factory: sessionmaker[Session]) -> int:
    """What waiting out ``storage.outbox.DEFAULT_LEASE`` (2 minutes) after a
    crash does: the dead process's claims become due again."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with factory() as session:
        result = session.execute(
            update(Job)
            .where(Job.state == JobState.CLAIMED)
            .values(claimed_until=past)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def signer() -> SlackSigner:
    return SlackSigner(secret=SECRET)


def pg_only_reason() -> str:
    return (
        "needs PostgreSQL (set STATUSBOT_TEST_DATABASE_URL): on SQLite only one process "
        "claims jobs at a time (a file lock), so two claimers never run at once"
    )


def sql(engine: Engine, statement: str) -> Any:
    with engine.begin() as conn:
        return conn.execute(text(statement))
