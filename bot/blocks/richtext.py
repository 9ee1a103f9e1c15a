"""Status text as Slack rich text, and Slack rich text back as a status.

The update form edits a status in one ``rich_text_input``; its
``initial_value`` and the submitted ``rich_text_value`` are ``rich_text``
blocks (docs.slack.dev, Block Kit: rich text block, rich text input element):

- ``rich_text_section``: inline elements; ``text`` (``style``: ``bold``,
  ``italic``, ``strike``, ``code``, ``underline``) and ``link`` (``url``,
  ``text``, ``style``), plus ``emoji``, ``user``, ``channel``, ``usergroup``,
  ``broadcast``, ``date``, ``team``, ``color`` in what people type;
- ``rich_text_list``: ``style`` ``bullet`` or ``ordered``, ``indent``, ``offset``
  (an ordered list with offset 4 starts at 5), items are sections;
- ``rich_text_preformatted`` and ``rich_text_quote``: inline elements.

Slack's composer writes paragraphs as one section with ``"\\n\\n"`` between
them and a line break as ``"\\n"``; this module does the same.

What is prefilled holds only sections and lists of ``text`` and ``link``
elements styled bold or italic: a prefilled mention, channel or broadcast
breaks the form on submission (slackapi/bolt-js#2266: "We had some trouble
connecting" with a channel element in ``initial_value``; deno-slack-sdk#503 and
#354 likewise), and a status never holds one anyway — what a person typed is
stored as plain text ("@U123", ":tada:" or the emoji itself).
"""

from __future__ import annotations

import re
from typing import Any

from bot.blocks import limits
from storage.richtext import Block, StatusText, run_data, safe_url

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def fits_rich_input(status: StatusText) -> bool:
    """Whether the one rich text box shows all of ``status`` (else the plain boxes)."""
    return len(status.plain) <= limits.RICH_INPUT_MAX_CHARS


def list_delimiter(status: StatusText) -> str:
    """The delimiter the status's numbered lists use (Slack shows "1." only)."""
    delims = {b.delim for b in status.blocks if b.kind == "ol"}
    return ")" if delims == {")"} else "."


# -- status → rich_text ------------------------------------------------------------


def _elements(block: Block) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for run in block.runs:
        style = {k: True for k in ("bold", "italic") if getattr(run, k)}
        element: dict[str, Any] = (
            {"type": "link", "url": run.link, "text": run.text}
            if run.link
            else {"type": "text", "text": run.text}
        )
        if style:
            element["style"] = style
        out.append(element)
    return out


def to_rich_text(status: StatusText) -> dict[str, Any]:
    """``status`` as a ``rich_text`` block for a ``rich_text_input``'s ``initial_value``."""
    elements: list[dict[str, Any]] = []
    previous: Block | None = None
    for block in status.blocks:
        if block.kind == "p":
            if previous is not None and previous.kind == "p":
                section = elements[-1]["elements"]
                section.append({"type": "text", "text": "\n\n"})
                section.extend(_elements(block))
            else:
                elements.append({"type": "rich_text_section", "elements": _elements(block)})
        else:
            item = {"type": "rich_text_section", "elements": _elements(block)}
            style = "bullet" if block.kind == "li" else "ordered"
            last = elements[-1] if elements else None
            follows = (
                previous is not None
                and previous.kind == block.kind
                and (
                    block.kind == "li"
                    or (previous.number is not None and block.number == previous.number + 1)
                )
            )
            if last is not None and last["type"] == "rich_text_list" and follows:
                last["elements"].append(item)
            else:
                new: dict[str, Any] = {"type": "rich_text_list", "style": style, "elements": [item]}
                if style == "ordered" and (block.number or 1) > 1:
                    new["offset"] = (block.number or 1) - 1
                elements.append(new)
        previous = block
    return {"type": "rich_text", "elements": elements}


# -- rich_text → status ------------------------------------------------------------


