"""``statusbot demo [--out DIR] [--keep-db]``: one full cycle on the built-in
sample data, through the real bot against an in-process fake Slack."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bot.cli.helpers import console, err_console, fail, output_folder
from bot.workflow.messages import use_locale

if TYPE_CHECKING:
    from bot.demo.runner import DemoResult

DEFAULT_OUT = Path("statusbot-demo")


def demo(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder for the approved report files.", file_okay=False),
    ] = DEFAULT_OUT,
    keep_db: Annotated[
        bool,
        typer.Option(
            "--keep-db",
            help="Keep the demo's SQLite database in the --out folder (statusbot-demo.db) "
            "instead of a temporary folder.",
        ),
    ] = False,
) -> None:
    """Run a whole reporting cycle on built-in sample data, no Slack account needed.

    A fictional municipality's area (22 initiatives, 8 managers, 2 coordinators)
    goes through the real bot: prompts, answers, a delegation, reminders, the
    digest, compile, send back, revision, two approvals and publishing, with
    Slack played by a fake on this machine. Settings and .env are not read.
    The approved report is written as HTML, Word, Markdown and (with Typst) PDF.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.demo.runner import PHASES, run_demo
    from bot.demo.slackui import DemoError

    names = list(PHASES)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=len(names))

        def step(phase: str) -> None:
            bar.update(task, completed=names.index(phase), description=PHASES[phase])

        try:
            with use_locale("en"):  # the demo reads no settings; it tells its story in English
                output_folder(out, create=True)
            result = run_demo(out, keep_db=keep_db, step=step)
        except DemoError as exc:
            raise fail(f"the demo stopped: {exc}") from None
        except OSError as exc:
            raise fail(f"cannot write to {out}: {exc}") from None
        bar.update(task, completed=len(names))
    show(result)


def show(result: DemoResult) -> None:
    console.print("[bold]What happened in Slack[/bold] (fake workspace, simulated clock)\n")
    for line in result.narration.lines:
        console.print(f"[dim]{line.when:%a %d %b %H:%M}[/dim]  {escape(line.text)}")
    console.print("\n[bold]The approved report[/bold]")
    for fmt, path in result.files.items():
        if fmt != "agenda":
            console.print(f"  {fmt:<5} {escape(str(path))}")
    if "agenda" in result.files:
        console.print("\n[bold]The committee's agenda item package[/bold]")
        console.print(f"  zip   {escape(str(result.files['agenda']))}")
    if "pdf" not in result.files:
        console.print("  (no PDF: install the [pdf] extra (Typst) for one)")
    for answered in result.captured.forms:
        console.print("\n[bold]The owner outside Slack[/bold] (e-mail and the web form)")
        console.print(
            f"  prompt mailed to {escape(answered.email)}: {escape(str(answered.mail_path))}"
        )
        console.print(f"  personal link:  {escape(answered.link)}")
        console.print(
            f"  answered {answered.saved} initiatives in the form; receipt:"
            f" {escape(answered.receipt_url)}"
        )
    if result.database is not None:
        console.print(
            f"\nDatabase kept: {escape(str(result.database))} — try "
            f"STATUSBOT_DATABASE_URL=sqlite:///{escape(str(result.database.resolve()))} "
            f"{escape(statusbot_command())} cycle show {result.cycle_id}"
        )
    console.print(f"\nDone in {result.seconds:.1f} s.")


def statusbot_command() -> str:
    """How to run statusbot from here: ``statusbot`` when it is on PATH, else
    the path of the running script (``.venv/bin/statusbot`` after ``make demo``)."""
    running = Path(sys.argv[0])
    on_path = shutil.which("statusbot")
    if on_path is not None or running.name != "statusbot" or not running.is_file():
        return "statusbot"
    try:
        return str(running.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(running.resolve())


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
