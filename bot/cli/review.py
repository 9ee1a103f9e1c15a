"""``statusbot audit``, ``statusbot area show/set`` and ``statusbot review …``.

The review commands act as the CLI operator, who may do anything a coordinator
may, except approving: an approval is always a named coordinator's (``--as``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bot.answers.texts import nt, post_state_label, t
from bot.cli.helpers import TeamOption, command_context, console, fail
from bot.clock import SystemClock
from bot.delivery.approvals import enqueue_second_approval_request
from bot.review import approve, compile_draft, publish, read_settings, update_settings
from bot.review.approve import ApproveResult
from bot.review.area_settings import UNSET
from bot.review.audit_log import audit_events, describe
from bot.review.documents import approved_documents, verify
from bot.review.errors import MissingAnswers
from bot.review.publish import unposted
from bot.workflow.actor import Actor
from bot.workflow.cycles import get_cycle
from bot.workflow.people import acting_coordinator, find_area
from storage.models import Area, Cycle, Document

area_app = typer.Typer(help="Show and change an area's report settings.", no_args_is_help=True)
review_app = typer.Typer(
    help="Compile, approve and publish a cycle's report as the operator.", no_args_is_help=True
)


def _local(moment, zone) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def audit(
    cycle: Annotated[int | None, typer.Option("--cycle", help="Only this cycle.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Only this area (name or id).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show the newest N events.", min=1)] = 200,
    team: TeamOption = "",
) -> None:
    """Print the audit log: who did what, when (oldest first)."""
    with command_context() as ctx, ctx.session() as session:
        area_id = find_area(session, area, team_id=team).id if area else None
        events = audit_events(session, cycle_id=cycle, area_id=area_id, limit=limit)
        names = {a.id: a.name for a in session.query(Area).all()}
        table = Table(title="Audit log", show_lines=False)
        for column in ("When", "Who", "Action", "Area", "Cycle", "Detail"):
            table.add_column(column, overflow="fold")
        for event in events:
            table.add_row(
                _local(event.created_at, ctx.settings.zone),
                event.actor_label or "",
                event.action,
                names.get(event.area_id, "") if event.area_id else "",
                str(event.cycle_id or ""),
                describe(event.detail or {}),
            )
        if events:
            console.print(table)
        else:
            console.print("No audit events.")


@area_app.command("show")
def area_show(
    area: Annotated[str, typer.Argument(help="Area name or id.")], team: TeamOption = ""
) -> None:
    """Show the area's report channel, intro text, approvals needed and reminders."""
    with command_context() as ctx, ctx.session() as session:
        _print_settings(find_area(session, area, team_id=team))


@area_app.command("set")
def area_set(
    area: Annotated[str, typer.Argument(help="Area name or id.")],
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="Slack channel id for published reports ('' clears)."),
    ] = None,
    intro: Annotated[
        str | None, typer.Option("--intro", help="Intro paragraph(s) of the report.")
    ] = None,
    intro_file: Annotated[
        Path | None,
        typer.Option("--intro-file", help="Read the intro from a UTF-8 text file.", exists=True),
    ] = None,
    approvals: Annotated[
        int | None, typer.Option("--approvals", help="Approvals needed: 1 or 2.")
    ] = None,
    remind: Annotated[
        str | None, typer.Option("--remind", help="Default reminders, e.g. 3d,1d,2h.")
    ] = None,
    team: TeamOption = "",
) -> None:
    """Change an area's settings; options left out stay as they are."""
    if intro is not None and intro_file is not None:
        raise typer.BadParameter("give --intro or --intro-file, not both")
    if intro_file is not None:
        intro = intro_file.read_text(encoding="utf-8")
    changes: dict[str, Any] = {
        "report_channel": UNSET if channel is None else channel,
        "intro": UNSET if intro is None else intro,
        "approvals_required": UNSET if approvals is None else approvals,
        "default_reminders": UNSET if remind is None else remind,
    }
    with command_context() as ctx, ctx.session() as session:
        found = find_area(session, area, team_id=team)
        update_settings(
            session, area_id=found.id, actor=Actor.cli(), now=SystemClock().now(), **changes
        )
        _print_settings(found)


def _print_settings(area: Area) -> None:
    settings = read_settings(area)
    table = Table(title=settings.name, show_header=False)
    table.add_column("Setting")
    table.add_column("Value", overflow="fold")
    table.add_row("Report channel", settings.report_channel or "—")
    table.add_row("Approvals needed", str(settings.approvals_required))
    table.add_row("Default reminders", settings.default_reminders or "—")
    table.add_row("Intro", settings.intro or "—")
    console.print(table)


@review_app.command("compile")
def review_compile(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the draft to.")] = Path(
        "."
    ),
) -> None:
    """Compile a numbered draft (Word + HTML), store it and print the summary."""
    with command_context() as ctx, ctx.session() as session:
        result = compile_draft(
            session,
            cycle_id=cycle,
            actor=Actor.cli(),
            now=SystemClock().now(),
            report_locale=ctx.settings.locale,
        )
        table = Table(title=result.label)
        for column in ("Track", "Answered", "No change", "Missing", "Changed"):
            table.add_column(column, justify="left" if column == "Track" else "right")
        for t in [*result.summary.tracks, result.summary.total]:
            table.add_row(
                t.name or "Total",
                str(t.answered),
                str(t.carried_forward),
                str(t.missing),
                str(t.changed),
            )
        console.print(table)
        for doc in result.documents:
            console.print(f"Wrote {_write(out, doc)}")


