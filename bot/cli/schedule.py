"""``statusbot schedule set/show/clear``: an area's recurring rounds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from bot.workflow.schedules import RoundPlan, ScheduleView
    from storage.models import ScheduledRound


from bot.cli.helpers import TeamOption, command_context, say, t, usage_value
from bot.workflow.messages import N_

schedule_app = typer.Typer(
    help="Recurring rounds: when each area's round opens by itself.", no_args_is_help=True
)

AreaOption = Annotated[str, typer.Option("--area", help="Area name or id.")]


def _next_line(plan: RoundPlan | None, zone: ZoneInfo) -> None:
    if plan is None:
        say("  next round: none planned")
        return
    say(
        "  next round: opens {opens}, as of {as_of}, deadline {deadline}",
        opens=plan.opens_on.isoformat(),
        as_of=plan.as_of.isoformat(),
        deadline=plan.deadline.astimezone(zone).date().isoformat(),
    )
    if plan.state == "postponed":  # RoundState.POSTPONED
        say("  (postponed from {day})", day=plan.planned_on.isoformat())


def _print_view(view: ScheduleView, zone: ZoneInfo) -> None:
    spec = view.spec
    say(
        "{area}: as of {as_of}, opens {days} days before, {answer} working days to answer, "
        "reminders {remind}",
        area=view.area,
        as_of=spec.as_of_text,
        days=spec.open_before_days,
        answer=spec.answer_days,
        remind=spec.reminders if spec.reminders is not None else t("the area's default"),
    )
    _next_line(view.next, zone)


@schedule_app.command("set")
def schedule_set(
    area: AreaOption,
    as_of: Annotated[
        str,
        typer.Option("--as-of", help="As-of dates of the year as MM-DD, e.g. 03-31,09-30."),
    ],
    open_before: Annotated[
        str,
        typer.Option("--open-before", help="How long before the as-of date it opens: 14d, 2w."),
    ],
    answer_days: Annotated[
        int, typer.Option("--answer-days", help="Danish working days owners have to answer.")
    ],
    remind: Annotated[
        str | None,
        typer.Option(
            "--remind", help="Reminders before the deadline, e.g. 3d,1d (default: the area's)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of each round's report.")
    ] = None,
    team: TeamOption = "",
) -> None:
    """Give an area a schedule: its rounds open by themselves (replaces any schedule it had)."""
    from bot.clock import SystemClock
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area
    from bot.workflow.schedules import parse_schedule, set_schedule

    with command_context() as ctx:
        spec = usage_value(
            parse_schedule,
            as_of=as_of,
            open_before=open_before,
            answer_days=answer_days,
            remind=remind,
            title=title,
        )
        with ctx.session() as session:
            found = find_area(session, area, team_id=team)
            view = set_schedule(
                session,
                area_id=found.id,
                spec=spec,
                actor=Actor.cli(),
                now=SystemClock().now(),
                zone=ctx.settings.zone,
            )
            say("Schedule saved.")
            _print_view(view, ctx.settings.zone)


@schedule_app.command("show")
def schedule_show(
    area: Annotated[str | None, typer.Option("--area", help="Only this area.")] = None,
    team: TeamOption = "",
) -> None:
    """Per area: the schedule, the next opening date, as-of date and deadline, and
    the rounds postponed, skipped or refused."""
    from sqlalchemy import select

    from bot.clock import SystemClock
    from bot.workflow.people import find_area
    from bot.workflow.schedules import decided_rounds, schedule_view
    from storage.models import Area

    with command_context() as ctx, ctx.session() as session:
        zone = ctx.settings.zone
        now = SystemClock().now()
        if area:
            areas = [find_area(session, area, team_id=team)]
        else:
            areas = list(
                session.scalars(select(Area).where(Area.team_id == team).order_by(Area.name))
            )
        shown = 0
        for found in areas:
            view = schedule_view(session, found, now, zone)
            if view is None:
                if area:
                    say("{area} has no schedule.", area=found.name)
                continue
            shown += 1
            _print_view(view, zone)
            for row in decided_rounds(session, found.id):
                _print_decided(row)
        if not shown and not area:
            say("No area has a schedule. Set one with `statusbot schedule set`.")


# How ``schedule show`` lists a round that was decided on (by RoundState value).
_DECIDED = {
    "skipped": N_("  skipped: the round as of {as_of} ({who}, {day})"),
    "postponed": N_("  postponed: the round as of {as_of} to {opens} ({who}, {day})"),
    "opened": N_("  opened: the round as of {as_of} (cycle {cycle}, {who}, {day})"),
    "failed": N_("  did not open: the round as of {as_of}: {reason}"),
}


def _print_decided(row: ScheduledRound) -> None:
    line = _DECIDED.get(str(row.state))
    if line is None:
        return
    say(
        line,
        as_of=row.as_of.isoformat(),
        opens=row.opens_on.isoformat(),
        cycle=row.cycle_id or "?",
        who=row.decided_by or "?",
        day=row.decided_at.date().isoformat() if row.decided_at else "?",
        reason=row.reason or "?",
    )


@schedule_app.command("clear")
def schedule_clear(area: AreaOption, team: TeamOption = "") -> None:
    """Remove an area's schedule: its next round will not open by itself."""
    from bot.clock import SystemClock
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area
    from bot.workflow.schedules import clear_schedule

    with command_context() as ctx, ctx.session() as session:
        found = find_area(session, area, team_id=team)
        cleared = clear_schedule(
            session,
            area_id=found.id,
            actor=Actor.cli(),
            now=SystemClock().now(),
            zone=ctx.settings.zone,
        )
        say(
            "Removed the schedule of {area} (as of {as_of}, opens {days} days before, "
            "{answer} working days to answer).",
            area=cleared.area,
            as_of=cleared.spec.as_of_text,
            days=cleared.spec.open_before_days,
            answer=cleared.spec.answer_days,
        )
        if cleared.next is not None:
            say(
                "The round as of {as_of}, planned to open {opens}, will not open by itself.",
                as_of=cleared.next.as_of.isoformat(),
                opens=cleared.next.opens_on.isoformat(),
            )


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
