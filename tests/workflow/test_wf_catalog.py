"""Every message the workflow and importer can raise exists in Danish and English."""

from pathlib import Path

from babel.messages.extract import extract_from_dir

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/workflow.po"
MO = ROOT / "locale/da/LC_MESSAGES/workflow.mo"
KEYWORDS = {"fail": (2,), "N_": None}


def source_messages() -> set[str]:
    found = set()
    # The baseline reader (reports/baseline.py) raises rule messages too.
    folders = [ROOT / name for name in ("workflow", "importing", "registry")]
    for folder in [*folders, ROOT.parent / "reports"]:
        for _file, _line, message, _comments, _ctx in extract_from_dir(folder, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_source_message_has_a_danish_translation():
    messages = source_messages()
    assert len(messages) > 40
    assert_danish(messages, PO, MO)
