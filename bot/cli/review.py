"""``statusbot review …``: compile, approve, publish and download a cycle's report.

The review commands act as the CLI operator, who may do anything a coordinator
may, except approving: an approval is always a named coordinator's (``--as``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.answers.texts import post_state_label
from bot.cli.helpers import (
    RequiredCycleOption,
    acting_name,
    command_context,
    console,
    fail,
    nt,
    output_folder,
    say,
    t,
    table,
    write_atomically,
)
from bot.clock import SystemClock

if TYPE_CHECKING:
    from bot.review.approve import ApproveResult
    from bot.workflow.actor import Actor
    from storage.models import Document

review_app = typer.Typer(
    help="Compile, approve and publish a cycle's report as the operator.", no_args_is_help=True
)


@review_app.command("compile")
def review_compile(
    cycle: RequiredCycleOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the draft to.")] = Path(
        "."
    ),
) -> None:
    """Compile a numbered draft (Word + HTML), store it and print the summary."""
    from bot.review import compile_draft
    from bot.workflow.actor import Actor

    with command_context() as ctx, ctx.session() as session:
        output_folder(out, create=True)
        result = compile_draft(
            session,
            cycle_id=cycle,
            actor=Actor.cli(),
            now=SystemClock().now(),
            report_locale=ctx.settings.locale,
        )
        columns = (t("Track"), t("Answered"), t("No change"), t("Missing"), t("Changed"))
        rows = table(*columns, title=result.label, right=columns[1:])
        for track in [*result.summary.tracks, result.summary.total]:
            rows.add_row(
                track.name or t("Total"),
                str(track.answered),
                str(track.carried_forward),
                str(track.missing),
                str(track.changed),
            )
        console.print(rows)
        for doc in result.documents:
            say("Wrote {path}", path=_write(out, doc))


@review_app.command("approve")
def review_approve(
    cycle: RequiredCycleOption,
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
    from bot.delivery.approvals import enqueue_second_approval_request
    from bot.review import approve
    from bot.review.errors import MissingAnswers
    from bot.workflow.cycles import get_cycle
    from bot.workflow.people import acting_coordinator

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
    who = acting_name(actor)
    approvers = ", ".join(result.approvers) or who
    draft = result.cycle.draft_number
    if result.approved and not result.changed:
        say("Cycle {cycle} is already approved.", cycle=cycle)
    elif not result.changed:
        say(
            "{who} has already approved draft {draft} of cycle {cycle}; the same person "
            "counts once. Waiting for {n} more approval(s) from another coordinator.",
            who=who,
            draft=draft,
            cycle=cycle,
            n=result.waiting_for,
        )
    elif result.approved:
        say(
            "Approved cycle {cycle} by {approvers}: the report is frozen.",
            cycle=cycle,
            approvers=approvers,
        )
    else:
        say(
            "{who}'s approval of draft {draft} of cycle {cycle} is recorded ({count} of "
            "{needed}). Another coordinator must approve too, in Slack (the running bot "
            "asks them) or with `statusbot review approve --as`.",
            who=who,
            draft=draft,
            cycle=cycle,
            count=len(result.approvers),
            needed=result.needed,
        )
    if result.changed and result.with_missing:
        _print_missing(t("Approved without an answer for:"), result.missing)
    for doc in result.documents:
        console.print(f"  {doc.filename}  sha256 {doc.sha256}", markup=False)


@review_app.command("publish")
def review_publish(cycle: RequiredCycleOption) -> None:
    """Publish an approved report: the running bot posts it to the area's channel."""
    from bot.review import publish
    from bot.review.publish import unposted
    from bot.workflow.actor import Actor

    with command_context() as ctx, ctx.session() as session:
        result = publish(session, cycle_id=cycle, actor=Actor.cli(), now=SystemClock().now())
        pub = result.publication
        waiting = unposted(session, [cycle]).get(cycle)
        if result.changed:
            say(
                "Published cycle {cycle}: the post to {channel} is queued; a running "
                "`statusbot serve` posts it (`statusbot cycle show {cycle}` shows when "
                "Slack has it).",
                cycle=cycle,
                channel=pub.channel,
            )
        elif waiting is not None:
            say(
                "Cycle {cycle} is published, but its post to {channel} is still {state}.",
                cycle=cycle,
                channel=pub.channel,
                state=post_state_label(waiting),
            )
        else:
            say(
                "Cycle {cycle} was already published and posted to {channel}.",
                cycle=cycle,
                channel=pub.channel,
            )


@review_app.command("download")
def review_download(
    cycle: RequiredCycleOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write to.")] = Path("."),
) -> None:
    """Write the approved documents exactly as they were approved (hash checked)."""
    from bot.review.documents import approved_documents, verify
    from bot.workflow.cycles import get_cycle

    with command_context() as ctx, ctx.session() as session:
        output_folder(out, create=True)
        get_cycle(session, cycle)
        docs = approved_documents(session, cycle)
        if not docs:
            raise fail(t("Cycle {cycle} has no approved document.", cycle=cycle))
        for doc in docs:
            if not verify(doc):
                raise fail(t("{file} does not match its recorded hash.", file=doc.filename))
            say("Wrote {path}  sha256 {sha256}", path=_write(out, doc), sha256=doc.sha256)


def _write(folder: Path, doc: Document) -> Path:
    path = folder / doc.filename
    write_atomically(path, doc.content)
    return path


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
