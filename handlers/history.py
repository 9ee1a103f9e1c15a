"""App Home's history picker: choose one of your initiatives (coordinators:
of your areas) and see its approved statuses in a modal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.history import HISTORY_PICK, history_modal, history_picker
from bot.blocks.items import Gettext
from bot.blocks.model import Viewer
from bot.delivery.surfaces import HOME_SECTIONS
from bot.registry.history import initiative_history
from bot.runtime import Deps
from bot.workflow.permissions import coordinated_area_ids, may_see_history
from handlers.common import caller, client_id, log, tell, user_id_of
from storage.db import session_scope
from storage.models import Initiative, Person, Track


def visible_initiatives(session: Session, person: Person) -> list[tuple[int, str]]:
    """(id, title) of the active initiatives whose history the person may see."""
    areas = coordinated_area_ids(session, person)
    query = (
        select(Initiative.id, Initiative.title)
        .join(Track, Track.id == Initiative.track_id)
        .where(
            Initiative.active.is_(True),
            or_(
                Initiative.owner_id == person.id,
                Initiative.delegate_id == person.id,
                Initiative.area_id.in_(areas),
            ),
        )
        .order_by(Initiative.area_id, Track.position, Initiative.position, Initiative.id)
        .limit(100)
    )
    return [(i, title) for i, title in session.execute(query)]


def history_section(
    session: Session, person: Person, viewer: Viewer, _: Gettext, now: datetime
) -> list[kit.Block]:
    return history_picker(visible_initiatives(session, person), _)


def register(app: App, deps: Deps) -> None:
    if history_section not in HOME_SECTIONS:
        HOME_SECTIONS.append(history_section)

    def ack_now(ack: Ack) -> None:
        ack()

    def open_history(body: dict[str, Any], client: WebClient) -> None:
        action = (body.get("actions") or [{}])[0]
        wanted = client_id((action.get("selected_option") or {}).get("value"))
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            _ = who._
            initiative = session.get(Initiative, wanted)
            if initiative is None or not may_see_history(session, who.person, initiative):
                tell(client, body, _("Sorry, that history is for its owner and coordinators."), _)
                return
            view = history_modal(
                initiative.title, initiative_history(session, initiative), who.viewer, _
            )
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))

    app.action(HISTORY_PICK)(ack=ack_now, lazy=[open_history])
