"""Every text of bot/answers (the owner's notice, the sheet, the post states;
gettext domain ``answers``) exists in Danish, and the compiled catalog is
current. The command line's own lines are in the ``cli`` domain
(tests/cli/test_cli_catalog.py)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/answers.po"
MO = ROOT / "locale/da/LC_MESSAGES/answers.mo"
SOURCES = list((ROOT / "answers").glob("*.py"))
KEYWORDS = {"t": (1,), "nt": (1, 2)}


def test_every_answers_text_has_danish() -> None:
    found: set[str | tuple[str, str]] = set()
    for path in SOURCES:
        for _line, message, _comments, _ctx in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    assert len(found) > 25
    assert_danish(found, PO, MO)
