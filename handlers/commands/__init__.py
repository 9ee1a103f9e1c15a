"""The `/status` slash command: a table of sub-commands (see ``registry``)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import kit
from bot.blocks.text import escape
from bot.errors import WorkflowError
from bot.runtime import Deps
from handlers.commands import absence, coordinator, history, manager  # noqa: F401  (register sub-commands)
from handlers.commands.registry import CommandCall, lookup
from handlers.common import Refusal, caller
from storage.db import session_scope

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def status(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        text = str(body.get("text") or "").strip()
        name, _sep, rest = text.partition(" ")
        with session_scope(deps.session_factory) as session:
            who = caller(session, deps, str(body.get("user_id") or ""))
            _ = who._
            sub = lookup(name or "help")
            if sub is None:
                ack(text=escape(_("I don't know “{name}”. Try /status help.").format(name=name)))
                return
            call = CommandCall(
                deps=deps,
                session=session,
                who=who,
                args=rest.split(),
                text=rest.strip(),
                body=body,
                client=client,
                now=deps.clock.now(),
            )
            try:
                reply = sub.run(call)
            except Refusal as refusal:
                session.rollback()
                ack(text=escape(refusal.message))
                return
            except WorkflowError as exc:
                session.rollback()
                ack(text=escape(who.error_text(exc)))
                return
            except SQLAlchemyError:
                session.rollback()
                log.exception("/status %s failed", name)
                ack(text=_("Something went wrong on my side; please try again in a moment."))
                return
        ack(**kit.message(reply.text, reply.blocks or None))

    app.command("/status")(status)
