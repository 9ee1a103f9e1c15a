"""``statusbot person away|back|absences``: a person's leave and stand-in
(:mod:`bot.workflow.absence`). The running bot does the rest: the stand-in's
prompts on the first day away, the person's own on their return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from storage.models import Absence


from bot.cli.helpers import (
    PERSON_HELP,
    TeamOption,
    command_context,
    command_group,
    console,
    say,
    t,
    table,
    usage_value,
)

UserArg = Annotated[
    str, typer.Argument(metavar="EMAIL|USER", help="The person: e-mail or Slack user ID.")
]


def away_label(absence: Absence) -> str:
    """``away until 2027-03-12 (stand-in: Jens Bach)``, as `cycle show` prints it."""
    if absence.stand_in is not None:
        return t("away until {date} (stand-in: {name})", date=absence.ends_on.isoformat(),
                 name=absence.stand_in.label)  # fmt: skip
    return t("away until {date} (no stand-in)", date=absence.ends_on.isoformat())


def away(
    user: UserArg,
    starts: Annotated[str, typer.Option("--from", help="First day away (YYYY-MM-DD).")],
    ends: Annotated[str, typer.Option("--to", help="Last day away (YYYY-MM-DD).")],
    stand_in: Annotated[
        str | None,
        typer.Option("--stand-in", help="Who gets the prompts and reminders meanwhile."),
    ] = None,
    team: TeamOption = "",
) -> None:
    """Record a leave: prompts and reminders go to the stand-in meanwhile."""
    from bot.clock import SystemClock
    from bot.delivery.absence import record_absence
    from bot.workflow.actor import Actor
    from bot.workflow.dates import parse_date
    from bot.workflow.people import find_person

    with command_context() as ctx:
        first = usage_value(parse_date, starts, field="from")
        last = usage_value(parse_date, ends, field="to")
        now = SystemClock().now()
        zone = ctx.settings.zone
        with ctx.session() as session:
            person = find_person(session, user, team_id=team)
            deputy = find_person(session, stand_in, team_id=team) if stand_in else None
            absence = record_absence(
                session, Actor.cli(), person, starts_on=first, ends_on=last, stand_in=deputy,
                zone=zone, now=now,
            )  # fmt: skip
            label, deputy_label, number = person.label, deputy.label if deputy else None, absence.id
    if deputy_label:
        say("{person} is away from {start} to {end}; stand-in: {stand_in} (absence {id}).",
            person=label, start=first.isoformat(), end=last.isoformat(),
            stand_in=deputy_label, id=number)  # fmt: skip
    else:
        say("{person} is away from {start} to {end}, with no stand-in (absence {id}); "
            "their reminders wait until they are back, and the coordinators are told.",
            person=label, start=first.isoformat(), end=last.isoformat(), id=number)  # fmt: skip


def back(
    user: UserArg,
    absence: Annotated[
        int | None,
        typer.Option("--absence", metavar="ID", help="Which absence (default: current or next)."),
    ] = None,
    team: TeamOption = "",
) -> None:
    """Cancel a person's current or coming absence (it stays in the history)."""
    from bot.clock import SystemClock
    from bot.delivery.absence import cancel_now
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_person

    with command_context() as ctx:
        now = SystemClock().now()
        with ctx.session() as session:
            person = find_person(session, user, team_id=team)
            found = cancel_now(
                session, Actor.cli(), person, absence, zone=ctx.settings.zone, now=now
            )
            label, first, last = person.label, found.starts_on, found.ends_on
    say("Cancelled the absence of {person} ({start} to {end}).", person=label,
        start=first.isoformat(), end=last.isoformat())  # fmt: skip


def absences(
    user: Annotated[
        str | None, typer.Argument(metavar="[EMAIL|USER]", help="Only this person.")
    ] = None,
    team: TeamOption = "",
) -> None:
    """Every recorded absence (cancelled ones too), oldest first."""
    from sqlalchemy import select

    from bot.workflow.absence import absences_of
    from bot.workflow.people import find_person
    from storage.models import Person

    with command_context() as ctx, ctx.session() as session:
        if user:
            people = [find_person(session, user, team_id=team)]
        else:
            people = list(
                session.scalars(select(Person).where(Person.team_id == team).order_by(Person.id))
            )
        rows = table(t("id"), t("person"), t("from"), t("to"), t("stand-in"), t("set by"),
                     t("state"))  # fmt: skip
        found = 0
        for person in people:
            for item in absences_of(session, person):
                found += 1
                state = (
                    t(
                        "cancelled {when}",
                        when=item.cancelled_at.astimezone(ctx.settings.zone).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                    )
                    if item.cancelled_at
                    else ""
                )
                rows.add_row(
                    str(item.id), person.label, item.starts_on.isoformat(),
                    item.ends_on.isoformat(), item.stand_in.label if item.stand_in else "—",
                    item.set_by_label or "", state,
                )  # fmt: skip
        if not found:
            say("No absences recorded.")
            return
        console.print(rows)


def register(app: typer.Typer) -> None:
    group = command_group(app, "person", PERSON_HELP)
    group.command("away")(away)
    group.command("back")(back)
    group.command("absences")(absences)
