"""Shared plumbing of the CLI commands: settings, database, errors, output.

Any command module may use these::

    with command_context() as ctx:          # settings errors → exit 2,
        with ctx.session() as session:      # rule errors → exit 1
            ...
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, WorkflowError
from bot.settings import Settings, SettingsError, load_settings
from bot.workflow.messages import use_locale
from storage.db import make_engine, make_session_factory, session_scope
from storage.migrate import current_revision, head_revision

# Piped output (scripts, logs) gets wide lines rather than cells wrapped at 80.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 160)
console = Console(highlight=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

T = TypeVar("T")
EXIT_FAILED = 1
EXIT_USAGE = 2


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> Table:
    """A Rich table whose cells wrap instead of being cut off with "…"."""
    result = Table(title=title, show_header=True)
    for column in columns:
        result.add_column(column, overflow="fold", justify="right" if column in right else "left")
    return result


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print ``statusbot: message`` on stderr; return the Exit to raise."""
    err_console.print(f"statusbot: {message}", markup=False)
    return typer.Exit(code)


@dataclass
class CommandContext:
    settings: Settings
    _engine: Engine | None = None
    _factory: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def database_label(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def require_schema(self) -> None:
        """Stop with a clear message when ``statusbot init`` has not been run."""
        try:
            current = current_revision(self.engine)
        except OperationalError as exc:
            raise fail(f"cannot open the database {self.database_label()}: {exc.orig}") from None
        if current is None:
            raise fail(f"the database {self.database_label()} is empty; run `statusbot init` first")
        if current != head_revision():
            raise fail(
                f"the database schema is at {current}, this version needs {head_revision()}; "
                "run `statusbot init` to upgrade it"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A committed-on-success session on an initialised database."""
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
        raise fail(f"database error: {exc.orig}") from None
    finally:
        ctx.close()


_TEAM_ID = re.compile(r"^T[A-Z0-9]{1,30}$")


def _check_team(value: str) -> str:
    value = value.strip()
    if value and not _TEAM_ID.match(value):
        raise typer.BadParameter(f"{value!r} is not a Slack workspace id (T…)")
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
