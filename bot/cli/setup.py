"""``statusbot init``, ``statusbot import FILE`` and ``statusbot roles …``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.helpers import (
    TeamOption,
    command_context,
    console,
    err_console,
    existing_file,
    say,
    t,
    table,
)
from bot.clock import SystemClock
from bot.i18n import SUPPORTED, translator
from bot.workflow.messages import N_

if TYPE_CHECKING:
    from bot.importing import ImportResult

# Files with more rows than this get a progress bar.
PROGRESS_THRESHOLD = 200

_ROLES = {"coordinator": N_("coordinator"), "admin": N_("admin")}


def role_label(role: str) -> str:
    label = _ROLES.get(str(role).strip().lower())
    return t(label) if label else str(role)


def role_id(text: str) -> str:
    """A role as typed: its id or its name in either language (``koordinator``);
    anything else is left for the workflow to refuse."""
    typed = " ".join(text.split()).casefold()
    for role, label in _ROLES.items():
        names = {role} | {translator("cli", lang).gettext(label).casefold() for lang in SUPPORTED}
        if typed in names:
            return role
    return text


roles_app = typer.Typer(help="Give people the coordinator or admin role.", no_args_is_help=True)


def init() -> None:
    """Create the database schema, or upgrade it to this version. Safe to run again."""
    from storage.migrate import current_revision, upgrade

    with command_context() as ctx:
        before = current_revision(ctx.engine)
        upgrade(ctx.engine)
        after = current_revision(ctx.engine)
        if before == after:
            say(
                "Database {database} is up to date (schema {schema}).",
                database=ctx.database_label(),
                schema=after,
            )
        else:
            say(
                "Database {database} upgraded: schema {before} → {after}.",
                database=ctx.database_label(),
                before=before or t("empty"),
                after=after,
            )


def import_(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A .csv (comma or semicolon separated, UTF-8) or .xlsx file with the columns "
            "area, track, initiative, plan, owner (or their Danish names).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan (with line numbers); change nothing.")
    ] = False,
    retire_missing: Annotated[
        bool,
        typer.Option(
            "--retire-missing",
            help="Retire the initiatives of the file's areas that the file does not list.",
        ),
    ] = False,
    team: TeamOption = "",
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="The CSV file's encoding when it is not UTF-8, e.g. cp1252 for an older "
            "Excel's CSV. A byte that is not valid in it is refused with its line.",
        ),
    ] = "utf-8",
) -> None:
    """Load areas, tracks and initiatives from a CSV or XLSX file.

    Re-importing updates them (by key, else area + track + title); initiatives
    missing from the file are listed and kept unless --retire-missing. An
    absent optional column leaves its field unchanged. A file with any bad row
    imports nothing and every bad row is listed.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from bot.importing import ImportRejected, apply_import, plan_import, read_rows
    from bot.workflow.actor import Actor

    existing_file(file)
    with command_context() as ctx:
        try:
            plan = plan_import(read_rows(file, encoding=encoding))
        except ImportRejected as exc:
            err_console.print(f"statusbot: {file.name}: {exc.message}", markup=False)
            for problem in exc.problems:
                err_console.print(f"  {problem}", markup=False)
            raise typer.Exit(1) from None
        with ctx.session() as session:
            total = len(plan.initiatives)
            with Progress(
                TextColumn(t("Importing")),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
                disable=total <= PROGRESS_THRESHOLD,
            ) as bar:
                task = bar.add_task("import", total=total)
                try:
                    result = apply_import(
                        session,
                        plan,
                        actor=Actor.cli(),
                        now=SystemClock().now(),
                        source=file.name,
                        team_id=team,
                        progress=lambda done, _total: bar.update(task, completed=done),
                        retire_missing=retire_missing,
                    )
                except ImportRejected as exc:
                    session.rollback()
                    err_console.print(f"statusbot: {file.name}: {exc.message}", markup=False)
                    for problem in exc.problems:
                        err_console.print(f"  {problem}", markup=False)
                    raise typer.Exit(1) from None
            if dry_run:
                session.rollback()
        _print_plan(result, dry_run)  # after the commit: a closed pipe loses nothing
        title = (
            t("Dry run of {file}", file=file.name)
            if dry_run
            else t("Imported {file}", file=file.name)
        )
        count = t("count")
        summary = table("", count, title=title, right=(count,))
        for label, value in (
            (t("areas created"), result.areas_created),
            (t("tracks created"), result.tracks_created),
            (t("initiatives created"), result.created),
            (t("initiatives updated"), result.updated),
            (t("  of them renamed"), result.renamed),
            (t("  of them moved"), result.moved),
            (t("initiatives unchanged"), result.unchanged),
            (t("initiatives reactivated"), result.reactivated),
            (t("initiatives retired"), result.retired),
            (t("not in the file, kept"), result.missing),
            (t("people added"), result.people_created),
        ):
            summary.add_row(label, str(value))
        console.print(summary)
        if dry_run:
            say("Dry run: nothing was changed.")


