"""`/status away <from> <to> [@stand-in]` (coordinators: `/status away @person
<from> <to> [@stand-in]`) and `/status away cancel [@person]`. The rules are in
:mod:`bot.workflow.absence`; this only reads the words and answers."""

from __future__ import annotations

import re

from bot.blocks import kit
from bot.blocks.absence import away_text
from bot.blocks.text import escape
from bot.delivery.absence import cancel_now, record_absence
from bot.delivery.surfaces import away_view
from bot.runtime import wake_scheduler
from bot.workflow.absence import absences_of
from bot.workflow.actor import Actor
from bot.workflow.dates import parse_date
from bot.workflow.people import find_named_person
from handlers.commands.manager import N_
from handlers.commands.registry import CommandCall, Reply, subcommand
from handlers.common import Refusal
from storage.models import Person

_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
CANCEL = ("cancel", "annullér", "annuller", "back", "tilbage")


def _usage(call: CommandCall) -> Refusal:
    return Refusal(
        call.who._(
            "Usage: /status away <first day> <last day> [@stand-in], e.g. /status away "
            "2027-03-29 2027-04-09 @lene (coordinators: /status away @person …; "
            "/status away cancel ends a leave)."
        )
    )


def _list_mine(call: CommandCall, person: Person) -> Reply:
    _ = call.who._
    today = call.now.astimezone(call.who.viewer.tz).date()
    lines = []
    for absence in absences_of(call.session, person, include_cancelled=False):
        if absence.ends_on < today:
            continue
        view = away_view(absence)
        start = kit.fmt_date(absence.starts_on, call.who.viewer.locale)
        lines.append(
            _("From {date}: {away}").format(date=start, away=away_text(view, call.who.viewer, _))
        )
    text = "\n".join(lines) if lines else _("You have no absence recorded.")
    return Reply(text=text, blocks=[kit.section(text)])


@subcommand(
    "away",
    usage="/status away <from> <to> [@stand-in]",
    summary=N_("record a leave: your prompts and reminders go to the stand-in meanwhile"),
    aliases=("fravær", "ferie"),
)
def away(call: CommandCall) -> Reply:
    _ = call.who._
    me = call.who.require_person()
    words = call.args
    if not words:
        return _list_mine(call, me)
    team = call.deps.team_id
    zone = call.deps.settings.zone
    actor = Actor.of(me)
    if words[0].casefold() in CANCEL:
        person = find_named_person(call.session, words[1], team_id=team) if words[1:] else me
        absence = cancel_now(call.session, actor, person, None, zone=zone, now=call.now)
        call.session.commit()
        wake_scheduler(call.deps)
        text = _("Cancelled the absence of {person} ({start} to {end}).").format(
            person=escape(person.label),
            start=kit.fmt_date(absence.starts_on, call.who.viewer.locale),
            end=kit.fmt_date(absence.ends_on, call.who.viewer.locale),
        )
        return Reply(text=text)
    person = me
    if not _DATE.match(words[0]):
        person = find_named_person(call.session, words[0], team_id=team)
        words = words[1:]
    if len(words) not in (2, 3):
        raise _usage(call)
    first = parse_date(words[0], field="from")
    last = parse_date(words[1], field="to")
    stand_in = find_named_person(call.session, words[2], team_id=team) if len(words) == 3 else None
    absence = record_absence(
        call.session, actor, person, starts_on=first, ends_on=last, stand_in=stand_in,
        zone=zone, now=call.now,
    )  # fmt: skip
    call.session.commit()
    wake_scheduler(call.deps)
    view = away_view(absence)
    text = _("Recorded: {person} is {away}, from {start}.").format(
        person=f"<@{person.slack_user_id}>" if person.slack_user_id else escape(person.label),
        away=away_text(view, call.who.viewer, _),
        start=kit.fmt_date(absence.starts_on, call.who.viewer.locale),
    )
    return Reply(text=text, blocks=[kit.section(text)])
