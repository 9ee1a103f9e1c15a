"""Submitting the status modal.

Validation and storing happen before the acknowledgement, because problems go
back in it as ``response_action: errors`` next to the field — the modal stays
open with everything the manager typed. Refreshing the prompts (and the App
Home) is queued in the same transaction and runs after the acknowledgement.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import ids, limits
from bot.blocks.items import Gettext
from bot.blocks.modals import UpdateSubmission, read_update, state_values_of, status_block_of
from bot.delivery.answers import Answer, record_if_plain
from bot.errors import WorkflowError
from bot.runtime import Deps, wake_scheduler
from bot.workflow.actor import Actor
from bot.workflow.entries import submit_update
from handlers.common import (
    Refusal,
    caller,
    check_revision_allowed,
    client_id,
    default_texts,
    entry_from_value,
    log,
)
from handlers.refresh import queue_followups
from handlers.submissions import remember, replayed, submission_key
from storage.db import session_scope
from storage.richtext import StatusText


def _unavailable(_: Gettext) -> str:
    return _(
        "Your status could not be saved just now. Your text is still here:"
        " please press Save again in a moment."
    )


# A field's error goes here; the status's (and any other) to the form's status box.
_FIELD_BLOCKS = {"phase": ids.PHASE_BLOCK, "note": ids.NOTE_BLOCK}


def _form_ok(form: UpdateSubmission) -> bool:
    """The form has a status within the limits (else the full path explains)."""
    if form.too_long:
        return False
    try:
        return bool(StatusText.from_markup(form.markup))
    except ValidationError:
        return False


def register(app: App, deps: Deps) -> None:
    def submit(ack: Ack, body: dict[str, Any]) -> None:
        try:
            save(ack, body)
        except SQLAlchemyError:
            # The database does not answer at all (not even to find the caller).
            log.exception("saving a status failed")
            _ = default_texts(deps)
            field = status_block_of(state_values_of(body.get("view")))
            ack(response_action="errors", errors={field: _unavailable(_)})

    def save(ack: Ack, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        meta = ids.load_metadata(view.get("private_metadata"))
        entry_ref = ids.EntryRef(client_id(meta.get("c")), client_id(meta.get("e")))
        ref = entry_ref.encode()
        form = read_update(state_values_of(view))
        now = deps.clock.now()
        user_id = str((body.get("user") or {}).get("id") or "")
        seen = submission_key(view)
        with session_scope(deps.session_factory) as session:
            if _form_ok(form):
                answer = Answer(
                    entry_id=entry_ref.entry_id,
                    cycle_id=entry_ref.cycle_id,
                    user_id=user_id,
                    at=now,
                    markup=form.markup,
                    phase=form.phase,
                    note=form.note,
                    home=bool(meta.get("h")),
                )
                if record_if_plain(session, answer, team_id=deps.team_id, key=seen):
                    wake_scheduler(deps)
                    ack()  # recorded (or a repeated delivery of it): applied at once
                    return
            # Anything but the ordinary answer: the full rules, here, with errors.
            who = caller(session, deps, user_id)
            _ = who._
            errors: dict[str, str] = {}
            for block_id in form.too_long:
                limit = limits.RICH_INPUT_MAX_CHARS if form.rich else limits.INPUT_MAX_CHARS
                if block_id == ids.NOTE_BLOCK:
                    limit = limits.INPUT_MAX_CHARS
                errors[block_id] = _("At most {limit} characters here.").format(limit=limit)
            try:
                status = StatusText.from_markup(form.markup)
            except ValidationError:
                status = StatusText()
                errors[form.status_block] = _(
                    "The text is too long for one status (a paragraph may have at most"
                    " 20,000 characters, a status at most 120,000 characters or 500 paragraphs)."
                )
            if not status and not errors:
                errors[form.status_block] = _(
                    "Write the status here, or close this and press “No change”."
                )
            if errors:
                ack(response_action="errors", errors=errors)
                return
            if replayed(session, seen):
                ack()  # this very submission was stored before (a repeated delivery)
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
                queue_followups(
                    session,
                    entry,
                    now,
                    team_id=deps.team_id,
                    home_of=who.person if meta.get("h") else None,
                )
                remember(session, seen, now)  # committed with the answer: once, or not at all
                session.commit()
            except Refusal as refusal:
                ack(response_action="errors", errors={form.status_block: refusal.message})
                return
            except WorkflowError as exc:
                session.rollback()
                if replayed(session, seen):
                    ack()  # a concurrent copy of this submission stored it
                    return
                block = _FIELD_BLOCKS.get(exc.field or "", form.status_block)
                message = who.error_text(exc)
                if exc.code == "conflict":
                    message += " " + _("Your text is still here: press Save again.")
                ack(response_action="errors", errors={block: message})
                return
            except SQLAlchemyError:
                session.rollback()
                if replayed(session, seen):
                    ack()  # a concurrent copy of this submission stored it
                    return
                log.exception("saving a status failed")
                ack(response_action="errors", errors={form.status_block: _unavailable(_)})
                return
        wake_scheduler(deps)
        ack()

    app.view(ids.UPDATE_VIEW)(submit)
