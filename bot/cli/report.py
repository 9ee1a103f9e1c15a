"""``statusbot report`` and ``statusbot baseline import``."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.helpers import TeamOption
from bot.errors import WorkflowError
from bot.settings import load_settings
from bot.workflow.actor import Actor
from reports import build_document, default_filename, pdf_available, render
from reports.baseline import find_area, import_baseline, read_baseline
from reports.pdf import INSTALL_HINT, PdfUnavailable
from storage.db import make_engine, make_session_factory, session_scope
from storage.types import utcnow


class Format(StrEnum):
    html = "html"
    docx = "docx"
    pdf = "pdf"
    md = "md"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"statusbot: {message}", err=True)
    return typer.Exit(code)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report(
    cycle: Annotated[int, typer.Option("--cycle", help="Id of the cycle to report on.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: from area and date)."),
    ] = None,
    locale: Annotated[
        str | None, typer.Option("--locale", help="da or en (default: STATUSBOT_LOCALE).")
    ] = None,
) -> None:
    """Assemble the consolidated status document of a cycle."""
    settings = load_settings()
    if fmt is Format.pdf and not pdf_available():
        raise _fail(INSTALL_HINT)
    language = locale or settings.locale
    if language not in ("da", "en"):
        raise _fail(f"--locale must be da or en, not {language!r}", 2)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            document = build_document(session, cycle, locale=language)
        data = render(document, fmt.value)
    except WorkflowError as exc:
        raise _fail(exc.message) from None
    except PdfUnavailable as exc:
        raise _fail(str(exc)) from None
    finally:
        engine.dispose()
    path = output or Path(default_filename(document, fmt.value))
    write_atomically(path, data)
    typer.echo(str(path))


baseline_app = typer.Typer(help="Previous reports imported as history.", no_args_is_help=True)


@baseline_app.command("import")
def baseline_import(
    file: Annotated[Path, typer.Argument(help="The previous report (.docx).")],
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
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise _fail(f"--as-of must be an ISO date such as 2024-04-01, not {as_of!r}", 2) from None
    if not file.is_file():
        raise _fail(f"{file}: no such file", 2)
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        document = read_baseline(file)
        with session_scope(make_session_factory(engine)) as session:
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
    except WorkflowError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()

    for row in result.unmatched:
        typer.echo(
            f"table row {row.number}: no initiative {row.title!r} in track {row.track!r}", err=True
        )
    for row, _initiative_id in result.matched:
        if row.continued:
            rest = ", ".join(str(n) for n in row.continued)
            typer.echo(f"table row {row.number} continues in row(s) {rest}: {row.title}")
    if result.not_in_file:
        typer.echo(f"{len(result.not_in_file)} active initiative(s) have no row in the file:")
        for label in result.not_in_file:
            typer.echo(f"  {label}")
    if result.cycle_id is None:
        if result.unmatched:
            raise _fail(
                f"{len(result.unmatched)} row(s) match no initiative; nothing was imported. "
                "Fix the titles (or the registry), or pass --allow-unmatched."
            )
        raise _fail("the file has no initiative rows; nothing was imported.")
    typer.echo(f"Imported {len(result.matched)} row(s) as baseline of {target.name}.")
    typer.echo(str(result.cycle_id))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(baseline_app, name="baseline")
