"""Every text of bot/committee (gettext domain ``committee``: the case document,
the status summary, the rule messages, the Slack surfaces) exists in Danish,
and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/committee.po"
MO = ROOT / "locale/da/LC_MESSAGES/committee.mo"
KEYWORDS = {"_": None, "n_": (1, 2)}


def test_every_committee_text_has_danish() -> None:
    found = {
        message if isinstance(message, str) else (message[0], message[1])
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / "committee", keywords=KEYWORDS
        )
    }
    assert len(found) > 40
    assert_danish(found, PO, MO)
