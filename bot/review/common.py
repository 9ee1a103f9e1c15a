"""Shared checks of the review services: loading, permissions, draft numbers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import NotFound, PermissionDenied
from bot.i18n import normalise_locale
from bot.review.errors import StaleDraft
from bot.review.i18n import gettext_for
from bot.workflow import permissions
from bot.workflow.actor import Actor
from bot.workflow.messages import area_not_found, current_locale, cycle_not_found
from storage.models import Area, Cycle, Entry

Gettext = Callable[[str], str]


def locale_of(actor: Actor, locale: str | None) -> str:
    """The language for messages to ``actor``: explicit, else theirs, else the default."""
    if locale:
        return normalise_locale(locale)
    if actor.person is not None and actor.person.locale:
        return normalise_locale(actor.person.locale)
    return current_locale()


def texts(actor: Actor, locale: str | None) -> Gettext:
    return gettext_for(locale_of(actor, locale))


def load_cycle(session: Session, cycle_id: int, *, lock: bool = False) -> Cycle:
    """The cycle; with ``lock`` its row is locked first and the cycle read
    fresh, so actions that decide on its state (approve, send back) take
    turns instead of each deciding on what it read before the other wrote."""
    if lock:
        lock_cycle(session, cycle_id)
    cycle = session.get(Cycle, cycle_id, populate_existing=lock)
    if cycle is None:
        raise cycle_not_found(cycle_id)
    return cycle


def lock_cycle(session: Session, cycle_id: int) -> None:
    """Hold the cycle's row until the transaction ends: ``SELECT … FOR UPDATE``
    on PostgreSQL; on SQLite, which locks the whole database for a writer, a
    write that changes nothing takes that lock (and :mod:`storage.db`'s writer
    lock) now rather than at the first real write."""
    table = Cycle.__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(table.c.id == cycle_id).values(version=table.c.version))
    else:
        session.execute(select(table.c.id).where(table.c.id == cycle_id).with_for_update())


def load_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise area_not_found(area_id)
    return area


def load_entry(session: Session, entry_id: int, _: Gettext) -> Entry:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound(_("There is no entry {id}.").format(id=entry_id))
    return entry


def may_coordinate(session: Session, actor: Actor, area_id: int) -> bool:
    if actor.is_operator:
        return True
    return actor.person is not None and permissions.is_coordinator(session, actor.person, area_id)


def require_coordinator(session: Session, actor: Actor, area: Area, _: Gettext) -> None:
    """Coordinators of the area, admins and the CLI operator pass; anyone else is refused."""
    if not may_coordinate(session, actor, area.id):
        raise PermissionDenied(
            _("Only the coordinators of {area} (or an administrator) may do this.").format(
                area=area.name
            )
        )


def check_draft(cycle: Cycle, draft_number: int | None, _: Gettext) -> None:
    """Refuse an action taken on a draft that a newer compilation replaced."""
    if draft_number is None or draft_number == cycle.draft_number:
        return
    raise StaleDraft(
        _(
            "Draft {old} is out of date: draft {new} is the latest. "
            "Look at the new draft before you act."
        ).format(old=draft_number, new=cycle.draft_number),
        cycle_id=cycle.id,
        current_draft=cycle.draft_number,
    )
