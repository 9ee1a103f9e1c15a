"""Registry changes reaching the round an area is collecting.

Take a :func:`snapshot` of every initiative before changing it, change it,
then call :func:`reach_rounds`. In the collecting cycle of the area it is in
now, an active initiative gets its entry (a new one, or its withdrawn one
back) and its owner and delegate are asked: their prompt refreshed in place,
or a new DM. An initiative retired or moved out of the area is *withdrawn*
from that area's round: nobody is asked or reminded any more, its buttons say
so, the report leaves it out and the coordinator's draft summary lists it.
A new owner is asked and the previous one told where it went; a rename or a
new track shows at once in the prompts and the App Home. Every change to a
round is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.web.links import revoke_unowned
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.cycles import collecting_cycle
from storage import outbox
from storage.models import Cycle, CycleState, Entry, Initiative, Person, PromptMessage

NOTICE_KIND = "registry_notice"
# Cycles whose entries follow the registry's plan (until approved).
PLAN_FOLLOWING = (CycleState.COLLECTING, CycleState.CLOSED, CycleState.IN_REVIEW)


@dataclass(frozen=True)
class Snapshot:
    area_id: int
    track_id: int
    title: str
    active: bool
    owner_id: int | None
    delegate_id: int | None


def snapshot(initiative: Initiative) -> Snapshot:
    return Snapshot(
        initiative.area_id,
        initiative.track_id,
        initiative.title,
        initiative.active,
        initiative.owner_id,
        initiative.delegate_id,
    )


@dataclass(frozen=True)
class RoundChange:
    """What a registry change did to a collecting round."""

    kind: str  # "joined", "withdrawn", "owner", "shown"
    initiative_id: int
    cycle_id: int
    title: str


def _entry(session: Session, cycle: Cycle, initiative: Initiative) -> Entry | None:
    return session.scalar(
        select(Entry).where(Entry.cycle_id == cycle.id, Entry.initiative_id == initiative.id)
    )


class _Round:
    """The asking and telling one registry change causes, queued as jobs."""

    def __init__(self, session: Session, now: datetime, team_id: str) -> None:
        self.session, self.now, self.team_id = session, now, team_id
        self._cycles: dict[int, Cycle | None] = {}
        # Cycle id → people an item left (their personal links may go).
        self.left: dict[int, set[int]] = {}

    def lost(self, cycle: Cycle, person_ids: Iterable[int | None]) -> None:
        self.left.setdefault(cycle.id, set()).update(p for p in person_ids if p is not None)

    def collecting(self, area_id: int) -> Cycle | None:
        """The area's collecting cycle, looked up once per change (an import
        reaches every initiative of its areas)."""
        if area_id not in self._cycles:
            self._cycles[area_id] = collecting_cycle(self.session, area_id)
        return self._cycles[area_id]

    def has_prompt(self, cycle: Cycle, person_id: int) -> bool:
        return (
            self.session.scalar(
                select(PromptMessage.id)
                .where(PromptMessage.cycle_id == cycle.id, PromptMessage.person_id == person_id)
                .limit(1)
            )
            is not None
        )

    def show(self, cycle: Cycle, person_ids: Iterable[int | None]) -> None:
        """Bring these people's prompts and App Home up to date."""
        from bot.delivery.refresh import queue_home, queue_refresh

        people = [p for p in dict.fromkeys(person_ids) if p is not None]
        queue_refresh(
            self.session, cycle_id=cycle.id, person_ids=list(people), now=self.now,
            team_id=self.team_id,
        )  # fmt: skip
        for person_id in people:
            queue_home(self.session, person_id=person_id, now=self.now, team_id=self.team_id)

    def ask(self, cycle: Cycle, entry: Entry, person_ids: Iterable[int | None]) -> None:
        """Ask about ``entry``: refresh an existing prompt, else a new DM."""
        from bot.delivery.prompts import enqueue_prompt

        for person_id in dict.fromkeys(person_ids):
            if person_id is None:
                continue
            if self.has_prompt(cycle, person_id):
                self.show(cycle, [person_id])
                continue
            person = self.session.get(Person, person_id)
            if person is not None:
                # ``refresh``: their first prompt may go out between now and then.
                enqueue_prompt(
                    self.session, cycle, person, now=self.now, refresh=True,
                    key_suffix=f":registry:{entry.id}:{int(self.now.timestamp())}",
                )  # fmt: skip

    def tell(self, cycle: Cycle, person_id: int | None, what: str, **params: object) -> None:
        """A short DM to someone whose item left their list (``what``: "moved", "withdrawn")."""
        if person_id is None:
            return
        outbox.enqueue(
            self.session,
            NOTICE_KIND,
            {"cycle_id": cycle.id, "person_id": person_id, "what": what, **params},
            due_at=self.now,
            dedupe_key=f"{NOTICE_KIND}:{cycle.id}:{person_id}:{what}:{params.get('initiative_id')}"
            f":{int(self.now.timestamp())}"[:200],
            cycle_id=cycle.id,
            team_id=self.team_id,
        )


