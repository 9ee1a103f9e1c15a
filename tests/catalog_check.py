"""One check for every gettext catalog: each source message has a Danish
translation with the same placeholders, and the committed .mo is current."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def assert_danish(messages: Iterable[str | tuple[str, str]], po: Path, mo: Path) -> None:
    """``messages``: msgids, and (singular, plural) pairs of ``ngettext`` lines."""
    with po.open("rb") as f:
        catalog = read_po(f)
    compiled = gettext.GNUTranslations(mo.open("rb"))
    for message in messages:
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"no Danish for {msgid!r}"
        assert not entry.fuzzy, msgid
        if isinstance(message, str):
            assert isinstance(entry.string, str), f"{msgid!r} is a plural in the catalog"
            assert placeholders(entry.string) == placeholders(msgid), msgid
            assert compiled.gettext(msgid) == entry.string, f".mo is stale for {msgid!r}"
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert len(forms) == 2 and all(forms), f"{msgid!r} needs its two Danish forms"
        for text in forms:
            assert placeholders(text) <= placeholders(msgid) | {"n"}, msgid
        for n, text in ((1, forms[0]), (2, forms[1])):
            assert compiled.ngettext(msgid, message[1], n) == text, f".mo is stale for {msgid!r}"
