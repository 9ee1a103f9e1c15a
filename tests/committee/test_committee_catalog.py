"""Every text of bot/committee (gettext domain ``committee``: the case document,
the status summary, the rule messages, the Slack surfaces) exists in Danish,
and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir, extract_from_file

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/committee.po"
MO = ROOT / "locale/da/LC_MESSAGES/committee.mo"
HANDLERS = ROOT.parent / "handlers/committee.py"
KEYWORDS = {"_": None, "n_": (1, 2)}


def test_every_committee_text_has_danish() -> None:
    messages = [m for _f, _l, m, _c, _x in extract_from_dir(ROOT / "committee", keywords=KEYWORDS)]
    messages += [m for _l, m, _c, _x in extract_from_file("python", HANDLERS, keywords=KEYWORDS)]
    found = {m if isinstance(m, str) else (m[0], m[1]) for m in messages}
    assert len(found) > 40
    assert_danish(found, PO, MO)
