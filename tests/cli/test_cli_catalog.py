"""Every line the command line prints exists in Danish, and the .mo is current."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

import bot
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/cli.po"
MO = ROOT / "locale/da/LC_MESSAGES/cli.mo"
# t(...) and say(...) print a line; N_(...) marks one chosen later; nt(...)
# is a line whose words follow a count.
KEYWORDS = {"t": None, "say": None, "N_": None, "nt": (1, 2)}
# The demo reads no settings (its story is told in English); serve's status
# lines are read by scripts and tests (bot/testing/served.py).
UNTRANSLATED_FILES = {"demo.py"}
STATUS_LINES = ("statusbot: listening on", "statusbot: connected in Socket Mode")


def source_messages() -> set[str | tuple[str, str]]:
    return {
        message if isinstance(message, str) else (message[0], message[1])
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / "cli", keywords=KEYWORDS
        )
    }


def test_every_cli_line_has_danish():
    messages = source_messages()
    assert len(messages) > 100
    assert_danish(messages, PO, MO)


def test_no_cli_line_is_printed_untranslated():
    """No English words go to the console or to fail() as a bare literal."""
    printed = re.compile(r"""(?:console\.print|typer\.echo|fail)\(\s*f?(["'])(.*?)\1""")
    for path in (ROOT / "cli").glob("*.py"):
        if path.name in UNTRANSLATED_FILES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for _quote, literal in printed.findall(line):
                if literal.startswith(STATUS_LINES):
                    continue
                words = re.sub(r"\{[^}]*\}|\[/?[a-z ]+\]|sha256|^statusbot: ", "", literal)
                assert not re.search(r"[A-Za-z]{2,}", words), f"{path.name}:{number}: {literal}"
