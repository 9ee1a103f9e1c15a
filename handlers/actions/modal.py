"""The update modal's "Add another text box" button: the same modal with one
more box, keeping what was typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids, limits
from bot.blocks.modals import UpdateForm, read_update, state_values_of, update_modal
from bot.runtime import Deps
from handlers.common import Refusal, caller, entry_from_value, log, tell, user_id_of
from storage.db import session_scope


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def add_box(body: dict[str, Any], client: WebClient) -> None:
        view = body.get("view") or {}
        meta = ids.load_metadata(view.get("private_metadata"))
        ref = ids.EntryRef(int(meta.get("c", 0) or 0), int(meta.get("e", 0) or 0)).encode()
        typed = read_update(state_values_of(view))
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, user_id_of(body))
            try:
                entry = entry_from_value(session, who, ref)
            except Refusal as refusal:
                tell(client, body, refusal.message, who._)
                return
            initiative = entry.initiative
            boxes = min(
                limits.MODAL_MAX_BOXES, max(int(meta.get("n", 1) or 1), len(typed.parts)) + 1
            )
            form = UpdateForm(
                entry_id=entry.id,
                cycle_id=entry.cycle_id,
                initiative=initiative.title,
                track=initiative.track.name,
                area=entry.cycle.area.name,
                markup="",
                phase=typed.phase,
                note=typed.note,
                boxes=boxes,
                parts=tuple(typed.parts),
                from_home=bool(meta.get("h")),
            )
            new_view = update_modal(form, who._)
        try:
            client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=new_view)
        except SlackApiError as exc:
            log.warning("views.update failed: %s", exc.response.get("error"))

    app.action(ids.MODAL_ADD_BOX)(ack=ack_now, lazy=[add_box])
