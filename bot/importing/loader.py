"""Writing a checked import plan: an initiative keeps its identity (and history).

Identity is the stable key (column ``nr``/``key``) when the row has one, else
area + track + title. With a key, the title, track, area, plan and owner may
all change: the change is a rename or a move, never a new initiative. An
absent optional column leaves that field as it is; only a present, empty cell
clears it. Initiatives of the file's areas that the file does not list are
kept (and listed) unless ``retire_missing``. Every change is listed with its
line number, so a dry run can print the plan. Registry changes reach the
round an area is collecting (:mod:`bot.registry.rounds`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.importing.plan import (
    ImportPlan,
    ImportRejected,
    PlannedInitiative,
    Problem,
    plan_import,
    text_key,
)
from bot.importing.reader import read_rows
from bot.registry.changes import label as registry_label
from bot.registry.identity import by_nr
from bot.registry.rounds import RoundChange, Snapshot, reach_rounds, snapshot
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import N_, translate
from storage.models import Area, Initiative, Person, Track

ProgressCallback = Callable[[int, int], None]  # (done, total)

# Change kinds, in the order a plan lists them.
KINDS = ("created", "renamed", "moved", "updated", "reactivated", "retired", "missing", "unchanged")


@dataclass(frozen=True)
class Change:
    """One initiative in the plan: what happens to it and why."""

    kind: str  # one of KINDS
    line: int | None  # the file's line; None for initiatives the file does not list
    label: str  # "Area / Track / Title"
    detail: str = ""  # e.g. "title: Old → New", "owner, plan"


@dataclass
class ImportResult:
    areas_created: int = 0
    tracks_created: int = 0
    created: int = 0  # initiatives
    updated: int = 0  # fields changed (renames and moves included)
    renamed: int = 0
    moved: int = 0
    unchanged: int = 0
    reactivated: int = 0
    retired: int = 0
    missing: int = 0  # not in the file, kept
    people_created: int = 0
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "No column ansvarlig: owners unchanged."
    rounds: list[RoundChange] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.reactivated

    def counts(self) -> dict[str, int]:
        return {
            k: v for k, v in vars(self).items() if isinstance(v, int) and not isinstance(v, bool)
        }


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


def _label(area: str, track: str, title: str) -> str:
    return f"{area} / {track} / {title}"


def _absent_notes(plan: ImportPlan) -> list[str]:
    texts = {
        "plan": N_("The file has no column iværksættelse (plan): plans are left unchanged."),
        "owner": N_(
            "The file has no column ansvarlig (owner): owners and delegates are left unchanged."
        ),
        "key": N_("The file has no column nr (key): keys are left unchanged."),
        "description": N_(
            "The file has no column beskrivelse (description): descriptions are left unchanged."
        ),
    }
    return [translate(text) for column, text in texts.items() if not plan.has(column)]


class _Writer:
    """Applies one plan; remembers what it found and did."""

    def __init__(self, session: Session, plan: ImportPlan, *, team_id: str, now: datetime) -> None:
        self.session, self.plan, self.team_id, self.now = session, plan, team_id, now
        self.result = ImportResult(notes=_absent_notes(plan))
        self.people = _People(session, team_id, self.result)
        areas = session.scalars(select(Area).where(Area.team_id == team_id))
        self.areas = {a.key: a for a in areas}
        self.touched: dict[str, Area] = {}
        self.tracks: dict[tuple[int, str], Track] = {}
        self.by_title: dict[tuple[int, str], Initiative] = {}
        self.by_key = by_nr(session, team_id)
        self.seen_tracks: set[int] = set()
        self.seen: set[int] = set()
        self.track_positions: dict[int, int] = {}
        self.item_positions: dict[int, int] = {}
        self.before: dict[int, Snapshot | None] = {}
        # (initiative, "initiative.rename"/"initiative.move", its label before):
        # audited one by one, as `initiative rename/move` do, for its history.
        self.renamed: list[tuple[Initiative, str, str]] = []
        self.problems: list[Problem] = []

    def area(self, name: str) -> Area:
        key = text_key(name)
        area = self.touched.get(key) or self.areas.get(key)
        if area is None:
            area = Area(team_id=self.team_id, name=name, key=key)
            self.session.add(area)
            self.session.flush()
            self.areas[key] = area
            self.result.areas_created += 1
        if key not in self.touched:
            self.touched[key] = area
            area.name = name
            self._load_area(area)
        return area

    def _load_area(self, area: Area) -> None:
        for track in self.session.scalars(select(Track).where(Track.area_id == area.id)):
            self.tracks[(area.id, track.key)] = track
            self.tracks.setdefault((area.id, text_key(track.name)), track)
        for initiative in self.session.scalars(
            select(Initiative).where(Initiative.area_id == area.id)
        ):
            self.by_title[(initiative.track_id, initiative.key)] = initiative

    def track(self, area: Area, name: str) -> Track:
        key = text_key(name)
        track = self.tracks.get((area.id, key))
        if track is None:
            track = Track(area_id=area.id, name=name, key=key)
            self.session.add(track)
            self.session.flush()
            self.tracks[(area.id, key)] = track
            self.result.tracks_created += 1
        if track.id not in self.seen_tracks:
            self.seen_tracks.add(track.id)
            track.name = name
            track.position = self.track_positions[area.id] = (
                self.track_positions.get(area.id, -1) + 1
            )
            track.active = True
        return track

    def find(self, item: PlannedInitiative, track: Track) -> Initiative | None:
        """By key when the row has one, else by track + title."""
        if item.key:
            found = self.by_key.get(text_key(item.key))
            if found is not None:
                return found
        found = self.by_title.get((track.id, text_key(item.title)))
        if found is None:
            return None
        if item.key and found.nr and text_key(found.nr) != text_key(item.key):
            # Same track and title, another key: two initiatives cannot share a row.
            self.problems.append(
                Problem(
                    item.line,
                    translate(
                        N_(
                            "“{title}” in track “{track}” already has the key {other}; "
                            "the file gives it {key}."
                        ),
                        title=item.title,
                        track=item.track,
                        other=found.nr,
                        key=item.key,
                    ),
                )
            )
        return found

    def write(self, item: PlannedInitiative) -> None:
        area = self.area(item.area)
        track = self.track(area, item.track)
        position = self.item_positions[track.id] = self.item_positions.get(track.id, -1) + 1
        initiative = self.find(item, track)
        label = _label(item.area, item.track, item.title)
        if initiative is None:
            self._create(item, area, track, position, label)
            return
        if initiative.id in self.seen:
            self.problems.append(
                Problem(
                    item.line,
                    translate(
                        N_("This row names the same initiative as an earlier row ({label})."),
                        label=label,
                    ),
                )
            )
            return
        self.seen.add(initiative.id)
        self.before.setdefault(initiative.id, snapshot(initiative))
        self._update(initiative, item, area, track, position, label)

    def _create(
        self, item: PlannedInitiative, area: Area, track: Track, position: int, label: str
    ) -> None:
        owner = self.people.get(item.owner_slack_id, item.owner_email)
        self._set_channel(owner, item)
        initiative = Initiative(
            area_id=area.id,
            track_id=track.id,
            title=item.title,
            key=text_key(item.title),
            nr=item.key or None,
            plan=item.plan,
            description=item.description,
            position=position,
            owner_id=owner.id if owner else None,
            active=True,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(initiative)
        self.session.flush()
        self.by_title[(track.id, initiative.key)] = initiative
        if initiative.nr:
            self.by_key[text_key(initiative.nr)] = initiative
        self.seen.add(initiative.id)
        self.before[initiative.id] = None
        self.result.created += 1
        self.result.changes.append(Change("created", item.line, label))

    def _update(
        self,
        initiative: Initiative,
        item: PlannedInitiative,
        area: Area,
        track: Track,
        position: int,
        label: str,
    ) -> None:
        plan = self.plan
        taken = self.by_title.get((track.id, text_key(item.title)))
        if taken is not None and taken.id != initiative.id:
            self.problems.append(
                Problem(
                    item.line,
                    translate(
                        N_(
                            "Track “{track}” already has another initiative “{title}”; "
                            "two initiatives cannot share a title in a track."
                        ),
                        track=item.track,
                        title=item.title,
                    ),
                )
            )
            return
        changed: list[str] = []
        kind = "updated"
        renaming = initiative.track_id != track.id or initiative.title != item.title
        before = registry_label(initiative) if renaming else ""
        # Indexed again under its track and title once they are set.
        self.by_title.pop((initiative.track_id, initiative.key), None)
        if initiative.track_id != track.id:
            old_track = initiative.track
            where = (
                old_track.name
                if old_track.area_id == area.id
                else (f"{old_track.area.name} / {old_track.name}")
            )
            changed.append(translate(N_("moved from {where}"), where=where))
            initiative.area_id, initiative.track_id = area.id, track.id
            initiative.track = track
            kind = "moved"
            self.result.moved += 1
        if initiative.title != item.title:
            changed.append(
                translate(
                    N_("title: {before} → {after}"), before=initiative.title, after=item.title
                )
            )
            initiative.title = item.title
            if kind == "updated":
                kind = "renamed"
            self.result.renamed += 1
        initiative.key = text_key(item.title)
        self.by_title[(track.id, initiative.key)] = initiative
        if kind != "updated":
            action = "initiative.move" if kind == "moved" else "initiative.rename"
            self.renamed.append((initiative, action, before))
        if plan.has("plan") and initiative.plan != item.plan:
            initiative.plan = item.plan
            changed.append(translate(N_("plan")))
        if plan.has("description") and initiative.description != item.description:
            initiative.description = item.description
            changed.append(translate(N_("description")))
        if plan.has("key") and (initiative.nr or "") != item.key:
            if initiative.nr:
                self.by_key.pop(text_key(initiative.nr), None)
            initiative.nr = item.key or None
            if item.key:
                self.by_key[text_key(item.key)] = initiative
            changed.append(translate(N_("key")))
        if plan.has("channel") and plan.has("owner"):
            self._set_channel(self.people.get(item.owner_slack_id, item.owner_email), item)
        if plan.has("owner"):
            owner = self.people.get(item.owner_slack_id, item.owner_email)
            owner_id = owner.id if owner is not None else None
            if initiative.owner_id != owner_id:
                initiative.owner_id = owner_id
                initiative.delegate_id = None  # the delegate was the previous owner's choice
                changed.append(translate(N_("owner")))
        if initiative.position != position:
            initiative.position = position
        if not initiative.active:
            initiative.active = True
            initiative.retired_at = None
            self.result.reactivated += 1
            self.result.changes.append(Change("reactivated", item.line, label, ", ".join(changed)))
        elif changed:
            self.result.updated += 1
            self.result.changes.append(Change(kind, item.line, label, ", ".join(changed)))
        else:
            self.result.unchanged += 1
            self.result.changes.append(Change("unchanged", item.line, label))

    def _set_channel(self, owner: Person | None, item: PlannedInitiative) -> None:
        """The file's ``kanal`` column (when it has one) says how the owner is reached."""
        if owner is not None and self.plan.has("channel") and owner.channel != item.channel:
            owner.channel = item.channel

    def finish(self, retire_missing: bool) -> None:
        """Initiatives of the file's areas that it does not list: retired with
        ``retire_missing``, else kept and listed; unlisted tracks go quiet."""
        for area in self.touched.values():
            for initiative in self.session.scalars(
                select(Initiative)
                .where(Initiative.area_id == area.id, Initiative.active.is_(True))
                .order_by(Initiative.track_id, Initiative.position, Initiative.id)
            ):
                if initiative.id in self.seen:
                    continue
                label = _label(area.name, initiative.track.name, initiative.title)
                if retire_missing:
                    self.before.setdefault(initiative.id, snapshot(initiative))
                    initiative.active = False
                    initiative.retired_at = self.now
                    self.result.retired += 1
                    self.result.changes.append(Change("retired", None, label))
                else:
                    self.result.missing += 1
                    self.result.changes.append(Change("missing", None, label))
            if retire_missing:
                for (area_id, _key), track in list(self.tracks.items()):
                    if area_id == area.id and track.id not in self.seen_tracks:
                        track.active = False


