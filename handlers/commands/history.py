"""`/status history <initiative>`: one initiative's approved statuses, newest
first, for its owner and its area's coordinators (others are politely refused)."""

from __future__ import annotations

from bot.blocks.history import history_message
from bot.errors import NotFound
from bot.registry.history import initiative_history
from bot.registry.identity import find_initiative
from bot.workflow.permissions import may_see_history
from handlers.commands.manager import N_
from handlers.commands.registry import CommandCall, Reply, subcommand
from handlers.common import Refusal


@subcommand(
    "history",
    usage="/status history <initiative>",
    summary=N_("every approved status of one of your initiatives, with what changed"),
    aliases=("historik",),
)
def show_history(call: CommandCall) -> Reply:
    _ = call.who._
    person = call.who.require_person()
    if not call.text.strip():
        raise Refusal(_("Usage: /status history <initiative>: its key, id or title."))
    try:
        initiative = find_initiative(call.session, call.text, team_id=call.deps.team_id)
    except NotFound:
        raise Refusal(
            _("I know no initiative “{name}”; use its key, id or title.").format(name=call.text)
        ) from None
    if not may_see_history(call.session, person, initiative):
        raise Refusal(
            _(
                "Sorry, the history of “{title}” is for its owner and its area's coordinators only."
            ).format(title=initiative.title)
        )
    rows = initiative_history(call.session, initiative)
    message = history_message(initiative.title, rows, call.who.viewer, _)
    return Reply(text=message["text"], blocks=message["blocks"])
