"""Structured status text.

A status is a list of blocks: paragraphs (``p``), bullet items (``li``) and
numbered items (``ol``, each keeping its own number and delimiter, as Word's
"1)", "2)", "3)"). A block is a sequence of inline runs that may be italic,
bold or a link (http, https and mailto only); a ``"\\n"`` inside a run is a line
break within the paragraph. Consecutive ``li`` blocks form one bullet list,
consecutive ``ol`` blocks numbered on from each other one numbered list.

It is stored as JSON validated by pydantic and never as HTML: renderers escape
every run themselves. A block is stored as ``{"kind", "text"}`` (the shape rows
written before formatting existed have, and still load), with ``runs`` added
only when some run is formatted and ``number``/``delim`` for numbered items.

Typed text (Slack's plain boxes, CSV, the command line, thread replies) is a
small Markdown dialect, see :mod:`storage.markup`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_serializer,
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
MAX_RUNS = 2_000
MAX_URL_CHARS = 2_000
LINK_SCHEMES = ("http", "https", "mailto")
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


def safe_url(value: str) -> str | None:
    """``value`` as a link target if it is an http(s) or mailto URL, else ``None``.

    No whitespace, control characters, quotes or angle brackets anywhere, so a
    link can never break out of an attribute or markup in any renderer."""
    url = unicodedata.normalize("NFC", value.strip())
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if any(ch.isspace() or ch in "<>\"'`\\" or unicodedata.category(ch)[0] == "C" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None
    if scheme == "mailto":
        address = parts.path
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            return None
    elif not parts.hostname:
        return None
    return scheme + url[len(parts.scheme) :]


class Run(BaseModel):
    """A stretch of text with one format."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1, max_length=MAX_BLOCK_CHARS)
    bold: bool = False
    italic: bool = False
    link: str | None = None

    @field_validator("text", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
            return value.translate(_STRIP_TABLE)
        return value

    @field_validator("link")
    @classmethod
    def _safe_link(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = safe_url(value)
        if url is None:
            raise ValueError("links must be http, https or mailto URLs")
        return url

    @property
    def formatted(self) -> bool:
        return self.bold or self.italic or self.link is not None

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return run_data(self.text, bold=self.bold, italic=self.italic, link=self.link)


def run_data(
    text: str, *, bold: bool = False, italic: bool = False, link: str | None = None
) -> dict[str, Any]:
    """A run as stored and as :class:`Block` reads it: its text and only the
    formats it has."""
    run: dict[str, Any] = {"text": text}
    if bold:
        run["bold"] = True
    if italic:
        run["italic"] = True
    if link:
        run["link"] = link
    return run


_Format = tuple[bool, bool, str | None]


def _normalise_runs(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """One space between words, line breaks without spaces around them, no edge
    whitespace; a space keeps a format only when the text on both sides has it
    (so no run starts or ends with a space), and neighbours of one format merge."""
    chars: list[tuple[str, _Format]] = []
    for run in runs:
        fmt = (run.bold, run.italic, run.link)
        for ch in run.text:
            if ch == "\n":
                while chars and chars[-1][0] == " ":
                    chars.pop()
                if chars and chars[-1][0] != "\n":
                    chars.append(("\n", (False, False, None)))
            elif ch.isspace():
                if chars and chars[-1][0] not in " \n":
                    chars.append((" ", fmt))
            else:
                chars.append((ch, fmt))
    while chars and chars[-1][0] in " \n":
        chars.pop()
    out: list[list[Any]] = []
    for index, (ch, fmt) in enumerate(chars):
        if ch == " ":
            before, after = chars[index - 1][1], chars[index + 1][1]
            link = before[2] if before[2] == after[2] else None
            fmt = (before[0] and after[0], before[1] and after[1], link)
        if out and out[-1][1] == fmt:
            out[-1][0].append(ch)
        else:
            out.append([[ch], fmt])
    return tuple(
        Run(text="".join(text), bold=fmt[0], italic=fmt[1], link=fmt[2]) for text, fmt in out
    )


class Block(BaseModel):
    """A paragraph, bullet item or numbered item. ``Block(kind="p", text="…")``
    makes an unformatted one."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["p", "li", "ol"] = "p"
    runs: tuple[Run, ...] = Field(default=(), max_length=MAX_RUNS)
    number: int | None = Field(default=None, ge=0, le=999_999)  # ``ol`` only
    delim: Literal[".", ")"] = "."  # ``ol`` only: "1." or "1)"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and "text" in data:
            data = dict(data)
            text = data.pop("text")
            if "runs" not in data:
                data["runs"] = ({"text": text},) if isinstance(text, str) and text.strip() else ()
        return data

    @model_validator(mode="after")
    def _tidy(self) -> Block:
        runs = self.runs
        if len(runs) == 1 and not runs[0].formatted and "\n" not in runs[0].text:
            text = " ".join(runs[0].text.split())
            tidy = (Run(text=text),) if text else ()
        else:
            tidy = _normalise_runs(runs)
        if not tidy:
            raise ValueError("a block needs some text")
        if sum(len(r.text) for r in tidy) > MAX_BLOCK_CHARS:
            raise ValueError(f"a block holds at most {MAX_BLOCK_CHARS} characters")
        if tidy != runs:
            object.__setattr__(self, "runs", tidy)
        if self.kind == "ol":
            if self.number is None:
                object.__setattr__(self, "number", 1)
        elif self.number is not None or self.delim != ".":
            raise ValueError("only numbered items (ol) have a number")
        return self

    @property
    def text(self) -> str:
        """The block's text without formatting (line breaks as ``"\\n"``)."""
        return "".join(r.text for r in self.runs)

    @property
    def formatted(self) -> bool:
        return any(r.formatted for r in self.runs)

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.formatted:
            out["runs"] = [r._dump() for r in self.runs]
        if self.kind == "ol":
            out["number"] = self.number
            out["delim"] = self.delim
        return out


class _ListItem(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def number(self) -> int | None: ...
    @property
    def delim(self) -> str: ...


def continues_list(previous: _ListItem, block: _ListItem) -> bool:
    """Whether ``block`` is in the same list as ``previous`` before it: a bullet
    after a bullet, a numbered item numbered on from the one before (same
    delimiter). Storage, typed text and every renderer read lists by this."""
    if previous.kind != block.kind or block.kind == "p":
        return False
    if block.kind == "li":
        return True
    return (
        previous.number is not None
        and block.number == previous.number + 1
        and block.delim == previous.delim
    )


class StatusText(BaseModel):
    """An ordered list of blocks; empty means "no status"."""

    model_config = ConfigDict(frozen=True)

    blocks: tuple[Block, ...] = Field(default=(), max_length=MAX_BLOCKS)

    def __bool__(self) -> bool:
        return bool(self.blocks)

    @property
    def plain(self) -> str:
        """All text, blocks joined by newlines (for search, length checks, diffs)."""
        return "\n".join(b.text for b in self.blocks)

    @property
    def formatted(self) -> bool:
        """Whether anything is more than plain paragraphs and bullets."""
        return any(b.formatted or b.kind == "ol" or "\n" in b.text for b in self.blocks)

    @model_validator(mode="after")
    def _fits_the_form(self, info: ValidationInfo) -> StatusText:
        if not (info.context or {}).get("stored") and len(self.to_markup()) > MAX_STATUS_CHARS:
            raise ValueError(f"a status may have at most {MAX_STATUS_CHARS} characters")
        return self

    @classmethod
    def from_markup(cls, markup: str | None) -> StatusText:
        """Parse typed text (see :mod:`storage.markup`)."""
        from storage.markup import parse_markup

        return parse_markup(markup or "")

    def to_markup(self) -> str:
        """Typed text for this status; :meth:`from_markup` gives it back unchanged."""
        from storage.markup import render_markup

        return render_markup(self)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes | None) -> StatusText:
        if not data:
            return cls()
        return _ADAPTER.validate_json(data, context=_STORED)


_ADAPTER = TypeAdapter(StatusText)
