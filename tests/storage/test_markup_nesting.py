"""Typed lists nested deeper than the Markdown reader follows keep their words:
a status holds one level of items, so deeper ones are flattened into it —
never dropped (``- - - … text`` with ten markers became an empty status)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.markup import parse_markup


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", text)


def test_ten_markers_on_one_line_keep_the_text() -> None:
    for markers in (1, 8, 9, 10, 30, 200):
        status = parse_markup("- " * markers + "Lønsystem indført")
        assert [b.kind for b in status.blocks] == ["li"], markers
        assert status.blocks[0].text == "Lønsystem indført", markers


def test_a_list_indented_ten_levels_deep_keeps_every_item() -> None:
    text = "\n".join("  " * level + f"- punkt{chr(97 + level)}" for level in range(14))
    status = parse_markup(text)
    assert [b.text for b in status.blocks] == [f"punkt{chr(97 + n)}" for n in range(14)]


_marker = st.sampled_from(["- ", "* ", "+ ", "• ", "1. ", "2) ", "  ", "    ", "- - "])
_line = st.tuples(
    st.lists(_marker, max_size=40).map("".join),
    st.lists(st.sampled_from(["ord", "tekst", "æble", "skole"]), min_size=1, max_size=4).map(
        " ".join
    ),
).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, min_size=1, max_size=12))
def test_no_word_of_a_typed_list_is_lost(lines: list[str]) -> None:
    text = "\n".join(lines)
    status = parse_markup(text)
    kept = " ".join(b.text for b in status.blocks)
    assert sorted(_words(kept)) == sorted(_words(text))
