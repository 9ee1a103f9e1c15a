"""Structured status text.

A status is a list of blocks, each a paragraph or a bullet item, as in the seed
reports' ``<p>`` and ``<ol>`` content. It is stored as JSON validated by pydantic
and never as HTML: renderers escape every block themselves.

For editing in a plain text box (Slack modals, CSV) the same structure has a
lightweight markup: blocks are separated by blank lines, and a line starting
with ``- ``, ``* ``, ``• `` or ``– `` is a bullet item. Consecutive bullet lines
need no blank line between them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

# Only symbol markers start a bullet: "14. marts 2024 …" is a sentence, not item 14.
BULLET_PREFIX = re.compile(r"^\s*[-*•–·▪◦]\s+")
# Control characters other than tab/newline are dropped; bidi overrides too, so a
# status cannot visually reorder the text around it.
_STRIP = {ch for ch in map(chr, range(0x20)) if ch not in "\t\n"} | {
    "\x7f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
}
_STRIP_TABLE = {ord(ch): None for ch in _STRIP}

MAX_BLOCK_CHARS = 20_000
MAX_BLOCKS = 500
# A whole status, as its markup (what the edit form holds). Every status written
# is at most this long, so the form can always show all of it: the Slack form's
# 90 boxes of 3,000 characters, packed at paragraph breaks, hold any text up to
# ~134,000 characters (tests/blocks/test_blocks_modal_text.py checks this bound
# against the form). Statuses read back from the database are not checked, so
# nothing stored before is ever refused.
MAX_STATUS_CHARS = 120_000
# Validation context of statuses read back from the database.
_STORED = {"stored": True}


def clean_text(value: str) -> str:
    """Normalise to NFC, drop control and bidi-override characters, trim spaces."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.translate(_STRIP_TABLE)
    return re.sub(r"[ \t]+", " ", value).strip()


class Block(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["p", "li"] = "p"
    text: str = Field(min_length=1, max_length=MAX_BLOCK_CHARS)

    @field_validator("text", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        if isinstance(value, str):
            return " ".join(clean_text(value).split())
        return value


class StatusText(BaseModel):
    """An ordered list of blocks; empty means "no status"."""

    model_config = ConfigDict(frozen=True)

    blocks: tuple[Block, ...] = Field(default=(), max_length=MAX_BLOCKS)

    def __bool__(self) -> bool:
        return bool(self.blocks)

    @model_validator(mode="after")
    def _fits_the_form(self, info: ValidationInfo) -> StatusText:
        if not (info.context or {}).get("stored") and len(self.to_markup()) > MAX_STATUS_CHARS:
            raise ValueError(f"a status may have at most {MAX_STATUS_CHARS} characters")
        return self

    @property
    def plain(self) -> str:
        """All text, blocks joined by newlines (for search, length checks, diffs)."""
        return "\n".join(b.text for b in self.blocks)

    @classmethod
    def from_markup(cls, markup: str | None) -> StatusText:
        """Parse the lightweight markup described in the module docstring."""
        if not markup:
            return cls()
        blocks: list[Block] = []
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                text = " ".join(paragraph)
                if text.strip():
                    blocks.append(Block(kind="p", text=text))
                paragraph.clear()

        for raw in clean_text(markup).split("\n"):
            line = raw.strip()
            if not line:
                flush()
            elif BULLET_PREFIX.match(line):
                flush()
                item = BULLET_PREFIX.sub("", line, count=1).strip()
                if item:
                    blocks.append(Block(kind="li", text=item))
            elif blocks and blocks[-1].kind == "li" and not paragraph and raw[:1] in " \t":
                # An indented continuation line belongs to the bullet above.
                last = blocks.pop()
                blocks.append(Block(kind="li", text=f"{last.text} {line}"))
            else:
                paragraph.append(line)
        flush()
        return cls(blocks=tuple(blocks))

    def to_markup(self) -> str:
        """Inverse of :meth:`from_markup` (round-trips for any valid StatusText)."""
        parts: list[str] = []
        previous: str | None = None
        for block in self.blocks:
            if block.kind == "li":
                line = f"- {block.text}"
                if previous == "li":
                    parts[-1] += "\n" + line
                else:
                    parts.append(line)
            else:
                parts.append(block.text)
            previous = block.kind
        return "\n\n".join(parts)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes | None) -> StatusText:
        if not data:
            return cls()
        return _ADAPTER.validate_json(data, context=_STORED)


_ADAPTER = TypeAdapter(StatusText)