def reach_rounds(
    session: Session,
    before: dict[int, Snapshot | None],
    *,
    actor: Actor,
    now: datetime,
    team_id: str = "",
) -> list[RoundChange]:
    """Carry the changes of the initiatives in ``before`` (id → snapshot taken
    before the change; None for a new initiative) into collecting rounds.
    Flushes, never commits."""
    session.flush()
    work = _Round(session, now, team_id)
    changes: list[RoundChange] = []
    for initiative_id, old in before.items():
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            continue
        _sync_plans(session, initiative)
        if old is not None:
            changes += _leave(session, work, initiative, old, actor=actor, now=now)
        if initiative.active:
            changes += _join(session, work, initiative, old, actor=actor, now=now)
    session.flush()
    for cycle_id, people in work.left.items():
        revoke_unowned(
            session, cycle_id=cycle_id, person_ids=people, reason="no longer asked", now=now
        )
    return changes


def _sync_plans(session: Session, initiative: Initiative) -> None:
    """Unfinished cycles report the registry's plan."""
    for entry in session.scalars(
        select(Entry)
        .join(Cycle, Cycle.id == Entry.cycle_id)
        .where(Entry.initiative_id == initiative.id, Cycle.state.in_(PLAN_FOLLOWING))
    ):
        if entry.plan != initiative.plan:
            entry.plan = initiative.plan


def _leave(
    session: Session,
    work: _Round,
    initiative: Initiative,
    old: Snapshot,
    *,
    actor: Actor,
    now: datetime,
) -> list[RoundChange]:
    """Withdraw the initiative from the round of the area it left (or from
    its area's round when retired)."""
    if initiative.active and initiative.area_id == old.area_id:
        return []
    cycle = work.collecting(old.area_id)
    if cycle is None:
        return []
    entry = _entry(session, cycle, initiative)
    if entry is None or entry.withdrawn_at is not None:
        return []
    entry.withdrawn_at = now
    reason = "retired" if not initiative.active else "moved"
    work.lost(cycle, (old.owner_id, old.delegate_id))
    work.show(cycle, [old.owner_id, old.delegate_id])
    for person_id in dict.fromkeys((old.owner_id, old.delegate_id)):
        work.tell(
            cycle, person_id, "withdrawn", initiative_id=initiative.id, title=old.title,
            reason=reason,
        )  # fmt: skip
    audit.record(
        session, actor, "round.withdraw", area_id=old.area_id, cycle_id=cycle.id, now=now,
        initiative_id=initiative.id, title=old.title, reason=reason, answered=entry.answered,
    )  # fmt: skip
    return [RoundChange("withdrawn", initiative.id, cycle.id, old.title)]


def _join(
    session: Session,
    work: _Round,
    initiative: Initiative,
    old: Snapshot | None,
    *,
    actor: Actor,
    now: datetime,
) -> list[RoundChange]:
    cycle = work.collecting(initiative.area_id)
    if cycle is None:
        return []
    people = (initiative.owner_id, initiative.delegate_id)
    entry = _entry(session, cycle, initiative)
    if entry is None or entry.withdrawn_at is not None:
        if entry is None:
            entry = Entry(cycle_id=cycle.id, initiative_id=initiative.id, plan=initiative.plan)
            session.add(entry)
        entry.withdrawn_at = None
        session.flush()
        work.ask(cycle, entry, people)
        audit.record(
            session, actor, "round.join", area_id=initiative.area_id, cycle_id=cycle.id,
            now=now, initiative_id=initiative.id, title=initiative.title,
        )  # fmt: skip
        return [RoundChange("joined", initiative.id, cycle.id, initiative.title)]
    if old is None:
        return []
    changes: list[RoundChange] = []
    if old.owner_id != initiative.owner_id:
        work.lost(cycle, (old.owner_id, old.delegate_id))
        work.ask(cycle, entry, people)
        work.show(cycle, [old.owner_id, old.delegate_id])
        new_owner = session.get(Person, initiative.owner_id) if initiative.owner_id else None
        work.tell(
            cycle, old.owner_id, "moved", initiative_id=initiative.id, title=initiative.title,
            owner_user=new_owner.slack_user_id if new_owner else None,
            owner=new_owner.label if new_owner else None,
        )  # fmt: skip
        audit.record(
            session, actor, "round.owner", area_id=initiative.area_id, cycle_id=cycle.id,
            now=now, initiative_id=initiative.id, title=initiative.title,
            owner_before=old.owner_id, owner=initiative.owner_id,
        )  # fmt: skip
        changes.append(RoundChange("owner", initiative.id, cycle.id, initiative.title))
    elif old.delegate_id != initiative.delegate_id:
        work.lost(cycle, [old.delegate_id])
        work.show(cycle, [old.delegate_id])
    if old.title != initiative.title or old.track_id != initiative.track_id:
        work.show(cycle, people)
        changes.append(RoundChange("shown", initiative.id, cycle.id, initiative.title))
    return changes
