"""The coordinators' section of the App Home, composed into the conversation
engineer's Home through :data:`bot.delivery.surfaces.HOME_SECTIONS`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks import review as rb
from bot.blocks.model import Viewer
from bot.delivery.surfaces import HOME_SECTIONS
from bot.review.i18n import gettext_for
from bot.workflow.permissions import coordinated_area_ids
from handlers.review.views import area_home
from storage.models import Area, Person

MAX_AREAS = 4  # the Home tab holds 100 blocks, shared with the manager's part


def coordinator_section(
    session: Session, person: Person, viewer: Viewer, _slack: rb.Gettext, now: datetime
) -> list[kit.Block]:
    area_ids = coordinated_area_ids(session, person)
    if not area_ids:
        return []
    _ = gettext_for(viewer.locale)
    homes = []
    for area_id in area_ids[:MAX_AREAS]:
        area = session.get(Area, area_id)
        if area is not None:
            homes.append(area_home(session, area, now, _))
    blocks = rb.home_section(homes, viewer, now, _)
    if len(area_ids) > MAX_AREAS:
        blocks.append(
            kit.context(
                _("{n} more areas: use /status compile <area>.").format(n=len(area_ids) - MAX_AREAS)
            )
        )
    return blocks


def register() -> None:
    if coordinator_section not in HOME_SECTIONS:
        HOME_SECTIONS.append(coordinator_section)
