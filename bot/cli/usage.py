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

# Typer 0.29 (the lowest release pyproject allows) bundles click as typer._click.
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from bot.cli.helpers import EXIT_FAILED, EXIT_USAGE, err_console, t
from bot.workflow.messages import N_, use_locale


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
        except click_errors.UsageError as error:
            with use_locale(cli_locale()):
                show_usage_error(error)
            sys.exit(error.exit_code)
        except typer.Abort:
            with use_locale(cli_locale()):
                err_console.print(t("Aborted."), markup=False)
            sys.exit(EXIT_FAILED)
        except click_errors.ClickException as error:
            err_console.print(f"statusbot: {error.format_message()}", markup=False)
            sys.exit(error.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def show_usage_error(error: click_errors.UsageError) -> None:
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


def usage_message(error: click_errors.UsageError) -> str:
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
    return _translated(error.message)


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


# Click's and Typer's English lines (``{name}`` stands for any text) and the
# msgid each becomes, with the same names. {kind} is Typer's file/dir/path.
_CLICK_LINES = {
    "No such command '{name}'.": N_("No such command '{name}'."),
    "No such command '{name}'. Did you mean '{other}'?": N_(
        "No such command '{name}'. Did you mean '{other}'?"
    ),
    "Missing command.": N_("Missing command."),
    "Got unexpected extra argument(s) ({args})": N_("Unexpected extra arguments: {args}"),
    "Option '{name}' requires an argument.": N_("Option '{name}' needs a value."),
    "Option '{name}' requires {n} arguments.": N_("Option '{name}' needs {n} values."),
    "Option '{name}' does not take a value.": N_("Option '{name}' takes no value."),
    "Argument '{name}' takes {n} values.": N_("Argument '{name}' takes {n} values."),
    "{kind} {path} does not exist.": N_("{path} does not exist."),
    "{kind} {path} is a file.": N_("{path} is a file, not a folder."),
    "{kind} {path} is a directory.": N_("{path} is a folder, not a file."),
    "{kind} {path} is not readable.": N_("{path} cannot be read."),
    "{kind} {path} is not writable.": N_("{path} cannot be written."),
    "{value} is not one of {choices}.": N_("{value} is not one of {choices}."),
}


def _pattern(english: str) -> re.Pattern[str]:
    """``english`` as a regular expression, each ``{name}`` a named group."""
    parts = re.split(r"\{(\w+)\}", english)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$"
    )


_CLICK_PATTERNS = [(_pattern(english), msgid) for english, msgid in _CLICK_LINES.items()]


def _translated(message: str) -> str:
    """One of click's or Typer's lines in the configured language; any other
    line is one of our own, already translated."""
    for pattern, msgid in _CLICK_PATTERNS:
        found = pattern.match(message)
        if found:
            return t(msgid, **found.groupdict())
    return message


def _reason(error: Any) -> str:
    """Why the value was refused: from the validation error Typer's coercion
    raised (pydantic), else from Typer's own path and choice checks or from
    our own callbacks."""
    from pydantic import ValidationError

    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        reason = _validation_reason(cause.errors()[0])
        if reason is not None:
            return reason
    return _translated(error.message.removeprefix("Value error, "))


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
