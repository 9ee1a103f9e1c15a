"""The demo's starting point, built with the same services the CLI uses:
schema (``init``), registry (``import``), roles (``roles grant``), the previous
report as an approved baseline (``baseline import``), area settings (``area
set``) and the new cycle (``cycle open``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.demo.committee import prepare_committee
from bot.importing.loader import import_file
from bot.review import update_settings
from bot.sample import SampleData
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.dates import parse_offsets
from bot.workflow.people import find_or_create_person
from bot.workflow.roles import grant_role
from reports.baseline import BaselineRow, import_baseline
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Area, Entry, Initiative, Role

# The area's report channel in the fake workspace (published reports go here).
REPORT_CHANNEL = "C0DEMOSSU01"


@dataclass(frozen=True)
class Prepared:
    area_id: int
    baseline_cycle_id: int
    cycle_id: int


def prepare(
    engine: Engine,
    factory: sessionmaker[Session],
    sample: SampleData,
    *,
    workdir: Path,
    now: datetime,
) -> Prepared:
    """Set up a fresh database for the demo; ``now`` is when the cycle opens."""
    upgrade(engine)
    actor = Actor.cli()
    with session_scope(factory) as session:
        import_file(
            session, sample.write_registry_csv(workdir / "registry.csv"), actor=actor, now=now
        )
        area = session.scalars(select(Area).where(Area.name == sample.area)).one()
        _grant_roles(session, sample, area.id, actor, now)
        _reach_by_mail(session, sample, actor, now)
        baseline_id = _load_baseline(session, sample, area, actor, now)
        update_settings(
            session,
            area_id=area.id,
            actor=actor,
            now=now,
            intro=sample.script.intro.to_markup(),
            report_channel=REPORT_CHANNEL,
            approvals_required=len(sample.script.approvals),
        )
        prepare_committee(session, area.id, baseline_id, actor, now)
        script = sample.script
        cycle = open_cycle(
            session,
            area_id=area.id,
            as_of=script.as_of,
            deadline=script.deadline,
            remind=parse_offsets(script.remind),
            title=script.title,
            actor=actor,
            now=now,
        )
        return Prepared(area_id=area.id, baseline_cycle_id=baseline_id, cycle_id=cycle.id)


def _reach_by_mail(session: Session, sample: SampleData, actor: Actor, now: datetime) -> None:
    """The sample's owners outside Slack get their prompts by e-mail (as
    ``statusbot person set EMAIL --channel email`` does)."""
    for person in sample.people.people:
        if person.channel != "email":
            continue
        found = find_or_create_person(session, person.email)
        found.channel, found.display_name = "email", person.display_name
        audit.record(
            session, actor, "person.channel", now=now, person_id=found.id,
            person=found.label, channel="email", before="slack",
        )  # fmt: skip


def _grant_roles(
    session: Session, sample: SampleData, area_id: int, actor: Actor, now: datetime
) -> None:
    """People are given by e-mail, as an operator would; the bot finds them in Slack."""
    for person in sample.coordinators:
        grant_role(
            session,
            person=find_or_create_person(session, person.email),
            role=Role.COORDINATOR,
            area_id=area_id,
            actor=actor,
            now=now,
        )
    for person in sample.admins:
        grant_role(
            session,
            person=find_or_create_person(session, person.email),
            role=Role.ADMIN,
            area_id=None,
            actor=actor,
            now=now,
        )


def _load_baseline(
    session: Session, sample: SampleData, area: Area, actor: Actor, now: datetime
) -> int:
    """The previous report through the baseline importer, then its title and phases
    (a committee report table has no phase column; the sample knows them)."""
    baseline = sample.baseline
    rows = [
        BaselineRow(
            number=number,
            track=entry.track,
            title=entry.initiative,
            plan=sample.row(entry.key).plan,
            blocks=list(entry.status.blocks),
        )
        for number, entry in enumerate(baseline.entries, start=2)
    ]
    result = import_baseline(
        session,
        area=area,
        as_of=baseline.as_of,
        rows=rows,
        source_label="bot/sample/baseline.json",
        actor=actor,
        now=now,
    )
    if result.cycle_id is None:
        unmatched = ", ".join(f"{r.track} / {r.title}" for r in result.unmatched)
        raise RuntimeError(f"the sample baseline does not match the registry: {unmatched}")
    phases = {(e.track, e.initiative): e.phase.value for e in baseline.entries}
    entries = session.execute(
        select(Entry, Initiative)
        .join(Initiative, Initiative.id == Entry.initiative_id)
        .where(Entry.cycle_id == result.cycle_id)
    ).all()
    for entry, initiative in entries:
        entry.phase = phases[(initiative.track.name, initiative.title)]
        for revision in entry.revisions:
            revision.phase = entry.phase
    cycle = entries[0][0].cycle
    cycle.title = baseline.title
    session.flush()
    return result.cycle_id
