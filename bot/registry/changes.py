"""Changing the registry one initiative at a time, history kept.

An initiative keeps its id through a rename, a move to another track or area
(an area split is moving initiatives into a new area) and a retirement, so
its entries, last known status and red-mark comparison stay with it. Each
change is audited and reaches the round its area is collecting
(:mod:`bot.registry.rounds`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import Conflict, InvalidInput, InvalidState
from bot.registry.identity import text_key
from bot.registry.lengths import too_long
from bot.registry.rounds import RoundChange, Snapshot, reach_rounds, snapshot
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.messages import N_, fail, translate
from storage.models import Area, Initiative, Track


@dataclass
class RegistryChange:
    initiative: Initiative
    before: str  # "Area / Track / Title" before the change
    after: str
    created: list[str] = field(default_factory=list)  # "area X", "track Y" made on the way
    rounds: list[RoundChange] = field(default_factory=list)


def label(initiative: Initiative) -> str:
    track = initiative.track
    return f"{track.area.name} / {track.name} / {initiative.title}"


def _clash(session: Session, track_id: int, key: str, initiative: Initiative) -> None:
    other = session.scalar(
        select(Initiative).where(
            Initiative.track_id == track_id, Initiative.key == key, Initiative.id != initiative.id
        )
    )
    if other is not None:
        raise fail(
            Conflict,
            "Track “{track}” already has an initiative “{title}” (id {other_id}).",
            track=other.track.name,
            title=other.title,
            other_id=other.id,
        )


def _finish(
    session: Session,
    initiative: Initiative,
    old: Snapshot,
    before: str,
    action: str,
    *,
    actor: Actor,
    now: datetime,
    team_id: str,
    created: list[str] | None = None,
    **detail: Any,
) -> RegistryChange:
    initiative.updated_at = now
    session.flush()
    session.refresh(initiative)
    rounds = reach_rounds(session, {initiative.id: old}, actor=actor, now=now, team_id=team_id)
    after = label(initiative)
    audit.record(
        session, actor, action, area_id=initiative.area_id, now=now,
        initiative_id=initiative.id, key=initiative.nr, before=before, after=after,
        rounds=[{"kind": r.kind, "cycle": r.cycle_id} for r in rounds], **detail,
    )  # fmt: skip
    return RegistryChange(initiative, before, after, created or [], rounds)


def rename(
    session: Session,
    initiative: Initiative,
    title: str,
    *,
    actor: Actor,
    now: datetime,
    team_id: str = "",
) -> RegistryChange:
    """Give the initiative a new title; its history stays."""
    title = " ".join(title.split())
    if not title:
        raise fail(InvalidInput, "The new title is empty.")
    if reason := too_long("title", title):
        raise InvalidInput(reason)
    old, before = snapshot(initiative), label(initiative)
    _clash(session, initiative.track_id, text_key(title), initiative)
    initiative.title, initiative.key = title, text_key(title)
    return _finish(
        session, initiative, old, before, "initiative.rename", actor=actor, now=now,
        team_id=team_id, title_before=old.title, title=title,
    )  # fmt: skip


def _area_named(session: Session, name: str, team_id: str, created: list[str]) -> Area:
    key = text_key(name)
    area = session.scalar(select(Area).where(Area.team_id == team_id, Area.key == key))
    if area is None:
        area = Area(team_id=team_id, name=" ".join(name.split()), key=key)
        session.add(area)
        session.flush()
        created.append(translate(N_("area {name}"), name=area.name))
    return area


def _track_named(session: Session, area: Area, name: str, created: list[str]) -> Track:
    key = text_key(name)
    track = session.scalar(select(Track).where(Track.area_id == area.id, Track.key == key))
    if track is None:
        last = session.scalar(select(func.max(Track.position)).where(Track.area_id == area.id))
        position = -1 if last is None else last
        track = Track(area_id=area.id, name=" ".join(name.split()), key=key, position=position + 1)
        session.add(track)
        session.flush()
        created.append(translate(N_("track {name}"), name=track.name))
    track.active = True
    return track


def move(
    session: Session,
    initiative: Initiative,
    *,
    track: str,
    area: str | None = None,
    actor: Actor,
    now: datetime,
    team_id: str = "",
) -> RegistryChange:
    """Move the initiative to ``track`` (of ``area``, default its own); the
    area and track are created when they do not exist (an area split)."""
    if not " ".join(track.split()):
        raise fail(InvalidInput, "Name the track to move the initiative to.")
    for kind, name in (("track", track), ("area", area or "")):
        if reason := too_long(kind, " ".join(name.split())):
            raise InvalidInput(reason)
    old, before = snapshot(initiative), label(initiative)
    created: list[str] = []
    target_area = _area_named(session, area, team_id, created) if area else initiative.track.area
    target = _track_named(session, target_area, track, created)
    if target.id == initiative.track_id:
        raise fail(InvalidInput, "“{title}” is already in that track.", title=initiative.title)
    _clash(session, target.id, initiative.key, initiative)
    last = session.scalar(
        select(func.max(Initiative.position)).where(Initiative.track_id == target.id)
    )
    initiative.area_id, initiative.track_id = target_area.id, target.id
    initiative.position = 0 if last is None else last + 1
    return _finish(
        session, initiative, old, before, "initiative.move", actor=actor, now=now,
        team_id=team_id, created=created,
    )  # fmt: skip


def retire(
    session: Session, initiative: Initiative, *, actor: Actor, now: datetime, team_id: str = ""
) -> RegistryChange:
    """No longer asked about; kept with its history (``restore`` brings it back)."""
    if not initiative.active:
        raise fail(InvalidState, "“{title}” is retired already.", title=initiative.title)
    old, before = snapshot(initiative), label(initiative)
    initiative.active, initiative.retired_at = False, now
    return _finish(
        session, initiative, old, before, "initiative.retire", actor=actor, now=now,
        team_id=team_id,
    )  # fmt: skip


def restore(
    session: Session, initiative: Initiative, *, actor: Actor, now: datetime, team_id: str = ""
) -> RegistryChange:
    if initiative.active:
        raise fail(InvalidState, "“{title}” is not retired.", title=initiative.title)
    old, before = snapshot(initiative), label(initiative)
    _clash(session, initiative.track_id, initiative.key, initiative)
    initiative.active, initiative.retired_at = True, None
    initiative.track.active = True
    return _finish(
        session, initiative, old, before, "initiative.restore", actor=actor, now=now,
        team_id=team_id,
    )  # fmt: skip
