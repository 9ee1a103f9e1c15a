"""Coordinators' `/status progress` and `/status open <area> <as-of> <deadline> [remind]`."""

from __future__ import annotations

import re
import shlex

from sqlalchemy import select

from bot.blocks import kit, limits
from bot.blocks.messages import progress_blocks
from bot.delivery.surfaces import progress_view
from bot.registry.identity import text_key
from bot.workflow.actor import Actor
from bot.workflow.cycles import current_cycle, open_cycle
from bot.workflow.dates import parse_date, parse_deadline, parse_offsets
from bot.workflow.permissions import coordinated_area_ids, is_coordinator
from handlers.commands.manager import N_
from handlers.commands.registry import CommandCall, Reply, subcommand
from handlers.common import Refusal
from storage.models import Area

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def find_area(call: CommandCall, name: str) -> Area | None:
    return call.session.scalar(
        select(Area).where(Area.team_id == call.deps.team_id, Area.key == text_key(name))
    )


@subcommand(
    "progress",
    usage="/status progress [area]",
    summary=N_("answered and missing per owner in your areas' current cycles"),
    coordinators=True,
    aliases=("status",),
)
def show_progress(call: CommandCall) -> Reply:
    _ = call.who._
    person = call.who.require_person()
    if call.text.strip():
        area = find_area(call, call.text)
        if area is None:
            raise Refusal(_("There is no area called “{name}”.").format(name=call.text.strip()))
        if not is_coordinator(call.session, person, area.id):
            raise Refusal(
                _("Only coordinators of {area} can see its progress.").format(area=area.name)
            )
        area_ids = [area.id]
    else:
        area_ids = coordinated_area_ids(call.session, person)
        if not area_ids:
            raise Refusal(_("Only coordinators can see the progress of a cycle."))
    blocks: list[kit.Block] = []
    for area_id in area_ids:
        cycle = current_cycle(call.session, area_id)
        if cycle is None:
            continue
        blocks.extend(
            progress_blocks(progress_view(call.session, cycle, call.now.date()), call.who.viewer, _)
        )
    if not blocks:
        text = _("None of your areas has a current cycle.")
        return Reply(text=text, blocks=[kit.section(text)])
    return Reply(text=_("Progress"), blocks=blocks[: limits.MESSAGE_MAX_BLOCKS])


def parse_open_args(text: str) -> tuple[str, str, str, str]:
    """``<area words…> <as-of> <deadline [HH:MM]> [remind]`` → the four parts."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    at = next((i for i, w in enumerate(words) if _DATE.match(w)), None)
    if at is None or at == 0 or at + 1 >= len(words):
        raise ValueError
    area, as_of = " ".join(words[:at]), words[at]
    deadline, rest = words[at + 1], words[at + 2 :]
    if rest and _TIME.match(rest[0]):
        deadline, rest = f"{deadline}T{rest[0]}", rest[1:]
    return area, as_of, deadline, ",".join(rest)


@subcommand(
    "open",
    usage="/status open <area> <as-of> <deadline> [3d,1d]",
    summary=N_("open a cycle and send the prompts"),
    coordinators=True,
    aliases=("åbn",),
)
def open_new_cycle(call: CommandCall) -> Reply:
    _ = call.who._
    person = call.who.require_person()
    try:
        area_name, as_of_text, deadline_text, remind_text = parse_open_args(call.text)
    except ValueError:
        raise Refusal(
            _(
                "Usage: /status open <area> <as-of date> <deadline> [reminders], e.g."
                ' /status open "Børn og Unge" 2024-04-01 2024-04-20T12:00 3d,1d'
            )
        ) from None
    area = find_area(call, area_name)
    if area is None:
        raise Refusal(_("There is no area called “{name}”.").format(name=area_name))
    if not is_coordinator(call.session, person, area.id):
        raise Refusal(_("Only coordinators of {area} can open a cycle.").format(area=area.name))
    cycle = open_cycle(
        call.session,
        area_id=area.id,
        as_of=parse_date(as_of_text),
        deadline=parse_deadline(deadline_text, call.deps.settings.zone),
        remind=parse_offsets(remind_text) if remind_text else None,
        title=None,
        actor=Actor.of(person),
        now=call.now,
    )
    call.session.commit()
    text = _(
        "Cycle {id} is open for {area} (as of {as_of}, deadline {deadline});"
        " the prompts are on their way."
    ).format(
        id=cycle.id,
        area=area.name,
        as_of=cycle.as_of.isoformat(),
        deadline=kit.fmt_datetime(cycle.deadline, call.who.viewer.tz, call.who.viewer.locale),
    )
    return Reply(text=text)
