"""``statusbot review …``: compile, approve, publish and download a cycle's report.

The review commands act as the CLI operator, who may do anything a coordinator
may; an operator's approval is final on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.helpers import command_context, console, fail, output_folder, say, t, table
from bot.clock import SystemClock
from bot.review import approve, compile_draft, publish
from bot.review.documents import approved_documents, verify
from bot.review.errors import MissingAnswers
from bot.workflow.actor import Actor
from bot.workflow.messages import cycle_not_found
from storage.models import Cycle, Document

review_app = typer.Typer(
    help="Compile, approve and publish a cycle's report as the operator.", no_args_is_help=True
)


@review_app.command("compile")
def review_compile(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the draft to.")] = Path(
        "."
    ),
) -> None:
    """Compile a numbered draft (Word + HTML), store it and print the summary."""
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
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    with_missing: Annotated[
        bool, typer.Option("--with-missing", help="Approve although answers are missing.")
    ] = False,
) -> None:
    """Approve the report: it is frozen and stored as the approved document."""
    with command_context() as ctx, ctx.session() as session:
        try:
            result = approve(
                session,
                cycle_id=cycle,
                actor=Actor.cli(),
                now=SystemClock().now(),
                with_missing=with_missing,
                report_locale=ctx.settings.locale,
            )
        except MissingAnswers as exc:
            for title in exc.missing:
                console.print("  - " + title, markup=False)
            raise fail(t("{message} (use --with-missing)", message=exc.message)) from None
        if result.changed:
            say("Approved: cycle {cycle}.", cycle=cycle)
        else:
            say("Already approved: cycle {cycle}.", cycle=cycle)
        for doc in result.documents:
            console.print(f"  {doc.filename}  sha256 {doc.sha256}", markup=False)


@review_app.command("publish")
def review_publish(cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")]) -> None:
    """Publish an approved report: the running bot posts it to the area's channel."""
    with command_context() as ctx, ctx.session() as session:
        result = publish(session, cycle_id=cycle, actor=Actor.cli(), now=SystemClock().now())
        pub = result.publication
        if result.changed:
            say(
                "Published cycle {cycle}; the bot posts it to {channel}.",
                cycle=cycle,
                channel=pub.channel,
            )
        else:
            say("Cycle {cycle} was already published.", cycle=cycle)


@review_app.command("download")
def review_download(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write to.")] = Path("."),
) -> None:
    """Write the approved documents exactly as they were approved (hash checked)."""
    with command_context() as ctx, ctx.session() as session:
        output_folder(out, create=True)
        if session.get(Cycle, cycle) is None:
            raise cycle_not_found(cycle)
        docs = approved_documents(session, cycle)
        if not docs:
            raise fail(t("Cycle {cycle} has no approved document.", cycle=cycle))
        for doc in docs:
            if not verify(doc):
                raise fail(t("{file} does not match its recorded hash.", file=doc.filename))
            say("Wrote {path}  sha256 {sha256}", path=_write(out, doc), sha256=doc.sha256)


def _write(folder: Path, doc: Document) -> Path:
    from bot.cli.report import write_atomically

    path = folder / doc.filename
    write_atomically(path, doc.content)
    return path


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
