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


def assert_danish(messages: Iterable[str], po: Path, mo: Path) -> None:
    with po.open("rb") as f:
        catalog = read_po(f)
    compiled = gettext.GNUTranslations(mo.open("rb"))
    for msgid in messages:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"no Danish for {msgid!r}"
        assert not entry.fuzzy, msgid
        assert placeholders(entry.string) == placeholders(msgid), msgid
        assert compiled.gettext(msgid) == entry.string, f".mo is stale for {msgid!r}"
