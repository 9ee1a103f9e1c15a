"""Text helpers for Block Kit: escaping, abridging, and splitting long statuses.

Slack treats ``&``, ``<`` and ``>`` as control characters in message text
(``<!channel>``, ``<@U123>``, links); everything a person or an import wrote
goes through :func:`escape` so it can never mention anyone.

**The one rule for a message's text** (the top-level ``text`` of every message,
ephemeral, update and reply, a slash command's answer, a file upload's
``initial_comment``): it passes :func:`slack_text` — use
:func:`bot.blocks.kit.message` to build a message and :func:`slack_text` for
the odd text argument. A plain ``str`` is taken as plain text and escaped
there; text that is mrkdwn already (its names escaped while it was put
together, e.g. to reuse a section's text as the fallback) is marked
:class:`Mrkdwn` and passes unchanged. Forgetting the mark escapes twice
(``&amp;amp;``), never too little. tests/reliability/test_hostile_names.py
sends every kind of message with hostile names and checks what reaches Slack.
"""

from __future__ import annotations

import re

from bot.blocks import limits

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def escape(text: str) -> str:
    """Escape Slack's three control characters (and nothing else)."""
    return text.translate(_ESCAPES)


class Mrkdwn(str):
    """Slack mrkdwn written by the bot: every name, title or text from people
    or imports inside it went through :func:`escape`. Only this marks a text
    as safe for :func:`slack_text`; any operation on it (``+``, ``format``)
    returns a plain ``str`` again."""

    __slots__ = ()


def slack_text(text: str) -> str:
    """The text of a message or file comment as Slack gets it: plain text is
    escaped, :class:`Mrkdwn` is already."""
    return str(text) if isinstance(text, Mrkdwn) else escape(text)


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary if one is near."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ellipsis


def abridge(plain: str, limit: int = limits.ABRIDGED_CHARS) -> str:
    """A one-paragraph preview of a status (lines joined by spaces, then clipped)."""
    return clip(" ".join(plain.split()), limit)


def clip_escaped(text: str, limit: int) -> str:
    """Escape, making sure the *escaped* result fits in ``limit`` characters."""
    escaped = escape(text)
    while len(escaped) > limit:
        text = clip(text, max(1, len(text) - (len(escaped) - limit) - 1))
        escaped = escape(text)
    return escaped


def split_markup(markup: str, limit: int = limits.INPUT_MAX_CHARS) -> list[str]:
    """Split status markup into pieces of at most ``limit`` characters.

    Pieces break at paragraph boundaries (blank lines); a bullet list longer
    than ``limit`` breaks between items, and a single paragraph longer than
    ``limit`` between sentences (or words). :func:`merge_parts` joins the
    pieces with blank lines, so the text is kept in full; only an over-long
    paragraph gains a paragraph break.
    """
    markup = markup.strip()
    if not markup:
        return []
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markup):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        lines = paragraph.split("\n")
        if len(lines) > 1:  # a bullet group: keep items whole
            units.extend(_pack(lines, limit, "\n", split_long=True))
        else:
            units.extend(_split_paragraph(paragraph, limit))
    return _pack(units, limit, "\n\n", split_long=False)


def merge_parts(parts: list[str | None]) -> str:
    """Inverse of :func:`split_markup`: the non-empty pieces joined by blank lines."""
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _split_paragraph(paragraph: str, limit: int) -> list[str]:
    pieces = [s for s in _SENTENCE_END.split(paragraph) if s]
    words: list[str] = []
    for piece in pieces:
        if len(piece) <= limit:
            words.append(piece)
            continue
        for word in piece.split(" "):
            while len(word) > limit:  # no space at all: cut hard
                words.append(word[:limit])
                word = word[limit:]
            if word:
                words.append(word)
    return _pack(words, limit, " ", split_long=False)


def _pack(units: list[str], limit: int, sep: str, *, split_long: bool) -> list[str]:
    out: list[str] = []
    current = ""
    for unit in units:
        if split_long and len(unit) > limit:
            if current:
                out.append(current)
                current = ""
            out.extend(_split_paragraph(unit, limit))
            continue
        candidate = f"{current}{sep}{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                out.append(current)
            current = unit
    if current:
        out.append(current)
    return out
