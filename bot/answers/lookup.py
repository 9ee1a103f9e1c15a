"""Naming an initiative of a cycle at the command line or in a spreadsheet.

An initiative's number (``nr``) is its stable registry key (``SOC-07``,
:mod:`bot.registry.identity`); one without a key is numbered ``#`` + its id
(``#12``, the id ``statusbot initiative list`` shows), which the registry's
resolver reads as an id and no free-text key can shadow. A typed name is
resolved by that same resolver, so a renamed or moved initiative is still
found by its key, and then matched to its entry in the cycle.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.answers.texts import t
from bot.errors import InvalidState, NotFound
from bot.registry.identity import find_initiative
from storage.models import Cycle, Entry, Initiative, Track


def initiative_number(initiative: Initiative) -> str:
    """The ``nr`` an operator gives for an initiative: its key, else ``#id``."""
    return initiative.nr or f"#{initiative.id}"


def check_not_withdrawn(entry: Entry) -> None:
    """:class:`InvalidState` for an entry withdrawn from its round (the
    initiative was retired or moved to another area while the round ran)."""
    if entry.withdrawn_at is None:
        return
    raise InvalidState(
        t(
            "“{title}” (nr {nr}) was withdrawn from cycle {cycle} (retired or moved to another "
            "area while the round ran); no answer can be recorded for it. "
            "`statusbot initiative restore` brings a retired one back.",
            title=entry.initiative.title,
            nr=initiative_number(entry.initiative),
            cycle=entry.cycle_id,
        ),
        field="initiative",
    )


class CycleEntries:
    """A cycle's entries in report order (without those withdrawn from the
    round), found by key, ``#id`` or title."""

    def __init__(self, session: Session, cycle: Cycle) -> None:
        self.session = session
        self.cycle = cycle
        every = list(
            session.scalars(
                select(Entry)
                .join(Initiative, Initiative.id == Entry.initiative_id)
                .join(Track, Track.id == Initiative.track_id)
                .where(Entry.cycle_id == cycle.id)
                .order_by(Track.position, Initiative.position, Entry.id)
                .options(
                    selectinload(Entry.initiative).selectinload(Initiative.track),
                    selectinload(Entry.initiative).selectinload(Initiative.owner),
                )
            )
        )
        self._by_initiative = {e.initiative_id: e for e in every}
        self.entry_ids = {e.id for e in every}
        self.entries: list[Entry] = [e for e in every if e.withdrawn_at is None]

    def find(self, text: str) -> Entry:
        """The entry of the initiative ``text`` names (see
        :func:`bot.registry.identity.find_initiative`; a title is looked for in
        the cycle's area first). The resolver's errors; :class:`NotFound` when
        the initiative is not in this cycle; :class:`InvalidState` when it was
        withdrawn from the round."""
        team_id = self.cycle.area.team_id
        try:
            initiative = find_initiative(
                self.session, text, team_id=team_id, area_id=self.cycle.area_id
            )
        except NotFound:
            # Its key or id still names it after a move to another area.
            initiative = find_initiative(self.session, text, team_id=team_id)
        entry = self._by_initiative.get(initiative.id)
        if entry is None:
            raise NotFound(
                t(
                    "“{title}” (nr {nr}) is not in cycle {cycle} ({area}).",
                    title=initiative.title,
                    nr=initiative_number(initiative),
                    cycle=self.cycle.id,
                    area=self.cycle.area.name,
                ),
                field="initiative",
            )
        check_not_withdrawn(entry)
        return entry
