"""Every text the bot shows in Slack (messages, modals, App Home, refusals,
the review surfaces) exists in Danish, and the compiled catalogs are current."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import bot

ROOT = Path(bot.__file__).parent.parent
LOCALE = ROOT / "bot/locale/da/LC_MESSAGES"
SLACK_FACING = ("bot/blocks", "bot/delivery", "bot/review", "handlers")
DOMAINS = ("slack", "review", "runtime", "workflow", "schedule", "committee")


def _catalogs() -> dict[str, Catalog]:
    found = {}
    for domain in DOMAINS:
        with (LOCALE / f"{domain}.po").open("rb") as f:
            found[domain] = read_po(f)
    return found


# ``_("…")`` inside an f-string is one token to Babel's extractor: find those too.
_CALL = re.compile(r"""\b_\((?:"([^"\\]+)"|'([^'\\]+)')\)""")


def _source_messages() -> set[str]:
    messages = set()
    for folder in SLACK_FACING:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, keywords={"_": None}
        ):
            messages.add(message if isinstance(message, str) else message[0])
        for path in (ROOT / folder).rglob("*.py"):
            for double, single in _CALL.findall(path.read_text(encoding="utf-8")):
                messages.add(double or single)
    return messages


def test_every_slack_text_has_danish() -> None:
    messages = _source_messages()
    assert len(messages) > 200  # the extraction found the bot's texts
    catalogs = _catalogs()
    missing = [
        m
        for m in sorted(messages)
        if not any((e := c.get(m)) is not None and e.string for c in catalogs.values())
    ]
    assert missing == []


def test_compiled_catalogs_match_their_sources() -> None:
    for domain, catalog in _catalogs().items():
        with (LOCALE / f"{domain}.mo").open("rb") as f:
            compiled = gettext.GNUTranslations(f)
        for entry in catalog:
            if entry.id and isinstance(entry.id, str) and entry.string and not entry.fuzzy:
                assert compiled.gettext(entry.id) == entry.string, (domain, entry.id)
