"""Status text in the Markdown report is text: nothing a person typed starts a
block of its own. A paragraph ``---`` was a horizontal rule (its text lost);
``===`` under a line a heading. Checked with a CommonMark parser (plus GFM
tables) over texts made of the characters that start blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reports.markdown import _segments, escape_md
from reports.model import MarkedBlock, Segment

_PARSER = MarkdownIt("commonmark").enable("table")


def _as_text(markdown: str) -> str:
    """The markdown's text when it is exactly one paragraph; else what it is."""
    tokens = _PARSER.parse(markdown)
    kinds = [t.type for t in tokens]
    assert kinds == ["paragraph_open", "inline", "paragraph_close"], (markdown, kinds)
    text = ""
    for child in tokens[1].children or []:
        if child.type == "text":
            text += child.content
        elif child.type in ("softbreak", "hardbreak") or child.content == "<br>":
            text += "\n"
        else:
            raise AssertionError((markdown, child.type))
    return text


def _paragraph(text: str) -> str:
    return _segments(MarkedBlock(kind="p", segments=(Segment(text=text),)))


def test_a_rule_a_setext_underline_and_other_block_starts_stay_text() -> None:
    typed_texts = ["---", "***", "___", "===", "- - -", "--", "=", "+++", "# x", "> x", "1. x",
                   "2) x", "+ x", "| a | b |", "    code", "```", "~~~", "<div>",
                   "-- ---"]  # fmt: skip
    for typed in typed_texts:
        assert _as_text(_paragraph(typed)) == " ".join(typed.split()), typed
        assert _as_text(escape_md(typed)) == " ".join(typed.split()), typed
    # Below a line of text, "===" / "---" would make it a heading.
    assert _as_text(_paragraph("Overskrift\n===")) == "Overskrift\n==="
    assert _as_text(_paragraph("Overskrift\n---")) == "Overskrift\n---"


_PIECES = st.sampled_from(
    ["---", "===", "***", "___", "-", "=", "+", "*", "_", "#", ">", "|", "`", "~~~", ":", "1.",
     "2)", " ", "  ", "\n", "a", "æ", "<", "!", "&", "[", "]", "\\", "- ", "1. "]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip()))
def test_no_typed_text_starts_a_markdown_block(typed: str) -> None:
    lines = [" ".join(line.split()) for line in typed.split("\n")]
    expected = "\n".join(line for line in lines)
    assert _as_text(_paragraph(typed)) == expected.strip(" ")
    assert _as_text(escape_md(typed)) == " ".join(typed.split())
