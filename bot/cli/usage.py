"""The command line's usage errors in the configured language.

Typer parses the command line with its own copy of click, whose messages
("Missing option '--area'.", "No such option: --bogus") are English literals
without gettext. So the root command runs Typer non-standalone and prints the
usage errors itself: the usage line, where to find help and the error, each
through the ``cli`` catalog, rebuilt from the exception's fields (the option,
the value, the limit) rather than from its English text.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from pydantic import ValidationError

# Typer 0.29 (the lowest release pyproject allows) bundles click as typer._click.
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from bot.cli.helpers import EXIT_FAILED, EXIT_USAGE, err_console, t
from bot.workflow.messages import N_, use_locale

Abort = typer.Abort
ClickException = click_errors.ClickException
UsageError = click_errors.UsageError


def cli_locale() -> str:
    """STATUSBOT_LOCALE's language, read leniently: a usage error comes before
    the command has checked its settings, and must be told even when they are bad."""
    from bot.settings import Settings, SettingsError, load_settings

    try:
        return load_settings().locale
    except SettingsError:
        named = os.environ.get("STATUSBOT_LOCALE", "").strip().lower()
        return named if named in ("da", "en") else Settings.model_fields["locale"].default


class LocalizedGroup(TyperGroup):
    """The root command: Typer's parsing, this module's error lines."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError:
            sys.exit(EXIT_USAGE)  # Typer printed the help while raising it
        except UsageError as error:
            with use_locale(cli_locale()):
                show_usage_error(error)
            sys.exit(error.exit_code)
        except Abort:
            with use_locale(cli_locale()):
                err_console.print(t("Aborted."), markup=False)
            sys.exit(EXIT_FAILED)
        except ClickException as error:
            err_console.print(f"statusbot: {error.format_message()}", markup=False)
            sys.exit(error.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def show_usage_error(error: UsageError) -> None:
    """The usage line, the hint to ``--help`` and the error, on stderr."""
    ctx = error.ctx
    if ctx is not None:
        pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
        err_console.print(
            t("Usage: {command}", command=f"{ctx.command_path} {pieces}"), markup=False
        )
        if ctx.command.get_help_option(ctx) is not None:
            help_option = ctx.help_option_names[0]
            err_console.print(
                t(
                    "Try '{command} {option}' for help.",
                    command=ctx.command_path,
                    option=help_option,
                ),
                markup=False,
            )
    err_console.print(f"statusbot: {usage_message(error)}", markup=False)


def usage_message(error: UsageError) -> str:
    """The error in the configured language."""
    if isinstance(error, click_errors.NoSuchOption):
        line = t("No such option: {option}", option=error.option_name)
        if error.possibilities:
            options = ", ".join(sorted(error.possibilities))
            line += " " + t("(Possible options: {options})", options=options)
        return line
    if isinstance(error, click_errors.MissingParameter):
        return _missing(error)
    if isinstance(error, click_errors.BadParameter):
        name = _param_name(error.param, error.param_hint)
        reason = _reason(error)
        if name is None:
            return t("Invalid value: {reason}", reason=reason)
        return t("Invalid value for {name}: {reason}", name=name, reason=reason)
    return _usage_line(error.message)


def _param_name(param: Any, hint: Any) -> str | None:
    if hint is not None:
        return " / ".join(repr(h) for h in hint) if isinstance(hint, (list, tuple)) else str(hint)
    return param.get_error_hint() if param is not None else None


def _missing(error: Any) -> str:
    name = _param_name(error.param, error.param_hint) or ""
    kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
    if kind == "option":
        return t("Missing option {name}.", name=name)
    if kind == "argument":
        return t("Missing argument {name}.", name=name)
    return t("Missing parameter {name}.", name=name)


# Messages click and Typer raise as plain text: (pattern, msgid with the same groups).
_USAGE_LINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"No such command '(?P<name>.*)'\.$"), N_("No such command '{name}'.")),
    (
        re.compile(r"No such command '(?P<name>.*)'\. Did you mean '(?P<other>.*)'\?$"),
        N_("No such command '{name}'. Did you mean '{other}'?"),
    ),
    (re.compile(r"Missing command\.$"), N_("Missing command.")),
    (
        re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)$"),
        N_("Unexpected extra arguments: {args}"),
    ),
    (
        re.compile(r"Option '(?P<name>.*)' requires an argument\.$"),
        N_("Option '{name}' needs a value."),
    ),
    (
        re.compile(r"Option '(?P<name>.*)' requires (?P<n>\d+) arguments\.$"),
        N_("Option '{name}' needs {n} values."),
    ),
    (
        re.compile(r"Option '(?P<name>.*)' does not take a value\.$"),
        N_("Option '{name}' takes no value."),
    ),
    (
        re.compile(r"Argument '(?P<name>.*)' takes (?P<n>\d+) values\.$"),
        N_("Argument '{name}' takes {n} values."),
    ),
)


