"""Table-driven `/status` sub-commands, so other components can add their own.

    from handlers.commands.registry import Reply, subcommand

    @subcommand("compile", usage="/status compile [area]", summary="…", coordinators=True)
    def compile_(call: CommandCall) -> Reply: ...

``summary`` is an English source string of the ``slack`` domain, translated
when `/status help` lists it. A handler returns a :class:`Reply` (ephemeral
text and/or blocks, sent back in the acknowledgement) and may raise
:class:`handlers.common.Refusal` or a :class:`bot.errors.WorkflowError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.runtime import Deps
from handlers.common import Caller


@dataclass
class CommandCall:
    deps: Deps
    session: Session
    who: Caller
    args: list[str]  # the words after the sub-command
    text: str  # everything after the sub-command, as typed
    body: dict[str, Any]
    client: WebClient
    now: datetime


@dataclass
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Subcommand:
    name: str
    run: Callable[[CommandCall], Reply]
    usage: str
    summary: str  # msgid, translated by `/status help`
    coordinators: bool = False  # listed under "for coordinators"
    aliases: tuple[str, ...] = field(default=())
    domain: str = "slack"  # gettext domain holding ``summary``


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str,
    *,
    usage: str,
    summary: str,
    coordinators: bool = False,
    aliases: tuple[str, ...] = (),
    domain: str = "slack",
) -> Callable[[Callable[[CommandCall], Reply]], Callable[[CommandCall], Reply]]:
    def decorator(fn: Callable[[CommandCall], Reply]) -> Callable[[CommandCall], Reply]:
        entry = Subcommand(name, fn, usage, summary, coordinators, aliases, domain)
        for key in (name, *aliases):
            SUBCOMMANDS[key] = entry
        return fn

    return decorator


def lookup(name: str) -> Subcommand | None:
    return SUBCOMMANDS.get(name.lower())


def listed() -> list[Subcommand]:
    """Each sub-command once, in registration order."""
    return list({id(s): s for s in SUBCOMMANDS.values()}.values())
