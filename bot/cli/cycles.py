"""``statusbot cycle open/list/show/close/reopen``."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.answers.texts import with_post_state
from bot.cli.absence import away_label
from bot.cli.helpers import (
    CycleArgument,
    CycleOption,
    TeamOption,
    command_context,
    console,
    pick_cycle,
    say,
    t,
    table,
    usage_value,
)
from bot.clock import SystemClock
from bot.workflow.dates import parse_date, parse_deadline, parse_offsets
from bot.workflow.messages import N_, translate

cycle_app = typer.Typer(help="Open, follow and close reporting cycles.", no_args_is_help=True)


def _local(moment, zone) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


# By storage.models.EntrySource's values (not imported here: see bot/cli/__init__.py).
_SOURCES = {
    "pending": N_("pending"),
    "answer": N_("answer"),
    "carry_forward": N_("no change"),
    "coordinator": N_("coordinator"),
    "import": N_("import"),
}


def source_label(source: str) -> str:
    """Where an entry's status came from, in the configured language."""
    label = _SOURCES.get(source)
    return t(label) if label else str(source)


@cycle_app.command("open")
def cycle_open(
    area: Annotated[str, typer.Option("--area", help="Area name or id.")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="The date the status is reported for, e.g. 2024-04-01.")
    ],
    deadline: Annotated[
        str,
        typer.Option(
            "--deadline",
            help="When answers are due, e.g. 2024-03-15T12:00 (in STATUSBOT_TIMEZONE "
            "unless it has an offset; a bare date means 23:59 that day).",
        ),
    ],
    remind: Annotated[
        str | None,
        typer.Option(
            "--remind",
            help="Reminders before the deadline, e.g. 3d,1d,2h,30m (default: the area's).",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the report.")] = None,
    team: TeamOption = "",
) -> None:
    """Open a reporting cycle and queue the prompts.

    Every active initiative of the area gets an entry; the running bot sends the
    prompts and reminders. The new cycle's id is printed alone on the last line.
    """
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import open_cycle
    from bot.workflow.people import find_area

    with command_context() as ctx:
        zone = ctx.settings.zone
        as_of_date = usage_value(parse_date, as_of, field="as_of")
        deadline_at = usage_value(parse_deadline, deadline, zone)
        offsets = usage_value(parse_offsets, remind) if remind is not None else None
        with ctx.session() as session:
            found = find_area(session, area, team_id=team)
            cycle = open_cycle(
                session,
                area_id=found.id,
                as_of=as_of_date,
                deadline=deadline_at,
                remind=offsets,
                title=title,
                actor=Actor.cli(),
                now=SystemClock().now(),
            )
            entries = len(cycle.entries)
            say(
                "Opened cycle {cycle} for {area}: {entries} initiatives, deadline {deadline} "
                "({zone}), reminders {reminders}.",
                cycle=cycle.id,
                area=found.name,
                entries=entries,
                deadline=_local(cycle.deadline, zone),
                zone=ctx.settings.timezone,
                reminders=cycle.reminder_offsets or t("none"),
            )
            say("Prompts are queued; a running `statusbot serve` sends them.")
        typer.echo(str(cycle.id))


@cycle_app.command("list")
def cycle_list(
    area: Annotated[str | None, typer.Option("--area", help="Only this area.")] = None,
    team: TeamOption = "",
) -> None:
    """All cycles (of the workspace) with their state and how many have answered."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from bot.review.publish import unposted
    from bot.review.states import state_label
    from bot.workflow.cycles import answer_counts
    from bot.workflow.people import find_area
    from storage.models import Area, Cycle

    with command_context() as ctx, ctx.session() as session:
        zone = ctx.settings.zone
        query = (
            select(Cycle)
            .join(Cycle.area)
            .where(Area.team_id == team)
            .options(selectinload(Cycle.area))
            .order_by(Cycle.id)
        )
        if area:
            query = query.where(Cycle.area_id == find_area(session, area, team_id=team).id)
        cycles = list(session.scalars(query))
        if not cycles:
            say("No cycles yet. Open one with `statusbot cycle open`.")
            return
        counts = answer_counts(session, [c.id for c in cycles])
        rows = table(
            t("id"),
            t("area"),
            t("title"),
            t("as of"),
            t("deadline"),
            t("state"),
            t("answered"),
            right=(t("id"), t("answered")),
        )
        posts = unposted(session, [c.id for c in cycles])
        for cycle in cycles:
            state = with_post_state(state_label(cycle.state, translate), posts.get(cycle.id))
            state += t(" (baseline)") if cycle.is_baseline else ""
            rows.add_row(
                str(cycle.id),
                cycle.area.name,
                cycle.title or "",
                cycle.as_of.isoformat(),
                _local(cycle.deadline, zone),
                state,
                t("{answered} of {total}", answered=counts[cycle.id][0], total=counts[cycle.id][1]),
            )
        console.print(rows)


@cycle_app.command("show")
def cycle_show(cycle_id: CycleArgument = None, cycle: CycleOption = None) -> None:
    """A cycle's details, response progress per owner and each initiative's state."""
    from sqlalchemy import select

    from bot.answers.lookup import initiative_number
    from bot.review.publish import unposted
    from bot.review.states import state_label
    from bot.workflow.absence import away_on
    from bot.workflow.cycles import get_cycle, progress
    from storage.models import Entry, Initiative, Track
    from storage.types import utcnow

    chosen = pick_cycle(cycle_id, cycle)
    with command_context() as ctx, ctx.session() as session:
        zone = ctx.settings.zone
        found = get_cycle(session, chosen)
        report = progress(session, found.id)
        console.print(
            t("Cycle {cycle} — {area}", cycle=found.id, area=found.area.name)
            + (f" — {found.title}" if found.title else ""),
            style="bold",
            markup=False,
        )
        say(
            "state {state}, as of {as_of}, deadline {deadline} ({zone}), reminders {reminders}, "
            "opened by {who} {opened}",
            state=with_post_state(
                state_label(found.state, translate), unposted(session, [found.id]).get(found.id)
            ),
            as_of=found.as_of.isoformat(),
            deadline=_local(found.deadline, zone),
            zone=ctx.settings.timezone,
            reminders=found.reminder_offsets or t("none"),
            who=found.opened_by or "?",
            opened=_local(found.opened_at, zone),
        )
        say(
            "answered {answered} of {total} ({carried} carried forward), missing {missing}",
            answered=report.answered,
            total=report.total,
            carried=report.carried_forward,
            missing=report.missing,
        )
        owners = table(
            t("owner"),
            t("answered"),
            t("missing"),
            title=t("Per owner"),
            right=(t("answered"), t("missing")),
        )
        away = away_on(
            session,
            [r.person_id for r in report.per_owner if r.person_id is not None],
            utcnow().astimezone(zone).date(),
        )
        for row in report.per_owner:
            label = row.label
            if row.person_id in away:
                label += " — " + away_label(away[row.person_id])
            owners.add_row(label, str(len(row.answered)), str(len(row.missing)))
        console.print(owners)

        entries = session.execute(
            select(Entry, Initiative, Track)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Track, Track.id == Initiative.track_id)
            .where(Entry.cycle_id == found.id)
            .order_by(Track.position, Initiative.position, Entry.id)
        ).all()
        rows = table(
            t("entry"),
            t("nr"),
            t("track"),
            t("initiative"),
            t("owner"),
            t("answer"),
            t("phase"),
            t("answered at"),
            title=t("Initiatives"),
        )
        for entry, initiative, track in entries:
            rows.add_row(
                str(entry.id),
                initiative_number(initiative),
                track.name,
                initiative.title,
                initiative.owner.label if initiative.owner else "—",
                t("withdrawn") if entry.withdrawn_at is not None else source_label(entry.source),
                entry.phase or "",
                _local(entry.answered_at, zone),
            )
        console.print(rows)


@cycle_app.command("close")
def cycle_close(cycle_id: CycleArgument = None, cycle: CycleOption = None) -> None:
    """Stop collecting answers; queued prompts and reminders are cancelled."""
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import close_cycle, progress

    chosen = pick_cycle(cycle_id, cycle)
    with command_context() as ctx, ctx.session() as session:
        closed = close_cycle(session, cycle_id=chosen, actor=Actor.cli(), now=SystemClock().now())
        report = progress(session, closed.id)
        say(
            "Closed cycle {cycle}: {answered} of {total} answered.",
            cycle=closed.id,
            answered=report.answered,
            total=report.total,
        )


@cycle_app.command("reopen")
def cycle_reopen(
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (audited).")],
    cycle_id: CycleArgument = None,
    cycle: CycleOption = None,
) -> None:
    """Take a closed, in-review or approved cycle back to collecting answers."""
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import reopen_cycle

    chosen = pick_cycle(cycle_id, cycle)
    with command_context() as ctx, ctx.session() as session:
        reopened = reopen_cycle(
            session, cycle_id=chosen, actor=Actor.cli(), reason=reason, now=SystemClock().now()
        )
        say("Reopened cycle {cycle}; it is collecting answers again.", cycle=reopened.id)


def register(app: typer.Typer) -> None:
    app.add_typer(cycle_app, name="cycle")
