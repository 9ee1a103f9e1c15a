"""The history appendix's texts (reports/history.py, gettext domain
``reports``) exist in Danish, and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

import reports
from reports.history import history_labels
from tests.catalog_check import assert_danish

ROOT = Path(reports.__file__).parent
LOCALE = ROOT.parent / "bot/locale/da/LC_MESSAGES"


def test_history_appendix_texts_have_danish() -> None:
    found = {
        message
        for _line, message, _comments, _ctx in extract_from_file("python", ROOT / "history.py")
        if isinstance(message, str)
    }
    assert len(found) >= 10
    assert_danish(found, LOCALE / "reports.po", LOCALE / "reports.mo")
    assert history_labels("da")["back"] == "Tilbage til rapporten"
