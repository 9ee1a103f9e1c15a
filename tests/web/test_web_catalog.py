"""Every text of the answer form (gettext domain ``web``: bot/web/*.py and its
templates) exists in Danish, and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from jinja2.ext import babel_extract

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/web.po"
MO = ROOT / "locale/da/LC_MESSAGES/web.mo"
KEYWORDS = {"t": (1,), "tn": (1, 2)}


def test_every_web_text_has_danish() -> None:
    found: set[str | tuple[str, str]] = set()
    sources = [("python", p) for p in (ROOT / "web").glob("*.py")]
    sources += [(babel_extract, p) for p in (ROOT / "web/templates").glob("*.j2")]
    for method, path in sources:
        for _line, message, _comments, _ctx in extract_from_file(method, path, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    assert len(found) > 40
    assert_danish(found, PO, MO)
