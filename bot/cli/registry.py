"""``statusbot initiative list|rename|move|retire|restore``: the registry, one
initiative at a time, history kept (:mod:`bot.registry.changes`).

INITIATIVE is its key (``SOC-07``), its id (``12``) or its title; ``--area``
narrows a title. Every change is audited; ``--dry-run`` shows it and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.helpers import TeamOption, command_context, console, say, t, table
from bot.clock import SystemClock
from bot.workflow.messages import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.registry.changes import RegistryChange
    from bot.workflow.actor import Actor
    from storage.models import Initiative

initiative_app = typer.Typer(
    help="The registry, one initiative at a time (history kept).", no_args_is_help=True
)

InitiativeArg = Annotated[
    str, typer.Argument(metavar="INITIATIVE", help="The initiative's key, id or title.")
]
AreaFilter = Annotated[
    str | None, typer.Option("--area", help="Area name or id (narrows a title).")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]


@initiative_app.command("list")
def list_(area: AreaFilter = None, team: TeamOption = "") -> None:
    """Initiatives with their key, id, owner and state, in report order."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from bot.workflow.people import find_area
    from storage.models import Area, Initiative, Track

    with command_context() as ctx, ctx.session() as session:
        query = (
            select(Initiative)
            .join(Track, Track.id == Initiative.track_id)
            .join(Area, Area.id == Initiative.area_id)
            .where(Area.team_id == team)
            .order_by(Area.name, Track.position, Initiative.position, Initiative.id)
            .options(selectinload(Initiative.owner), selectinload(Initiative.delegate))
        )
        if area:
            query = query.where(Initiative.area_id == find_area(session, area, team_id=team).id)
        rows = table(
            t("key"),
            t("id"),
            t("area"),
            t("track"),
            t("initiative"),
            t("owner"),
            t("delegate"),
            t("state"),
        )
        found = list(session.scalars(query))
        for initiative in found:
            track = initiative.track
            rows.add_row(
                initiative.nr or "",
                str(initiative.id),
                track.area.name,
                track.name,
                initiative.title,
                initiative.owner.label if initiative.owner else "",
                initiative.delegate.label if initiative.delegate else "",
                t("active") if initiative.active else t("retired"),
            )
        if not found:
            say("No initiatives yet. Use `statusbot import FILE`.")
            return
        console.print(rows)


def _run(
    ref: str,
    area: str | None,
    team: str,
    dry_run: bool,
    change: Callable[[Session, Initiative, Actor, datetime], RegistryChange],
    verb: str,
) -> None:
    from bot.registry.identity import find_initiative
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area

    with command_context() as ctx:
        with ctx.session() as session:
            area_id = find_area(session, area, team_id=team).id if area else None
            initiative = find_initiative(session, ref, team_id=team, area_id=area_id)
            result = change(session, initiative, Actor.cli(), SystemClock().now())
            lines = _describe(result, verb, dry_run)
            if dry_run:
                session.rollback()
        for line in lines:  # after the commit: a closed pipe loses nothing
            console.print(line, markup=False, soft_wrap=True)


# What each command did, and would do (--dry-run), to the initiative.
_DONE = {
    "rename": (N_("Renamed: {label}"), N_("Would rename: {label}")),
    "move": (N_("Moved: {label}"), N_("Would move: {label}")),
    "retire": (N_("Retired: {label}"), N_("Would retire: {label}")),
    "restore": (N_("Restored: {label}"), N_("Would restore: {label}")),
}


def _describe(result: RegistryChange, verb: str, dry_run: bool) -> list[str]:
    done, would = _DONE[verb]
    lines = [t(would if dry_run else done, label=result.before)]
    if result.after != result.before:
        lines.append(f"  → {result.after}")
    made = N_("  would create {thing}") if dry_run else N_("  created {thing}")
    lines += [t(made, thing=thing) for thing in result.created]
    lines += [
        t("  cycle {id}: {change}", id=r.cycle_id, change=round_text(r.kind)) for r in result.rounds
    ]
    if dry_run:
        lines.append(t("Dry run: nothing was changed."))
    return lines


# What a registry change did to a collecting round (bot.registry.rounds), in words.
_ROUND_TEXTS = {
    "joined": N_("joins the collecting round; its owner is asked"),
    "withdrawn": N_("withdrawn from the collecting round; nobody is asked about it any more"),
    "owner": N_("the new owner is asked, the previous one told"),
    "shown": N_("prompts and App Home show the change"),
}


def round_text(kind: str) -> str:
    text = _ROUND_TEXTS.get(kind)
    return t(text) if text else kind


@initiative_app.command("rename")
def rename_(
    initiative: InitiativeArg,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="The new title.")],
    area: AreaFilter = None,
    dry_run: DryRun = False,
    team: TeamOption = "",
) -> None:
    """Give an initiative a new title; its history and red marks stay."""
    from bot.registry.changes import rename

    _run(
        initiative, area, team, dry_run,
        lambda s, i, actor, now: rename(s, i, title, actor=actor, now=now, team_id=team),
        "rename",
    )  # fmt: skip


@initiative_app.command("move")
def move_(
    initiative: InitiativeArg,
    track: Annotated[str, typer.Option("--track", help="The track to move it to.")],
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="The area to move it to (created if new: an area split); default its own.",
        ),
    ] = None,
    dry_run: DryRun = False,
    team: TeamOption = "",
) -> None:
    """Move an initiative to another track, or another area; history stays."""
    from bot.registry.changes import move

    _run(
        initiative, None, team, dry_run,
        lambda s, i, actor, now: move(
            s, i, track=track, area=area, actor=actor, now=now, team_id=team
        ),
        "move",
    )  # fmt: skip


def _state_command(name: str, doc: str) -> None:
    """``retire`` and ``restore`` (the function of that name in
    :mod:`bot.registry.changes`): the same arguments, one change each."""

    def command(
        initiative: InitiativeArg,
        area: AreaFilter = None,
        dry_run: DryRun = False,
        team: TeamOption = "",
    ) -> None:
        from bot.registry import changes

        change: Callable[..., RegistryChange] = getattr(changes, name)
        _run(
            initiative, area, team, dry_run,
            lambda s, i, actor, now: change(s, i, actor=actor, now=now, team_id=team),
            name,
        )  # fmt: skip

    command.__doc__ = doc
    initiative_app.command(name)(command)


_state_command("retire", "Stop asking about an initiative; it keeps its history (see restore).")
_state_command("restore", "Bring a retired initiative back (it joins a collecting round).")


def register(app: typer.Typer) -> None:
    app.add_typer(initiative_app, name="initiative")
