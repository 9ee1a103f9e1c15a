"""Shared plumbing of the CLI commands: settings, database, errors, output.

Any command module may use these::

    with command_context() as ctx:          # settings errors → exit 2,
        with ctx.session() as session:      # rule errors → exit 1
            ...

Every line a command prints goes through :func:`t` (gettext domain ``cli``,
``STATUSBOT_LOCALE``'s language); help texts stay English. Options that name
a cycle, a format or an output path use :data:`CycleOption`,
:func:`pick_cycle`, :func:`format_option`, :func:`output_file` and
:func:`output_folder`, so every command reads and refuses them alike; files
are written with :func:`write_atomically`.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from bot.errors import InvalidInput, WorkflowError
from bot.i18n import plural_text, text
from bot.workflow.messages import current_locale, use_locale

# Imported where used, not here: every command's start (``--help`` too) pays
# for what this module imports (see bot/cli/__init__.py).
if TYPE_CHECKING:
    from rich.table import Table
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from bot.settings import Settings
    from bot.workflow.actor import Actor

# Piped output (scripts, logs) gets wide lines rather than cells wrapped at 80.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 160)
console = Console(highlight=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

T = TypeVar("T")
EXIT_FAILED = 1
EXIT_USAGE = 2
DOMAIN = "cli"


def t(msgid: str, /, **params: Any) -> str:
    """A result or error line in the configured language (domain ``cli``)."""
    return text(DOMAIN, current_locale(), msgid, **params)


def nt(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """A line whose words follow the count ``n`` (domain ``cli``)."""
    return plural_text(DOMAIN, current_locale(), singular, plural, n, **params)


def say(msgid: str, /, **params: Any) -> None:
    """Print a translated line as it is (no Rich markup)."""
    console.print(t(msgid, **params), markup=False)


def acting_name(actor: Actor) -> str:
    """Who acted, as a result line names them: the ``--as`` person's own label
    (not the audited "… (cli:user)")."""
    return actor.person.label if actor.person is not None else actor.label


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> Table:
    """A Rich table whose cells wrap instead of being cut off with "…"."""
    from rich.table import Table

    result = Table(title=title, show_header=True)
    for column in columns:
        result.add_column(column, overflow="fold", justify="right" if column in right else "left")
    return result


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print ``statusbot: message`` on stderr; return the Exit to raise."""
    err_console.print(f"statusbot: {message}", markup=False)
    return typer.Exit(code)


def missing_sqlite_file(database_url: str) -> str | None:
    """The path of a SQLite database file that does not exist (connecting
    would create it), else None."""
    from sqlalchemy.engine import make_url

    from storage.db import is_sqlite

    if not is_sqlite(database_url):
        return None
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return None if Path(database).exists() else database


