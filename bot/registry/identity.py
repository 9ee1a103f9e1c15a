"""Which initiative: by its stable key (``nr``), its id, or its title.

:func:`find_initiative` is the one resolver for everything that names an
initiative on the command line (``initiative rename``, ``entry set
--initiative NR|TITLE`` …): a clear error when nothing or several match.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, NotFound
from bot.workflow.messages import fail
from storage.models import Area, Initiative

MAX_NR = 100


def text_key(value: str) -> str:
    """The comparison key of a name or key: spaces collapsed, case folded."""
    return " ".join(value.split()).casefold()


def team_initiatives(session: Session, team_id: str = "") -> list[Initiative]:
    return list(
        session.scalars(
            select(Initiative)
            .join(Area, Area.id == Initiative.area_id)
            .where(Area.team_id == team_id)
            .order_by(Initiative.id)
        )
    )


def by_nr(session: Session, team_id: str = "") -> dict[str, Initiative]:
    """The workspace's initiatives with a key, by :func:`text_key` of the key."""
    return {text_key(i.nr): i for i in team_initiatives(session, team_id) if i.nr}


def describe(initiative: Initiative) -> str:
    """ "SOC-07 · Area / Track / Title (id 12)" — for lists and errors."""
    key = f"{initiative.nr} · " if initiative.nr else ""
    area = initiative.track.area.name
    return f"{key}{area} / {initiative.track.name} / {initiative.title} (id {initiative.id})"


def find_initiative(
    session: Session, ref: str, *, team_id: str = "", area_id: int | None = None
) -> Initiative:
    """The initiative ``ref`` names: its key (``SOC-07``), its id (``12`` or
    ``#12``), or its title (case and spacing ignored; ``area_id`` narrows).
    A key wins over an id, an id over a title. Raises :class:`NotFound` or,
    when a title fits several, :class:`InvalidInput` listing them."""
    wanted = text_key(ref)
    if not wanted:
        raise fail(InvalidInput, "Name an initiative by its key, id or title.")
    candidates = [
        i for i in team_initiatives(session, team_id) if area_id is None or i.area_id == area_id
    ]
    for initiative in candidates:
        if initiative.nr and text_key(initiative.nr) == wanted:
            return initiative
    number = wanted.removeprefix("#")
    if number.isdigit():
        for initiative in candidates:
            if initiative.id == int(number):
                return initiative
    titled = [i for i in candidates if text_key(i.title) == wanted]
    if len(titled) == 1:
        return titled[0]
    if titled:
        active = [i for i in titled if i.active]
        if len(active) == 1:
            return active[0]
        raise fail(
            InvalidInput,
            "“{ref}” fits {count} initiatives; name one by its key or id: {choices}.",
            ref=ref,
            count=len(titled),
            choices="; ".join(describe(i) for i in titled),
        )
    raise fail(
        NotFound,
        "No initiative has the key, id or title “{ref}”; `statusbot initiative list` shows them.",
        ref=ref,
    )
