"""Tiny constructors for Block Kit JSON (dicts), clipped to Slack's limits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.blocks import limits
from bot.blocks.text import Mrkdwn, clip, slack_text

Block = dict[str, Any]


def message(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    """A message: ``text`` (the notification and fallback; plain text, or
    :class:`~bot.blocks.text.Mrkdwn`) through :func:`~bot.blocks.text.slack_text`,
    and its blocks. Every message the bot sends is built here; the text it
    returns is marked escaped, so building again does not escape twice."""
    built: dict[str, Any] = {"text": Mrkdwn(clip(slack_text(text), limits.MESSAGE_TEXT_MAX))}
    if blocks is not None:
        built["blocks"] = blocks
    return built


def plain(text: str, limit: int = limits.SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = limits.SECTION_TEXT_MAX) -> dict[str, Any]:
    # verbatim: no auto-linking of names or channels in what we pass through.
    return {"type": "mrkdwn", "text": clip(text, limit) or " ", "verbatim": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limits.HEADER_TEXT_MAX)}


def section(text: str, *, markdown: bool = True) -> Block:
    return {"type": "section", "text": mrkdwn(text) if markdown else plain(text)}


def context(*texts: str) -> Block:
    elements = [mrkdwn(t, 2000) for t in texts if t][: limits.CONTEXT_MAX_ELEMENTS]
    return {"type": "context", "elements": elements or [mrkdwn(" ")]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, confirm: Block | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, limits.BUTTON_TEXT_MAX),
        "action_id": action_id[: limits.ACTION_ID_MAX],
        "value": value[: limits.BUTTON_VALUE_MAX],
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[: limits.ACTIONS_MAX_ELEMENTS]}
    if block_id:
        block["block_id"] = block_id
    return block


def fmt_date(day: date, locale: str) -> str:
    return format_date(day, format="long", locale=locale)


def fmt_datetime(moment: datetime, tz: ZoneInfo, locale: str) -> str:
    """``1. maj 2024 kl. 12.00 CEST`` / ``May 1, 2024 at 12:00 CEST``."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), format="long", locale=locale)
    clock = format_time(local, format="HH:mm" if locale == "en" else "HH.mm", locale=locale)
    joiner = " kl. " if locale == "da" else " at "
    return f"{day}{joiner}{clock} {local.tzname() or ''}".rstrip()


def fmt_time(moment: datetime, tz: ZoneInfo, locale: str) -> str:
    """Short form for "answered at": ``3. maj kl. 14.02``."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), format="d. MMM" if locale == "da" else "MMM d", locale=locale)
    clock = local.strftime("%H.%M" if locale == "da" else "%H:%M")
    joiner = " kl. " if locale == "da" else ", "
    return f"{day}{joiner}{clock}"
