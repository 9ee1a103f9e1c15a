"""The ``statusbot`` command line (Typer).

Each command group lives in its own module and registers itself on :data:`app`
through a ``register(app)`` function, listed in :data:`COMMAND_MODULES`.
Exit codes: 0 success, 1 the action failed (a rule was broken, a file had bad
rows), 2 usage or settings error.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

from bot.cli.usage import LocalizedGroup


def _no_type_for_flags() -> None:
    """Typer's Rich help shows ``<bool>`` after every on/off flag (--help too),
    as if it took a value; a flag's help shows no type instead."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag and not self.count else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_no_type_for_flags()

app = typer.Typer(
    name="statusbot",
    cls=LocalizedGroup,
    help="Runs periodic status reporting from Slack and assembles the consolidated report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# The command groups: modules with a ``register(app: typer.Typer) -> None``.
#
# Every command's start (``--help`` too) imports all of them, so a command
# module imports at its top only typer, the standard library, bot.cli.helpers
# and other light modules (bot.i18n, bot.errors, bot.workflow.messages). The
# rest — sqlalchemy and storage.models, bot.review, reports, slack_sdk,
# bot.settings (pydantic-settings), rich.progress … — is imported inside the
# command function that uses it; names needed only in type hints go under
# ``if TYPE_CHECKING:``. Types in a command's own signature are evaluated by
# Typer, so keep those light. `python bench/cli_startup.py` shows the cost.
COMMAND_MODULES = (
    "bot.cli.setup",  # init, import, roles
    "bot.cli.registry",  # initiative list/rename/move/retire/restore
    "bot.cli.cycles",  # cycle open/list/show/close
    "bot.cli.report",  # report, baseline import
    "bot.cli.serve",  # serve
    "bot.cli.review",  # coordinator actions
    "bot.cli.answers",  # entry set, answers export/import
    "bot.cli.areas",  # area list/show/set
    "bot.cli.audit",  # audit
    "bot.cli.demo",  # demo
    "bot.cli.ops",  # doctor
    "bot.cli.schedule",  # schedule set/show/clear
    "bot.cli.people",  # person set --channel
    "bot.cli.absence",  # person away/back/absences
    "bot.cli.history",  # initiative history
    "bot.cli.committee",  # committee item/decision/show
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()


def main() -> None:
    try:
        app()
    except Exception as exc:
        from bot.settings import SettingsError  # not before it is needed (see above)

        if not isinstance(exc, SettingsError):
            raise
        typer.echo(f"statusbot: {exc}", err=True)
        sys.exit(2)