def _usage_line(message: str) -> str:
    for pattern, msgid in _USAGE_LINES:
        found = pattern.match(message)
        if found:
            return t(msgid, **found.groupdict())
    return message  # a line of our own, already in the configured language


_PATH_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?:file|dir|path) (?P<path>'.*') does not exist\.$"),
        N_("{path} does not exist."),
    ),
    (
        re.compile(r"(?:file|dir|path) (?P<path>'.*') is a file\.$"),
        N_("{path} is a file, not a folder."),
    ),
    (
        re.compile(r"(?:file|dir|path) (?P<path>'.*') is a directory\.$"),
        N_("{path} is a folder, not a file."),
    ),
    (
        re.compile(r"(?:file|dir|path) (?P<path>'.*') is not readable\.$"),
        N_("{path} cannot be read."),
    ),
    (
        re.compile(r"(?:file|dir|path) (?P<path>'.*') is not writable\.$"),
        N_("{path} cannot be written."),
    ),
    (
        re.compile(r"(?P<value>'.*') is not one of (?P<choices>.*)\.$"),
        N_("{value} is not one of {choices}."),
    ),
)


def _reason(error: Any) -> str:
    """Why the value was refused: from the validation error Typer's coercion
    raised (pydantic), else from Typer's own path and choice checks."""
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        reason = _validation_reason(cause.errors()[0])
        if reason is not None:
            return reason
    message = re.sub(r"^Value error, ", "", error.message)
    for pattern, msgid in _PATH_PROBLEMS:
        found = pattern.match(message)
        if found:
            return t(msgid, **found.groupdict())
    return message  # raised by our own callbacks, already translated


_LIMITS = {
    "greater_than_equal": ("ge", N_("It must be at least {limit}.")),
    "greater_than": ("gt", N_("It must be greater than {limit}.")),
    "less_than_equal": ("le", N_("It must be at most {limit}.")),
    "less_than": ("lt", N_("It must be less than {limit}.")),
}


def _validation_reason(detail: Any) -> str | None:
    kind = detail.get("type", "")
    value = detail.get("input")
    shown = f"'{value}'"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return t("{value} is not a whole number.", value=shown)
    if kind in {"float_parsing", "float_type", "decimal_parsing"}:
        return t("{value} is not a number.", value=shown)
    if kind in {"bool_parsing", "bool_type"}:
        return t("{value} is neither yes nor no (true/false).", value=shown)
    if kind.startswith(("date_", "datetime_")):
        return t("{value} is not a date; write it as YYYY-MM-DD.", value=shown)
    if kind in _LIMITS:
        key, msgid = _LIMITS[kind]
        return t(msgid, limit=(detail.get("ctx") or {}).get(key))
    if kind == "enum":
        expected = (detail.get("ctx") or {}).get("expected", "")
        return t("{value} is not one of {choices}.", value=shown, choices=expected)
    return None
