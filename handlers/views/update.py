"""Submitting the status modal.

Validation and storing happen before the acknowledgement, because problems go
back in it as ``response_action: errors`` next to the field — the modal stays
open with everything the manager typed. Updating the prompts runs afterwards
(lazy listener).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import ids, limits
from bot.blocks.modals import read_update
from bot.errors import WorkflowError
from bot.runtime import Deps
from bot.workflow.actor import Actor
from bot.workflow.entries import submit_update
from handlers.common import Refusal, caller, check_revision_allowed, entry_from_value, log
from handlers.refresh import after_answer
from storage.db import session_scope
from storage.richtext import StatusText

FIRST_BOX = ids.STATUS_BLOCK.format(0)
SAVED_KEY = "statusbot_saved_entry"
HOME_KEY = "statusbot_from_home"
_FIELD_BLOCKS = {"status": FIRST_BOX, "phase": ids.PHASE_BLOCK, "note": ids.NOTE_BLOCK}


def register(app: App, deps: Deps) -> None:
    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body.get("view") or {}
        meta = ids.load_metadata(view.get("private_metadata"))
        ref = ids.EntryRef(int(meta.get("c", 0) or 0), int(meta.get("e", 0) or 0)).encode()
        form = read_update((view.get("state") or {}).get("values") or {})
        now = deps.clock.now()
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, str((body.get("user") or {}).get("id") or ""))
            _ = who._
            errors: dict[str, str] = {}
            for block_id in form.too_long:
                errors[block_id] = _("At most {limit} characters here.").format(
                    limit=limits.INPUT_MAX_CHARS
                )
            try:
                status = StatusText.from_markup(form.markup)
            except ValidationError:
                status = StatusText()
                errors[FIRST_BOX] = _(
                    "The text is too long for one status (a paragraph may have at most"
                    " 20,000 characters, a status at most 500 paragraphs)."
                )
            if not status and not errors:
                errors[FIRST_BOX] = _("Write the status here, or close this and press “No change”.")
            if errors:
                ack(response_action="errors", errors=errors)
                return
            try:
                entry = entry_from_value(session, who, ref)
                check_revision_allowed(session, who, entry, now)
                submit_update(
                    session,
                    entry_id=entry.id,
                    actor=Actor.of(who.require_person()),
                    status=status,
                    phase=form.phase,
                    note=form.note,
                    now=now,
                )
                session.commit()
            except Refusal as refusal:
                ack(response_action="errors", errors={FIRST_BOX: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                block = _FIELD_BLOCKS.get(exc.field or "", FIRST_BOX)
                message = who.error_text(exc)
                if exc.code == "conflict":
                    message += " " + _("Your text is still here: press Save again.")
                ack(response_action="errors", errors={block: message})
                return
            except SQLAlchemyError:
                session.rollback()
                log.exception("saving a status failed")
                ack(
                    response_action="errors",
                    errors={
                        FIRST_BOX: _(
                            "Your status could not be saved just now. Your text is still here:"
                            " please press Save again in a moment."
                        )
                    },
                )
                return
            context[SAVED_KEY] = entry.id
            context[HOME_KEY] = bool(meta.get("h"))
        ack()

    def refresh(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        entry_id = context.get(SAVED_KEY)
        if entry_id:
            home = bool(context.get(HOME_KEY))
            after_answer(deps, client, body, int(entry_id), confirm=False, home=home)

    app.view(ids.UPDATE_VIEW)(ack=submit, lazy=[refresh])
