"""Every message the workflow and importer can raise exists in Danish and English."""

import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import bot

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/workflow.po"
MO = ROOT / "locale/da/LC_MESSAGES/workflow.mo"
KEYWORDS = {"fail": (2,), "N_": None}


def source_messages() -> set[str]:
    found = set()
    for folder in ("workflow", "importing", "registry"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def test_every_source_message_has_a_danish_translation():
    messages = source_messages()
    assert len(messages) > 40
    with PO.open("rb") as f:
        catalog = read_po(f)
    compiled = gettext.GNUTranslations(MO.open("rb"))
    for msgid in messages:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"no Danish for {msgid!r}"
        assert not entry.fuzzy, msgid
        assert placeholders(entry.string) == placeholders(msgid), msgid
        assert compiled.gettext(msgid) == entry.string, f".mo is stale for {msgid!r}"
