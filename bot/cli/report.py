"""``statusbot report`` and ``statusbot baseline import``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.helpers import (
    EXIT_USAGE,
    CycleOption,
    Format,
    TeamOption,
    command_context,
    existing_file,
    fail,
    format_option,
    output_file,
    pick_cycle,
    pick_format,
    t,
    usage_value,
    write_atomically,
)


def report(
    cycle: CycleOption = None,
    fmt: Annotated[
        Format | None,
        format_option("Output format, any case (default: from -o's file ending)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: from area and date)."),
    ] = None,
    locale: Annotated[
        str | None, typer.Option("--locale", help="da or en (default: STATUSBOT_LOCALE).")
    ] = None,
    meeting: Annotated[
        str | None,
        typer.Option(
            "--meeting",
            help="pptx: the committee meeting's date, ISO (default: no date is named).",
            metavar="DATE",
        ),
    ] = None,
    committee: Annotated[
        str | None,
        typer.Option(
            "--committee",
            help="pptx: the committee's name (default: the area's committee, else "
            "'udvalget' / 'the committee').",
            metavar="NAME",
        ),
    ] = None,
    with_history: Annotated[
        bool,
        typer.Option(
            "--with-history",
            help="HTML only: an appendix with each initiative's history, linked from its title.",
        ),
    ] = False,
) -> None:
    """Assemble the consolidated status document of a cycle."""
    from bot.committee.settings import read_committee
    from bot.workflow.cycles import get_cycle
    from bot.workflow.dates import parse_date
    from reports import build_document, default_filename, pdf_available, render
    from reports.history import history_appendix, history_items
    from reports.html import render_html
    from reports.pdf import INSTALL_HINT, PdfError, PdfUnavailable
    from reports.pptx_render import DeckOptions

    with command_context() as ctx:
        cycle_id = pick_cycle(None, cycle)
        with ctx.session() as session:
            get_cycle(session, cycle_id)  # an unknown cycle is said before a missing format
        chosen = pick_format(fmt, output)
        if output is not None:
            output_file(output)
        if chosen is not Format.pptx and (meeting is not None or committee is not None):
            raise fail(t("--meeting and --committee are for --format pptx."), EXIT_USAGE)
        meeting_date = usage_value(parse_date, meeting, field="meeting") if meeting else None
        if chosen is Format.pdf and not pdf_available():
            raise fail(INSTALL_HINT)
        language = (locale or ctx.settings.locale).lower()
        if language not in ("da", "en"):
            raise fail(t("--locale must be da or en, not {value}.", value=locale), EXIT_USAGE)
        if with_history and chosen is not Format.html:
            raise fail(t("--with-history works with the HTML format only."), EXIT_USAGE)
        appendix = None
        with ctx.session() as session:
            document = build_document(
                session,
                cycle_id,
                locale=language,
                zone=ctx.settings.timezone,
                text_locale=ctx.settings.locale,
            )
            if with_history:
                appendix = history_appendix(history_items(session, document), language)
            if chosen is Format.pptx and committee is None:
                committee = read_committee(session, document.area_id).committee
        if meeting_date is not None and meeting_date < document.as_of:
            raise fail(
                t(
                    "The meeting ({meeting}) is before the cycle's as-of date ({as_of}).",
                    meeting=meeting_date.isoformat(),
                    as_of=document.as_of.isoformat(),
                ),
                EXIT_USAGE,
            )
        deck = DeckOptions(committee=committee, meeting=meeting_date)
        try:
            if appendix:
                data = render_html(document, appendix)
            else:
                data = render(document, chosen.value, deck=deck)
        except (PdfUnavailable, PdfError) as exc:
            raise fail(str(exc)) from None
        path = output or Path(default_filename(document, chosen.value))
        write_atomically(path, data)
        typer.echo(str(path))


baseline_app = typer.Typer(help="Previous reports imported as history.", no_args_is_help=True)


@baseline_app.command("import")
def baseline_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The previous report (.docx).")],
    area: Annotated[str, typer.Option("--area", help="Area name.")],
    as_of: Annotated[str, typer.Option("--as-of", help="The report's date, ISO (2024-04-01).")],
    allow_unmatched: Annotated[
        bool,
        typer.Option(
            "--allow-unmatched", help="Import the matched rows even if some rows match nothing."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Import even though --as-of contradicts the document's own date."
        ),
    ] = False,
    team: TeamOption = "",
) -> None:
    """Store a previous committee report as an approved baseline cycle, so the
    first cycle run by the bot already shows what changed."""
    from bot.workflow.actor import Actor
    from bot.workflow.people import find_area
    from reports.baseline import import_baseline, read_baseline
    from storage.types import utcnow

    with command_context() as ctx:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise fail(
                t("--as-of must be an ISO date such as 2024-04-01, not {value}.", value=as_of),
                EXIT_USAGE,
            ) from None
        existing_file(file)
        document = read_baseline(file)
        with ctx.session() as session:
            target = find_area(session, area, team_id=team)
            result = import_baseline(
                session,
                area=target,
                as_of=day,
                rows=document.rows,
                stated=document.stated,
                force=force,
                source_label=f"import:{file.name}",
                actor=Actor.cli(),
                now=utcnow(),
                allow_unmatched=allow_unmatched,
            )
        for row in result.unmatched:
            typer.echo(
                t(
                    "table row {number}: no initiative {title} in track {track}",
                    number=row.number,
                    title=repr(row.title),
                    track=repr(row.track),
                ),
                err=True,
            )
        for row, _initiative_id in result.matched:
            if row.continued:
                typer.echo(
                    t(
                        "table row {number} continues in row(s) {rows}: {title}",
                        number=row.number,
                        rows=", ".join(str(n) for n in row.continued),
                        title=row.title,
                    )
                )
        if result.not_in_file:
            typer.echo(
                t(
                    "{count} active initiative(s) have no row in the file:",
                    count=len(result.not_in_file),
                )
            )
            for label in result.not_in_file:
                typer.echo(f"  {label}")
        if result.cycle_id is None:
            if result.unmatched:
                raise fail(
                    t(
                        "{count} row(s) match no initiative; nothing was imported. Fix the "
                        "titles (or the registry), or pass --allow-unmatched.",
                        count=len(result.unmatched),
                    )
                )
            raise fail(t("The file has no initiative rows; nothing was imported."))
        typer.echo(
            t(
                "Imported {count} row(s) as baseline of {area}.",
                count=len(result.matched),
                area=target.name,
            )
        )
        typer.echo(str(result.cycle_id))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(baseline_app, name="baseline")
