"""Naming an initiative of a cycle at the command line or in a spreadsheet.

One place decides what an initiative's number (``nr``) is and how a typed
name is matched, so both can move to the registry's stable keys in one step.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.answers.texts import t
from bot.errors import InvalidInput, NotFound
from storage.models import Cycle, Entry, Initiative, Track


def initiative_number(initiative: Initiative) -> str:
    """The ``nr`` an operator gives for an initiative (its id until stable keys exist)."""
    return str(initiative.id)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


class CycleEntries:
    """A cycle's entries in report order, found by number or by title."""

    def __init__(self, session: Session, cycle: Cycle) -> None:
        self.cycle = cycle
        self.entries: list[Entry] = list(
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
        self._by_number = {_folded(initiative_number(e.initiative)): e for e in self.entries}
        self._by_title: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self._by_title.setdefault(_folded(entry.initiative.title), []).append(entry)

    def find(self, text: str) -> Entry:
        """The entry of the initiative numbered or titled ``text`` (case and
        spacing ignored); :class:`NotFound` or, for a title shared by several
        initiatives, :class:`InvalidInput` naming their numbers."""
        key = _folded(text)
        found = self._by_number.get(key)
        if found is not None:
            return found
        matches = self._by_title.get(key, []) if key else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            choices = ", ".join(
                f"{initiative_number(e.initiative)} ({e.initiative.track.name})" for e in matches
            )
            raise InvalidInput(
                t(
                    "“{value}” is the title of several initiatives in cycle {cycle}: {choices}. "
                    "Give the number (nr) instead.",
                    value=text,
                    cycle=self.cycle.id,
                    choices=choices,
                ),
                field="initiative",
            )
        raise NotFound(
            t(
                "Cycle {cycle} has no initiative “{value}”; give its number (nr, as in "
                "`statusbot answers export`) or its exact title.",
                value=text,
                cycle=self.cycle.id,
            ),
            field="initiative",
        )