@dataclass
class CommandContext:
    settings: Settings
    _engine: Engine | None = None
    _factory: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from storage.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def database_label(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def require_database(self) -> None:
        """Stop before connecting to a SQLite file that does not exist: only
        ``statusbot init`` creates the database."""
        missing = missing_sqlite_file(self.settings.database_url)
        if missing is not None:
            raise fail(
                t("There is no database at {path}; run `statusbot init` first.", path=missing)
            )

    def require_schema(self) -> None:
        """Stop with a clear message when ``statusbot init`` has not been run."""
        from sqlalchemy.exc import OperationalError

        from storage.migrate import current_revision, head_revision, schema_is_current

        self.require_database()
        if schema_is_current(self.engine):
            return
        try:
            current = current_revision(self.engine)
        except OperationalError as exc:
            raise fail(
                t(
                    "Cannot open the database {database}: {reason}",
                    database=self.database_label(),
                    reason=exc.orig,
                )
            ) from None
        if current is None:
            raise fail(
                t(
                    "The database {database} is empty; run `statusbot init` first.",
                    database=self.database_label(),
                )
            )
        if current != head_revision():
            raise fail(
                t(
                    "The database schema is at {current}, this version needs {head}; "
                    "run `statusbot init` to upgrade it.",
                    current=current,
                    head=head_revision(),
                )
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A committed-on-success session on an initialised database."""
        from storage.db import make_session_factory, session_scope

        if self._factory is None:
            self.require_schema()
            self._factory = make_session_factory(self.engine)
        with session_scope(self._factory) as session:
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


@contextmanager
def command_context() -> Iterator[CommandContext]:
    """Settings, locale and error handling for one command: settings problems
    exit 2, broken rules (:class:`WorkflowError`) and database errors exit 1."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    ctx = CommandContext(settings)
    try:
        with use_locale(settings.locale):
            yield ctx
    except WorkflowError as exc:
        raise fail(exc.message) from None
    except SettingsError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except (OperationalError, ProgrammingError) as exc:
        raise fail(t("Database error: {reason}", reason=exc.orig)) from None
    finally:
        ctx.close()


_TEAM_ID = re.compile(r"^T[A-Z0-9]{1,30}$")


def _check_team(value: str) -> str:
    value = value.strip()
    if value and not _TEAM_ID.match(value):
        raise typer.BadParameter(t("{value} is not a Slack workspace id (T…).", value=value))
    return value


# Whose data a command acts on. Multi-workspace (OAuth) installs keep each
# workspace's areas and people apart; "" is the single-workspace install.
TeamOption = Annotated[
    str,
    typer.Option(
        "--team",
        help="Slack workspace id (T…) of a multi-workspace (OAuth) install; "
        "default: the single workspace.",
        callback=_check_team,
    ),
]


def usage_value(parse: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an option parser; its :class:`InvalidInput` is a usage error (exit 2)."""
    try:
        return parse(*args, **kwargs)
    except InvalidInput as exc:
        raise fail(exc.message, EXIT_USAGE) from None


# ------------------------------------------------------------------ cycles

CYCLE_HELP = "The cycle's id (`statusbot cycle list` shows them)."
CycleOption = Annotated[
    int | None, typer.Option("--cycle", help=CYCLE_HELP, metavar="ID", show_default=False)
]
RequiredCycleOption = Annotated[int, typer.Option("--cycle", help=CYCLE_HELP, metavar="ID")]
CycleArgument = Annotated[
    int | None,
    typer.Argument(
        help="The cycle's id (or --cycle ID; `statusbot cycle list` shows them).",
        metavar="ID",
        show_default=False,
    ),
]


def pick_cycle(positional: int | None, option: int | None) -> int:
    """The cycle named positionally or with ``--cycle`` (once, or twice alike)."""
    if positional is not None and option is not None and positional != option:
        raise fail(
            t(
                "Two different cycles were named ({first} and --cycle {second}); name one.",
                first=positional,
                second=option,
            ),
            EXIT_USAGE,
        )
    chosen = positional if positional is not None else option
    if chosen is None:
        raise fail(t("Name the cycle with --cycle ID (see `statusbot cycle list`)."), EXIT_USAGE)
    return chosen


# ------------------------------------------------------------------ formats


class Format(StrEnum):
    html = "html"
    docx = "docx"
    pdf = "pdf"
    md = "md"
    pptx = "pptx"


# File endings each format is written with; another ending contradicts it.
SUFFIXES = {
    Format.html: (".html", ".htm"),
    Format.docx: (".docx",),
    Format.pdf: (".pdf",),
    Format.md: (".md", ".markdown"),
    Format.pptx: (".pptx",),
}


def format_option(help: str = "Output format (any case).") -> Any:
    """``--format/-f`` as a case-insensitive choice of :class:`Format`."""
    return typer.Option("--format", "-f", help=help, case_sensitive=False, show_default=False)


def format_from_suffix(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((fmt for fmt, endings in SUFFIXES.items() if suffix in endings), None)


def pick_format(fmt: Format | None, output: Path | None) -> Format:
    """The format given, else the one ``-o``'s ending names; a format that
    contradicts the ending of another format (``--format html -o x.docx``) is
    refused, an ending no format uses is not."""
    from_path = format_from_suffix(output) if output is not None else None
    if fmt is None:
        if from_path is None:
            raise fail(
                t("Give the format with --format (html, docx, pdf, md or pptx)."), EXIT_USAGE
            )
        return from_path
    if output is not None and from_path is not None and from_path is not fmt:
        raise fail(
            t(
                "{path} ends in {suffix}, which is not a {format} file; give a file name ending "
                "in {expected} or another --format.",
                path=output,
                suffix=output.suffix,
                format=fmt.value,
                expected=SUFFIXES[fmt][0],
            ),
            EXIT_USAGE,
        )
    return fmt


# ------------------------------------------------------------------ command groups


PERSON_HELP = "People: how they are reached, and their absences."


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """The sub-command group ``name`` of ``app``, made on first use: several
    modules add commands to one group (``person set``, ``person away`` …)."""
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            return group.typer_instance
    made = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(made, name=name)
    return made


# ------------------------------------------------------------------ input files


def existing_file(path: Path) -> Path:
    """A file named on the command line as input: a missing one (or a folder)
    is a usage error (exit 2), worded the same by every command."""
    if path.is_dir():
        raise fail(t("{file} is a folder, not a file.", file=str(path)), EXIT_USAGE)
    if not path.exists():
        raise fail(t("{file}: no such file.", file=str(path)), EXIT_USAGE)
    return path


def read_text_file(path: Path) -> str:
    """A UTF-8 text file named on the command line (a BOM is allowed)."""
    existing_file(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise fail(t("{file} is not UTF-8 text.", file=str(path)), EXIT_USAGE) from None
    except OSError as exc:
        raise fail(
            t("Cannot read {file}: {error}.", file=str(path), error=exc.strerror), EXIT_USAGE
        ) from None


# ------------------------------------------------------------------ output paths


def output_file(path: Path) -> Path:
    """``-o FILE``: a file name in a folder that exists (nothing is created)."""
    if path.is_dir():
        raise fail(t("{path} is a folder; give a file name for -o.", path=path), EXIT_USAGE)
    folder = path.parent
    if not folder.is_dir():
        raise fail(
            t(
                "The folder {folder} does not exist; create it first or choose another -o.",
                folder=folder,
            ),
            EXIT_USAGE,
        )
    return path


def output_folder(path: Path, *, create: bool = False) -> Path:
    """``-o/--out FOLDER``: a folder that exists (with ``create``, one new folder
    inside an existing one is made, and said; never a whole path)."""
    if path.is_dir():
        return path
    if path.exists():
        raise fail(t("{path} is a file; give a folder for -o.", path=path), EXIT_USAGE)
    if create and path.parent.is_dir():
        path.mkdir()
        say("Created the folder {folder}.", folder=path)
        return path
    raise fail(
        t("The folder {folder} does not exist; create it first or choose another -o.", folder=path),
        EXIT_USAGE,
    )


# Files are readable by the group unless the umask says otherwise (the systemd
# unit's UMask=0027 gives 0640): reports are meant to be shared.
FILE_MODE = 0o666


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (temporary file + rename), with the
    mode a plain ``open`` would give under the process's umask."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
