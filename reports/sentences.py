"""A Danish sentence splitter for change marking.

Status texts are full of dates ("14. marts", "1. kvartal"), amounts ("2,4 mio. kr.")
and abbreviations ("bl.a.", "jf.", "hhv."), so a full stop followed by a space is
only a sentence end when the next word starts with a capital letter (or an opening
quote/parenthesis before one) and the word before the stop is not an abbreviation
that never ends a sentence. Danish months and ordinals are lower-case and therefore
never start a new sentence; amounts ending in "kr." may end one.
"""

from __future__ import annotations

import re

# Abbreviations after which a capitalised word still continues the sentence
# ("Pr. 15. februar", "jf. Barnets Lov", "bl.a. Socialstyrelsen").
_NEVER_FINAL = frozenset(
    (
        "pr",
        "bl.a",
        "jf",
        "jfr",
        "ca",
        "f.eks",
        "fx",
        "hhv",
        "evt",
        "vedr",
        "ifm",
        "ift",
        "ifht",
        "mht",
        "pga",
        "dvs",
        "inkl",
        "ekskl",
        "nr",
        "stk",
        "pkt",
        "kl",
        "st",
        "hr",
        "fr",
        "dr",
        "mr",
        "ang",
        "iht",
        "att",
        "tlf",
        "bla",
        "ref",
        "vs",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sep",
        "sept",
        "okt",
        "nov",
        "dec",
    )
)

# Candidate boundaries: terminal punctuation, optional closing quotes/brackets,
# then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*\s+")
_WORD_BEFORE = re.compile(r"(\S+?)[.!?…]+[\"”’)\]]*$")
_STARTS_SENTENCE = re.compile(r"[\"“”„'(\[]*[A-ZÆØÅÄÖÜÉ]")


def _ends_sentence(before: str, after: str) -> bool:
    if not _STARTS_SENTENCE.match(after):
        return False
    match = _WORD_BEFORE.search(before)
    if match is None:
        return True
    word = match.group(1).lstrip("\"“„'([").casefold()
    if word in _NEVER_FINAL:
        return False
    # A single letter + stop is an initial ("Mette K. Jensen") or "a." in a list.
    return not (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; joining the result gives ``text`` back.

    Each sentence keeps its trailing whitespace so that diffs and renderers can
    concatenate pieces without losing or inventing spaces.
    """
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        # Only the word before the stop matters; a short window keeps this linear.
        window = text[max(start, match.start() - 40) : match.end()].rstrip()
        if _ends_sentence(window, text[end : end + 4]):
            pieces.append(text[start:end])
            start = end
    if start < len(text):
        pieces.append(text[start:])
    return pieces


_WORDS = re.compile(r"\S+\s*|\s+")


def split_words(text: str) -> list[str]:
    """Words with their trailing whitespace (joining gives ``text`` back)."""
    return _WORDS.findall(text)
