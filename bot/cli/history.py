"""``statusbot initiative history NR|TITLE [--area AREA]``: every approved
status of one initiative by as-of date, newest first, with what changed each
time (:func:`bot.registry.history.initiative_history`).

Marks read without colour too: ``[+new text+]`` and ``[-removed text-]``
inside a status, and at the start of each report's line ``*`` (the text
changed), ``=`` (unchanged), ``+`` (the first status), ``!`` (no answer that
round). In a terminal the new text is green and underlined, the removed red
and struck through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.text import Text

    from bot.registry.history import HistoryRow
    from reports.model import MarkedBlock


from bot.cli.helpers import TeamOption, command_context, console, say, t
from bot.i18n import translator
from bot.workflow.messages import N_, current_locale

ADDED = ("[+", "+]")
REMOVED = ("[-", "-]")
ROW_MARKS = {"changed": "*", "same": "=", "first": "+", "missed": "!"}
_STATES = {
    "approved": N_("approved"),
    "published": N_("published"),
    "baseline": N_("baseline"),
}


def row_kind(row: HistoryRow) -> str:
    if row.status is None:
        return "missed"
    if row.first:
        return "first"
    return "changed" if row.changed else "same"


def block_text(block: MarkedBlock) -> Text:
    """One paragraph or list item with its changes marked (colour and ASCII)."""
    from rich.text import Text

    if block.kind == "li":
        prefix = "- "
    elif block.kind == "ol":
        prefix = f"{block.number}{block.delim} "
    else:
        prefix = ""
    text = Text("    " + prefix)
    for segment in block.segments:
        if segment.deleted:
            text.append(REMOVED[0] + segment.text + REMOVED[1], style="red strike")
        elif segment.changed:
            text.append(ADDED[0] + segment.text + ADDED[1], style="green underline")
        else:
            text.append(segment.text)
    return text


def row_lines(row: HistoryRow) -> list[Text]:
    from rich.text import Text

    from bot.blocks.modals import phase_label

    kind = row_kind(row)
    state = t(_STATES["baseline"]) if row.baseline else t(_STATES.get(row.state, row.state))
    head = Text(f"{ROW_MARKS[kind]} {row.as_of.isoformat()}  ", style="bold")
    head.append(f"{row.area} / {row.track} / {row.title}")
    head.append("  " + t("({state}, cycle {id})", state=state, id=row.cycle_id), style="dim")
    lines = [head]
    for step in row.steps:
        verb = t("renamed") if step.action == "initiative.rename" else t("moved")
        lines.append(Text(f"    {verb}: {step.before} → {step.after}", style="yellow"))
    if row.status is None:
        lines.append(Text("    " + t("no answer in this round"), style="italic"))
        return lines
    if row.phase:
        gettext = translator("slack", current_locale()).gettext
        lines.append(Text("    " + t("phase: {phase}", phase=phase_label(row.phase, gettext))))
    if kind == "same":
        lines.append(Text("    " + t("(unchanged since the report before)"), style="dim"))
    lines.extend(block_text(b) for b in row.marked)
    return lines


def history(
    initiative: Annotated[
        str, typer.Argument(metavar="NR|TITLE", help="The initiative's key, id or title.")
    ],
    area: Annotated[
        str | None, typer.Option("--area", help="Area name or id (narrows a title).")
    ] = None,
    team: TeamOption = "",
) -> None:
    """Every approved status of an initiative by as-of date, newest first, with what changed."""
    from rich.text import Text

    from bot.registry.history import initiative_history, registry_steps
    from bot.registry.identity import find_initiative
    from bot.workflow.people import find_area

    with command_context() as ctx, ctx.session() as session:
        area_id = find_area(session, area, team_id=team).id if area else None
        found = find_initiative(session, initiative, team_id=team, area_id=area_id)
        rows = initiative_history(session, found)
        label = found.title if not found.nr else f"{found.nr} {found.title}"
        if not rows:
            say("“{title}” has no approved status yet.", title=label)
            return
        console.print(Text(label, style="bold underline"), soft_wrap=True)
        console.print(
            t("Newest first. [+new+] and [-removed-] mark what changed since the report before."),
            markup=False,
            style="dim",
            soft_wrap=True,
        )
        newest = rows[0].frozen_at
        for step in registry_steps(session, found):
            if newest is not None and step.at > newest:
                verb = t("renamed") if step.action == "initiative.rename" else t("moved")
                console.print(
                    Text(t("Since then, {verb}: {before} → {after}", verb=verb,
                           before=step.before, after=step.after), style="yellow"),
                    soft_wrap=True,
                )  # fmt: skip
        for row in rows:
            console.print()
            for line in row_lines(row):
                console.print(line, soft_wrap=True)


def register(app: typer.Typer) -> None:
    for group in app.registered_groups:
        if group.name == "initiative" and group.typer_instance is not None:
            group.typer_instance.command("history")(history)
            return
    raise RuntimeError("bot.cli.history needs the initiative group (bot.cli.registry) first")