def apply_import(
    session: Session,
    plan: ImportPlan,
    *,
    actor: Actor,
    now: datetime,
    source: str = "",
    team_id: str = "",
    progress: ProgressCallback | None = None,
    retire_missing: bool = False,
) -> ImportResult:
    """Create or update everything in ``plan`` (see the module's rules).
    Flushes, never commits; raises :class:`ImportRejected` when the rows
    contradict the registry (the caller rolls back)."""
    writer = _Writer(session, plan, team_id=team_id, now=now)
    total = len(plan.initiatives)
    for done, item in enumerate(plan.initiatives, start=1):
        writer.write(item)
        if progress is not None:
            progress(done, total)
    if writer.problems:
        problems = sorted(writer.problems, key=lambda p: p.line)
        raise ImportRejected(
            translate(
                N_("The file has problems on {count} line(s); nothing was imported."),
                count=len({p.line for p in problems}),
            ),
            problems,
        )
    writer.finish(retire_missing)
    result = writer.result
    result.changes.sort(key=lambda c: (KINDS.index(c.kind), c.line or 0, c.label))
    result.rounds = reach_rounds(session, writer.before, actor=actor, now=now, team_id=team_id)
    session.flush()
    for initiative, action, before in writer.renamed:
        audit.record(
            session, actor, action, area_id=initiative.area_id, now=now,
            initiative_id=initiative.id, key=initiative.nr, before=before,
            after=registry_label(initiative), file=source,
        )  # fmt: skip
    audit.record(
        session,
        actor,
        "import",
        now=now,
        file=source,
        areas=[a.name for a in writer.touched.values()],
        retire_missing=retire_missing,
        changes=[
            {"kind": c.kind, "line": c.line, "initiative": c.label, "detail": c.detail}
            for c in result.changes
            if c.kind != "unchanged"
        ],
        rounds=[{"kind": r.kind, "cycle": r.cycle_id, "title": r.title} for r in result.rounds],
        **result.counts(),
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
    retire_missing: bool = False,
    encoding: str = "utf-8",
) -> ImportResult:
    """Read, check and apply ``path``. Raises ImportRejected (nothing written)
    when any row is bad."""
    plan = plan_import(read_rows(path, encoding=encoding))
    return apply_import(
        session,
        plan,
        actor=actor,
        now=now,
        source=path.name,
        team_id=team_id,
        progress=progress,
        retire_missing=retire_missing,
    )
