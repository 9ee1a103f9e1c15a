"""Writing a checked import plan: idempotent by stable keys, retiring what is gone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.importing.plan import ImportPlan, PlannedInitiative, plan_import, text_key
from bot.importing.reader import read_rows
from bot.workflow import audit
from bot.workflow.actor import Actor
from storage.models import Area, Initiative, Person, Track

ProgressCallback = Callable[[int, int], None]  # (done, total)


@dataclass
class ImportResult:
    areas_created: int = 0
    tracks_created: int = 0
    created: int = 0  # initiatives
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    retired: int = 0
    people_created: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _People:
    """Persons by Slack id and e-mail, created on first mention."""

    def __init__(self, session: Session, team_id: str, result: ImportResult) -> None:
        self.session, self.team_id, self.result = session, team_id, result
        self.by_id: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        for person in session.scalars(select(Person).where(Person.team_id == team_id)):
            if person.slack_user_id:
                self.by_id[person.slack_user_id] = person
            if person.email:
                self.by_email[person.email.lower()] = person

    def get(self, slack_id: str | None, email: str | None) -> Person | None:
        if slack_id:
            person = self.by_id.get(slack_id)
            if person is None:
                person = self.by_id[slack_id] = Person(team_id=self.team_id, slack_user_id=slack_id)
                self._add(person)
            return person
        if email:
            person = self.by_email.get(email)
            if person is None:
                person = self.by_email[email] = Person(team_id=self.team_id, email=email)
                self._add(person)
            return person
        return None

    def _add(self, person: Person) -> None:
        self.session.add(person)
        self.session.flush()
        self.result.people_created += 1


def _update_initiative(
    initiative: Initiative,
    item: PlannedInitiative,
    position: int,
    owner: Person | None,
    result: ImportResult,
) -> None:
    was_retired = not initiative.active
    owner_id = owner.id if owner is not None else None
    changed = (
        initiative.title != item.title
        or initiative.plan != item.plan
        or initiative.position != position
        or initiative.owner_id != owner_id
    )
    if initiative.owner_id != owner_id:
        initiative.delegate_id = None  # the delegate was the previous owner's choice
    initiative.title = item.title
    initiative.plan = item.plan
    initiative.position = position
    initiative.owner_id = owner_id
    if was_retired:
        initiative.active = True
        initiative.retired_at = None
        result.reactivated += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1


def apply_import(
    session: Session,
    plan: ImportPlan,
    *,
    actor: Actor,
    now: datetime,
    source: str = "",
    team_id: str = "",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Create or update everything in ``plan``; in the file's areas, retire
    initiatives (and tracks) the file no longer lists. Flushes, never commits."""
    result = ImportResult()
    people = _People(session, team_id, result)
    areas = {a.key: a for a in session.scalars(select(Area).where(Area.team_id == team_id))}
    touched_areas: dict[str, Area] = {}
    tracks: dict[tuple[int, str], Track] = {}
    initiatives: dict[tuple[int, str], Initiative] = {}
    seen_tracks: set[int] = set()
    seen_initiatives: set[tuple[int, str]] = set()
    track_positions: dict[int, int] = {}
    item_positions: dict[int, int] = {}
    total = len(plan.initiatives)

    for done, item in enumerate(plan.initiatives, start=1):
        area_key = text_key(item.area)
        area = touched_areas.get(area_key) or areas.get(area_key)
        if area is None:
            area = Area(team_id=team_id, name=item.area, key=area_key)
            session.add(area)
            session.flush()
            result.areas_created += 1
        if area_key not in touched_areas:
            touched_areas[area_key] = area
            area.name = item.area
            for track in session.scalars(select(Track).where(Track.area_id == area.id)):
                tracks[(area.id, track.key)] = track
            for initiative in session.scalars(
                select(Initiative).where(Initiative.area_id == area.id)
            ):
                initiatives[(initiative.track_id, initiative.key)] = initiative

        track_key = text_key(item.track)
        track = tracks.get((area.id, track_key))
        if track is None:
            track = Track(area_id=area.id, name=item.track, key=track_key)
            session.add(track)
            session.flush()
            tracks[(area.id, track_key)] = track
            result.tracks_created += 1
        if track.id not in seen_tracks:
            seen_tracks.add(track.id)
            track.name = item.track
            track.position = track_positions[area.id] = track_positions.get(area.id, -1) + 1
            track.active = True

        position = item_positions[track.id] = item_positions.get(track.id, -1) + 1
        owner = people.get(item.owner_slack_id, item.owner_email)
        initiative_key = text_key(item.title)
        initiative = initiatives.get((track.id, initiative_key))
        if initiative is None:
            initiative = Initiative(
                area_id=area.id,
                track_id=track.id,
                title=item.title,
                key=initiative_key,
                plan=item.plan,
                position=position,
                owner_id=owner.id if owner else None,
                active=True,
                created_at=now,
                updated_at=now,
            )
            session.add(initiative)
            initiatives[(track.id, initiative_key)] = initiative
            result.created += 1
        else:
            _update_initiative(initiative, item, position, owner, result)
        seen_initiatives.add((track.id, initiative_key))
        if progress is not None:
            progress(done, total)

    for area in touched_areas.values():
        for key, initiative in initiatives.items():
            if initiative.area_id == area.id and initiative.active and key not in seen_initiatives:
                initiative.active = False
                initiative.retired_at = now
                result.retired += 1
        for (area_id, _key), track in tracks.items():
            if area_id == area.id and track.id not in seen_tracks:
                track.active = False
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        now=now,
        file=source,
        areas=[a.name for a in touched_areas.values()],
        **{k: v for k, v in vars(result).items()},
    )
    return result


def import_file(
    session: Session,
    path: Path,
    *,
    actor: Actor,
    now: datetime,
    team_id: str = "",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Read, check and apply ``path``. Raises ImportRejected (nothing written)
    when any row is bad."""
    plan = plan_import(read_rows(path))
    return apply_import(
        session, plan, actor=actor, now=now, source=path.name, team_id=team_id, progress=progress
    )
