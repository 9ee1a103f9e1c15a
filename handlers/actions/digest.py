"""The digest's **Remind now** button (coordinators of the cycle's area only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.delivery.reminders import remind_now
from bot.runtime import Deps
from bot.workflow.permissions import is_coordinator
from handlers.common import Refusal, caller, tell, user_id_of
from storage.db import session_scope
from storage.models import Cycle, CycleState


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def remind(body: dict[str, Any], client: WebClient) -> None:
        now = deps.clock.now()
        cycle_id = ids.decode_cycle((body.get("actions") or [{}])[0].get("value"))
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            _ = who._
            try:
                person = who.require_person()
                cycle = session.get(Cycle, cycle_id) if cycle_id else None
                if cycle is None:
                    raise Refusal(_("This button does not belong to any cycle I know."))
                if not is_coordinator(session, person, cycle.area_id):
                    raise Refusal(_("Only the area's coordinators can send reminders."))
                if cycle.state != CycleState.COLLECTING:
                    raise Refusal(_("This cycle no longer takes answers, so nobody is reminded."))
                count = remind_now(session, cycle, now)
            except Refusal as refusal:
                tell(client, body, refusal.message, _)
                return
            text = (
                _("Reminders are on their way to {count} people.").format(count=count)
                if count
                else _("Everyone has answered; nobody needs a reminder.")
            )
        tell(client, body, text, _)

    app.action(ids.REMIND_NOW)(ack=ack_now, lazy=[remind])
