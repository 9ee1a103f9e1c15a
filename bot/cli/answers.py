"""``statusbot entry set`` and ``statusbot answers export/import``: answers
that arrive outside Slack (e-mail, paper, a spreadsheet), recorded by a named
coordinator on the owner's behalf."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.helpers import (
    EXIT_USAGE,
    RequiredCycleOption,
    acting_name,
    command_context,
    console,
    existing_file,
    fail,
    nt,
    output_file,
    read_text_file,
    t,
    table,
    write_atomically,
)
from bot.clock import SystemClock

entry_app = typer.Typer(
    help="Record an answer received outside Slack, on the owner's behalf.", no_args_is_help=True
)
answers_app = typer.Typer(
    help="A round's answers as a spreadsheet, and the filled-in spreadsheet back.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str,
    typer.Option(
        "--as",
        help="The coordinator of the area (or an administrator) who records it: "
        "Slack user id or e-mail.",
    ),
]


@entry_app.command("set")
def entry_set(
    cycle: RequiredCycleOption,
    initiative: Annotated[
        str, typer.Option("--initiative", help="The initiative's key (nr), #id or title.")
    ],
    text_file: Annotated[
        Path, typer.Option("--text-file", help="UTF-8 file with the status text, as typed.")
    ],
    as_user: AsOption,
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase", help="not_started, in_progress, completed or postponed (or its name)."
        ),
    ] = None,
) -> None:
    """Record the status an owner sent by e-mail (or on paper) as the named
    coordinator's revision; the owner is told in Slack by the running bot."""
    from bot.answers.lookup import CycleEntries, initiative_number
    from bot.answers.record import parse_phase, parse_status, record_answer
    from bot.workflow.cycles import get_cycle
    from bot.workflow.people import acting_coordinator

    with command_context() as ctx:
        markup = read_text_file(text_file)
        with ctx.session() as session:
            found = get_cycle(session, cycle)
            actor = acting_coordinator(session, as_user, found.area)
            entry = CycleEntries(session, found).find(initiative)
            status = parse_status(markup)
            result = record_answer(
                session,
                entry=entry,
                status=status,
                phase=parse_phase(phase),
                actor=actor,
                via="cli",
                now=SystemClock().now(),
                locale=ctx.settings.locale,
            )
            owner = entry.initiative.owner
            params = {
                "title": entry.initiative.title,
                "nr": initiative_number(entry.initiative),
                "owner": owner.label if owner is not None else "—",
                "who": acting_name(actor),
            }
            if not result.changed:
                console.print(
                    t(
                        "“{title}” (nr {nr}) already has this status; nothing was recorded.",
                        **params,
                    ),
                    markup=False,
                )
                return
            console.print(
                t(
                    "Recorded the status of “{title}” (nr {nr}) for {owner} as {who}'s revision.",
                    **params,
                ),
                markup=False,
            )
            if result.recipients:
                console.print(
                    t("{owner} is told in Slack when `statusbot serve` runs.", **params),
                    markup=False,
                )


def _check_output(path: Path) -> None:
    output_file(path)
    if path.suffix.lower() != ".xlsx":
        raise fail(t("{file}: the answers sheet is written as .xlsx.", file=str(path)), EXIT_USAGE)


@answers_app.command("export")
def answers_export(
    cycle: RequiredCycleOption,
    out: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
) -> None:
    """Write the cycle's answers as a spreadsheet: one row per initiative, the
    status column prefilled with the answer, or else the last known status."""
    from bot.answers.sheet import export_workbook
    from bot.workflow.cycles import get_cycle

    _check_output(out)
    with command_context() as ctx, ctx.session() as session:
        found = get_cycle(session, cycle)
        sheet = export_workbook(session, found)
        write_atomically(out, sheet.data)
        console.print(
            t(
                "Wrote {file}: {n} initiatives of cycle {cycle} ({area}). Fill in the status "
                "column and read it back with `statusbot answers import`.",
                file=str(out),
                n=sheet.rows,
                cycle=cycle,
                area=found.area.name,
            ),
            markup=False,
        )


@answers_app.command("import")
def answers_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The filled-in answers sheet (.xlsx).")
    ],
    cycle: RequiredCycleOption,
    as_user: AsOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be recorded; record nothing.")
    ] = False,
) -> None:
    """Record the rows whose status (or phase) differs from what was exported,
    as the named coordinator's answers. All or nothing: every bad row is listed
    with its line and nothing is recorded."""
    from bot.answers.lookup import initiative_number
    from bot.answers.sheet import apply_import, plan_import
    from bot.workflow.cycles import get_cycle
    from bot.workflow.people import acting_coordinator

    existing_file(file)
    with command_context() as ctx, ctx.session() as session:
        found = get_cycle(session, cycle)
        actor = acting_coordinator(session, as_user, found.area)
        plan = plan_import(session, file, found)
        problems = list(plan.problems)
        if not problems:
            problems = apply_import(
                session, plan, actor=actor, now=SystemClock().now(), locale=ctx.settings.locale
            )
        if problems:
            session.rollback()
            for line, message in sorted(problems):
                console.print(t("line {line}: {problem}", line=line, problem=message), markup=False)
            raise fail(
                nt(
                    "{n} row has errors; nothing was recorded.",
                    "{n} rows have errors; nothing was recorded.",
                    len(problems),
                )
            )
        rows = table(t("line"), t("nr"), t("initiative"), t("owner"), t("status"))
        for change in plan.changes:
            owner = change.entry.initiative.owner
            rows.add_row(
                str(change.line),
                initiative_number(change.entry.initiative),
                change.entry.initiative.title,
                owner.label if owner is not None else "—",
                change.status.plain,
            )
        if plan.changes:
            console.print(rows)
        if dry_run:
            session.rollback()
            console.print(
                nt(
                    "Dry run: {n} answer would be recorded ({unchanged} rows unchanged); "
                    "nothing was recorded.",
                    "Dry run: {n} answers would be recorded ({unchanged} rows unchanged); "
                    "nothing was recorded.",
                    len(plan.changes),
                    unchanged=plan.unchanged,
                ),
                markup=False,
            )
            return
        console.print(
            nt(
                "Recorded {n} answer as {who}'s revisions ({unchanged} rows unchanged); the "
                "owners are told in Slack when `statusbot serve` runs.",
                "Recorded {n} answers as {who}'s revisions ({unchanged} rows unchanged); the "
                "owners are told in Slack when `statusbot serve` runs.",
                len(plan.changes),
                who=acting_name(actor),
                unchanged=plan.unchanged,
            ),
            markup=False,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(entry_app, name="entry")
    app.add_typer(answers_app, name="answers")