@review_app.command("approve")
def review_approve(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            help="The coordinator (or administrator) who approves: Slack user id or e-mail.",
        ),
    ],
    with_missing: Annotated[
        bool, typer.Option("--with-missing", help="Approve although answers are missing.")
    ] = False,
) -> None:
    """Record a named coordinator's approval; the last one needed freezes the report.

    An area that needs two approvals needs two different people (in Slack or
    here); the same person approving twice counts once.
    """
    with command_context() as ctx, ctx.session() as session:
        found = get_cycle(session, cycle)
        actor = acting_coordinator(session, as_user, found.area)
        now = SystemClock().now()
        try:
            result = approve(
                session,
                cycle_id=cycle,
                actor=actor,
                now=now,
                with_missing=with_missing,
                locale=ctx.settings.locale,
                report_locale=ctx.settings.locale,
                always_confirm_missing=True,
            )
            if result.changed and not result.approved and actor.person is not None:
                enqueue_second_approval_request(session, result.cycle, actor.person, now)
        except MissingAnswers as exc:
            _print_missing(t("Initiatives without an answer:"), exc.missing)
            raise fail(
                nt(
                    "{n} initiative has no answer; approve anyway only with --with-missing.",
                    "{n} initiatives have no answer; approve anyway only with --with-missing.",
                    len(exc.missing),
                )
            ) from None
        _print_approval(result, actor, cycle)


def _print_missing(heading: str, titles: list[str]) -> None:
    console.print(heading, markup=False)
    for title in titles:
        console.print(f"  - {title}", markup=False)


def _print_approval(result: ApproveResult, actor: Actor, cycle: int) -> None:
    who = actor.person.label if actor.person is not None else actor.label
    approvers = ", ".join(result.approvers) or who
    draft = result.cycle.draft_number
    if result.approved and not result.changed:
        console.print(t("Cycle {cycle} is already approved.", cycle=cycle), markup=False)
    elif not result.changed:
        console.print(
            t(
                "{who} has already approved draft {draft} of cycle {cycle}; the same person "
                "counts once. Waiting for {n} more approval(s) from another coordinator.",
                who=who,
                draft=draft,
                cycle=cycle,
                n=result.waiting_for,
            ),
            markup=False,
        )
    elif result.approved:
        console.print(
            t(
                "Approved cycle {cycle} by {approvers}: the report is frozen.",
                cycle=cycle,
                approvers=approvers,
            ),
            markup=False,
        )
    else:
        console.print(
            t(
                "{who}'s approval of draft {draft} of cycle {cycle} is recorded ({count} of "
                "{needed}). Another coordinator must approve too, in Slack (the running bot "
                "asks them) or with `statusbot review approve --as`.",
                who=who,
                draft=draft,
                cycle=cycle,
                count=len(result.approvers),
                needed=result.needed,
            ),
            markup=False,
        )
    if result.changed and result.with_missing:
        _print_missing(t("Approved without an answer for:"), result.missing)
    for doc in result.documents:
        console.print(f"  {doc.filename}  sha256 {doc.sha256}", markup=False)


@review_app.command("publish")
def review_publish(cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")]) -> None:
    """Publish an approved report: the running bot posts it to the area's channel."""
    with command_context() as ctx, ctx.session() as session:
        result = publish(session, cycle_id=cycle, actor=Actor.cli(), now=SystemClock().now())
        pub = result.publication
        waiting = unposted(session, [cycle]).get(cycle)
        if result.changed:
            console.print(
                t(
                    "Published cycle {cycle}: the post to {channel} is queued; a running "
                    "`statusbot serve` posts it (`statusbot cycle show {cycle}` shows when "
                    "Slack has it).",
                    cycle=cycle,
                    channel=pub.channel,
                ),
                markup=False,
            )
        elif waiting is not None:
            console.print(
                t(
                    "Cycle {cycle} is published, but its post to {channel} is still {state}.",
                    cycle=cycle,
                    channel=pub.channel,
                    state=post_state_label(waiting),
                ),
                markup=False,
            )
        else:
            console.print(
                t(
                    "Cycle {cycle} was already published and posted to {channel}.",
                    cycle=cycle,
                    channel=pub.channel,
                ),
                markup=False,
            )


@review_app.command("download")
def review_download(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write to.")] = Path("."),
) -> None:
    """Write the approved documents exactly as they were approved (hash checked)."""
    with command_context() as ctx, ctx.session() as session:
        found = session.get(Cycle, cycle)
        docs = approved_documents(session, cycle) if found is not None else []
        if not docs:
            raise fail(f"cycle {cycle} has no approved document")
        for doc in docs:
            if not verify(doc):
                raise fail(f"{doc.filename} does not match its recorded hash")
            console.print(f"Wrote {_write(out, doc)}  sha256 {doc.sha256}")


def _write(folder: Path, doc: Document) -> Path:
    from bot.cli.report import write_atomically

    path = folder / doc.filename
    write_atomically(path, doc.content)
    return path


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.add_typer(area_app, name="area")
    app.add_typer(review_app, name="review")