def _emoji(element: dict[str, Any]) -> str:
    code = str(element.get("unicode") or "")
    try:
        if code and all(c in "0123456789abcdefABCDEF-" for c in code):
            return "".join(chr(int(part, 16)) for part in code.split("-") if part)
    except (ValueError, OverflowError):
        pass
    name = str(element.get("name") or "")
    return f":{name}:" if name else ""


def _inline(element: Any) -> dict[str, Any] | None:
    """One inline element as a run (``None`` for what holds no text)."""
    if not isinstance(element, dict):
        return None
    kind = element.get("type")
    style = element.get("style") if isinstance(element.get("style"), dict) else {}
    link = None
    if kind == "text":
        text = element.get("text")
    elif kind == "link":
        link = element.get("url")
        text = element.get("text") or link
    elif kind == "emoji":
        text = _emoji(element)
    elif kind == "user":
        text = f"@{element.get('user_id', '')}"
    elif kind == "usergroup":
        text = f"@{element.get('usergroup_id', '')}"
    elif kind == "channel":
        text = f"#{element.get('channel_id', '')}"
    elif kind == "team":
        text = f"@{element.get('team_id', '')}"
    elif kind == "broadcast":
        text = f"@{element.get('range', '')}"
    elif kind == "date":
        text = element.get("fallback") or element.get("timestamp")
    elif kind == "color":
        text = element.get("value")
    else:
        return None
    if not isinstance(text, str | int) or not str(text):
        return None
    return run_data(
        str(text),
        bold=style.get("bold") is True,
        italic=style.get("italic") is True,
        link=link if isinstance(link, str) else None,
    )


def _runs(section: Any) -> list[dict[str, Any]]:
    elements = section.get("elements") if isinstance(section, dict) else None
    return [r for r in map(_inline, elements if isinstance(elements, list) else []) if r]


def _paragraphs(runs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split runs at blank lines (Slack's paragraph breaks)."""
    paragraphs: list[list[dict[str, Any]]] = [[]]
    for run in runs:
        pieces = _PARAGRAPH_BREAK.split(run["text"])
        for index, piece in enumerate(pieces):
            if index:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append({**run, "text": piece})
    return [p for p in paragraphs if "".join(r["text"] for r in p).strip()]


def _block(kind: str, runs: list[dict[str, Any]], **extra: Any) -> dict[str, Any] | None:
    if not "".join(r["text"] for r in runs).strip():
        return None
    return {"kind": kind, "runs": runs, **extra}


def from_rich_text(value: Any, *, delim: str = ".") -> StatusText:
    """A submitted ``rich_text_value`` (or a message's ``rich_text`` block) as a
    status. Links that are not http, https or mailto keep their text only;
    unknown elements are skipped. Raises :class:`pydantic.ValidationError` when
    the text is over the model's limits."""
    elements = value.get("elements") if isinstance(value, dict) else None
    blocks: list[dict[str, Any]] = []
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
            for runs in _paragraphs(_runs(element)):
                blocks.append({"kind": "p", "runs": runs})
        elif kind == "rich_text_list":
            ordered = element.get("style") == "ordered"
            offset = element.get("offset")
            number = (offset if isinstance(offset, int) and 0 <= offset < 999_000 else 0) + 1
            items = element.get("elements")
            for item in items if isinstance(items, list) else []:
                runs = [r for p in _paragraphs(_runs(item)) for r in (*p, {"text": "\n"})][:-1]
                extra = {"number": number, "delim": delim} if ordered else {}
                made = _block("ol" if ordered else "li", runs, **extra)
                if made is not None:
                    blocks.append(made)
                    number += 1
    for block in blocks:
        for run in block["runs"]:
            if "link" in run and safe_url(run["link"]) is None:
                del run["link"]  # the text stays, the link goes
    return StatusText(blocks=tuple(Block.model_validate(b) for b in blocks))


def message_rich_text(blocks: Any) -> dict[str, Any] | None:
    """The first ``rich_text`` block of a message event's ``blocks``, if any."""
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "rich_text":
            return block
    return None
