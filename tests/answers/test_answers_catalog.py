"""Every text of the answers commands and the command line's governance lines
(gettext domain ``answers``) exists in Danish, and the compiled catalog is current."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import bot

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/answers.po"
MO = ROOT / "locale/da/LC_MESSAGES/answers.mo"
CLI = ("answers.py", "review.py", "cycles.py")
SOURCES = [*(ROOT / "answers").glob("*.py"), *(ROOT / "cli" / name for name in CLI)]
KEYWORDS = {"t": (1,), "nt": (1, 2)}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def test_every_answers_text_has_danish() -> None:
    found: set[str | tuple[str, ...]] = set()
    for path in SOURCES:
        for _line, message, _comments, _ctx in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            found.add(message)
    assert len(found) > 40
    with PO.open("rb") as f:
        catalog = read_po(f)
    compiled = gettext.GNUTranslations(MO.open("rb"))
    for message in found:
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"no Danish for {msgid!r}"
        assert not entry.fuzzy, msgid
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            assert _placeholders(text) <= _placeholders(msgid) | {"n"}, msgid
        if isinstance(entry.string, str):
            assert compiled.gettext(msgid) == entry.string, f".mo is stale for {msgid!r}"
        else:
            assert compiled.ngettext(msgid, message[1], 2) == entry.string[1], msgid
