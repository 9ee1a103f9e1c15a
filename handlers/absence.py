"""App Home's absence part: the "Record an absence…" button, its small form,
and the line saying you are away. The rules: :mod:`bot.workflow.absence`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.absence import (
    AWAY_OPEN,
    AWAY_VIEW,
    FIELD_BLOCKS,
    PERSON_BLOCK,
    away_button,
    away_modal,
    away_text,
    read_away,
)
from bot.blocks.items import Gettext
from bot.blocks.modals import state_values_of
from bot.blocks.model import Viewer
from bot.delivery.absence import record_absence
from bot.delivery.refresh import queue_home
from bot.delivery.surfaces import HOME_SECTIONS, away_views, person_by_slack_id
from bot.errors import WorkflowError
from bot.runtime import Deps, wake_scheduler
from bot.workflow.actor import Actor
from bot.workflow.dates import parse_date
from bot.workflow.permissions import coordinated_area_ids
from handlers.common import caller, log, user_id_of
from storage.db import session_scope
from storage.models import Person


def absence_section(
    session: Session, person: Person, viewer: Viewer, _: Gettext, now: datetime
) -> list[kit.Block]:
    """Your leave today (if any) and the button to record one."""
    blocks: list[kit.Block] = [kit.divider()]
    away = away_views(session, [person.id], now.astimezone(viewer.tz).date()).get(person.id)
    if away is not None:
        blocks.append(kit.context(_("You are {away}.").format(away=away_text(away, viewer, _))))
    blocks.append(away_button(_))
    return blocks


def register(app: App, deps: Deps) -> None:
    if absence_section not in HOME_SECTIONS:
        HOME_SECTIONS.append(absence_section)

    def ack_now(ack: Ack) -> None:
        ack()

    def open_form(body: dict[str, Any], client: WebClient) -> None:
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            for_others = bool(coordinated_area_ids(session, who.person))
            view = away_modal(who._, for_others=for_others)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))

    def submit(ack: Ack, body: dict[str, Any]) -> None:
        values = read_away(state_values_of(body.get("view") or {}))
        now = deps.clock.now()
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            _ = who._
            if who.person is None:
                message = _("You are not registered in statusbot.")
                ack(response_action="errors", errors={FIELD_BLOCKS["from"]: message})
                return
            try:
                person = who.person
                if values["person"] and values["person"] != who.user_id:
                    person = person_by_slack_id(session, deps.team_id, values["person"])
                    if person is None:
                        message = _("That colleague is not registered in statusbot.")
                        ack(response_action="errors", errors={PERSON_BLOCK: message})
                        return
                stand_in = None
                if values["stand_in"]:
                    stand_in = person_by_slack_id(session, deps.team_id, values["stand_in"])
                    if stand_in is None:
                        stand_in = Person(
                            team_id=deps.team_id, slack_user_id=values["stand_in"], created_at=now
                        )
                        session.add(stand_in)
                        session.flush()
                record_absence(
                    session, Actor.of(who.person), person,
                    starts_on=parse_date(values["from"] or "", field="from"),
                    ends_on=parse_date(values["to"] or "", field="to"),
                    stand_in=stand_in, zone=deps.settings.zone, now=now,
                )  # fmt: skip
                queue_home(session, person_id=who.person.id, now=now, team_id=deps.team_id)
            except WorkflowError as exc:
                session.rollback()
                block = FIELD_BLOCKS.get(exc.field or "", FIELD_BLOCKS["from"])
                ack(response_action="errors", errors={block: who.error_text(exc)})
                return
        wake_scheduler(deps)
        ack()

    app.action(AWAY_OPEN)(ack=ack_now, lazy=[open_form])
    app.view(AWAY_VIEW)(submit)