# How the plan names what happens to an initiative (bot.importing.loader.KINDS).
_KINDS = {
    "created": N_("created"),
    "renamed": N_("renamed"),
    "moved": N_("moved"),
    "updated": N_("updated"),
    "reactivated": N_("reactivated"),
    "retired": N_("retired"),
    "missing": N_("missing, kept"),
    "unchanged": N_("unchanged"),
}


def _print_plan(result: ImportResult, dry_run: bool) -> None:
    """Every change with its line, the fields left alone, the rounds reached."""
    from bot.cli.registry import round_text

    for note in result.notes:
        console.print(note, markup=False, soft_wrap=True)
    for change in result.changes:
        if change.kind == "unchanged" and not dry_run:
            continue
        where = t("line {line}", line=change.line) if change.line else t("not in file")
        kind = t(_KINDS[change.kind]) if change.kind in _KINDS else change.kind
        detail = f" ({change.detail})" if change.detail else ""
        console.print(f"  {where}: {kind}: {change.label}{detail}", markup=False, soft_wrap=True)
    if result.missing:
        console.print(
            t(
                "{count} initiative(s) are not in the file and were kept; "
                "pass --retire-missing to retire them.",
                count=result.missing,
            ),
            markup=False, soft_wrap=True,
        )  # fmt: skip
    for reached in result.rounds:
        line = t(
            "  cycle {id}: {title}: {change}",
            id=reached.cycle_id,
            title=reached.title,
            change=round_text(reached.kind),
        )
        console.print(line, markup=False, soft_wrap=True)


AreaOption = Annotated[
    str | None,
    typer.Option("--area", help="Area name or id (needed for coordinator)."),
]


UserArgument = Annotated[
    str, typer.Argument(metavar="USER", help="Slack user ID (U…) or e-mail address.")
]
RoleArgument = Annotated[
    str,
    typer.Argument(
        metavar="ROLE", help="coordinator or admin (or their names: koordinator, administrator)."
    ),
]


@roles_app.command("grant")
def roles_grant(
    user: UserArgument,
    role: RoleArgument,
    area: AreaOption = None,
    team: TeamOption = "",
) -> None:
    """Grant a role; unknown people are added (e-mails are matched in Slack later)."""
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area, find_or_create_person
    from bot.workflow.roles import grant_role

    with command_context() as ctx, ctx.session() as session:
        found = find_area(session, area, team_id=team) if area else None
        area_id = found.id if found else None
        person = find_or_create_person(session, user, team_id=team)
        _grant, new = grant_role(
            session,
            person=person,
            role=role_id(role),
            area_id=area_id,
            actor=Actor.cli(),
            now=SystemClock().now(),
        )
        message = {
            (True, True): N_("{person}: granted {role} of {area}."),
            (True, False): N_("{person}: granted {role}."),
            (False, True): N_("{person}: already had {role} of {area}."),
            (False, False): N_("{person}: already had {role}."),
        }[(new, found is not None)]
        say(
            message,
            person=person.label,
            role=role_label(role_id(role)),
            area=found.name if found else "",
        )


@roles_app.command("revoke")
def roles_revoke(
    user: UserArgument,
    role: RoleArgument,
    area: AreaOption = None,
    team: TeamOption = "",
) -> None:
    """Take a role away again."""
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area, find_person
    from bot.workflow.roles import revoke_role

    with command_context() as ctx, ctx.session() as session:
        area_id = find_area(session, area, team_id=team).id if area else None
        person = find_person(session, user, team_id=team)
        revoke_role(
            session,
            person=person,
            role=role_id(role),
            area_id=area_id,
            actor=Actor.cli(),
            now=SystemClock().now(),
        )
        say("{person}: revoked {role}.", person=person.label, role=role_label(role_id(role)))


@roles_app.command("list")
def roles_list(team: TeamOption = "") -> None:
    """Show who has which role."""
    from bot.workflow.roles import list_grants

    with command_context() as ctx, ctx.session() as session:
        grants = [g for g in list_grants(session) if g.person.team_id == team]
        if not grants:
            say("Nobody has a role yet. Use `statusbot roles grant`.")
            return
        rows = table(t("person"), t("slack id"), t("e-mail"), t("role"), t("area"), t("granted by"))
        for grant in grants:
            person = grant.person
            rows.add_row(
                person.label,
                person.slack_user_id or "",
                person.email or "",
                role_label(grant.role),
                grant.area.name if grant.area else t("(all)"),
                grant.granted_by or "",
            )
        console.print(rows)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_)
    app.add_typer(roles_app, name="roles")
