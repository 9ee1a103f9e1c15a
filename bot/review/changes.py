"""A short, word-level account of what a coordinator changed in a status text."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from storage.richtext import StatusText


@dataclass(frozen=True)
class Change:
    kind: Literal["added", "removed"]
    text: str


def describe_changes(before: StatusText | None, after: StatusText | None) -> list[Change]:
    """Removed and added runs of words, in reading order (block breaks count as words)."""
    old = _words(before)
    new = _words(after)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            _append(changes, "removed", old[i1:i2])
        if tag in ("insert", "replace"):
            _append(changes, "added", new[j1:j2])
    return changes


_BREAK = "\n"


def _words(text: StatusText | None) -> list[str]:
    words: list[str] = []
    for block in text.blocks if text else ():
        if words:
            words.append(_BREAK)
        words.extend(block.text.split())
    return words


def _append(changes: list[Change], kind: Literal["added", "removed"], words: list[str]) -> None:
    text = " ".join(w for w in words if w != _BREAK).strip()
    if text:
        changes.append(Change(kind, text))
