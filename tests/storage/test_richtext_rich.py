"""The rich status model: formatting, numbered lists, links, typed text both ways."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from storage.richtext import Block, Run, StatusText, safe_url

# Words made of letters and every character the typed dialect treats specially.
words = st.text(
    alphabet=st.sampled_from(list("abcæøåXYZ019") + list("*_[]\\<>&=#()!-+.:;,\"'`~|")),
    min_size=1,
    max_size=8,
)
URLS = ["https://example.dk/a_(b)", "mailto:kontakt@example.dk", "http://e.dk/æ?q=1&r=[2]"]


@st.composite
def runs(draw):  # type: ignore[no-untyped-def]
    out = []
    for _ in range(draw(st.integers(1, 4))):
        if out:
            out.append(Run(text=draw(st.sampled_from([" ", "\n"]))))
        text = " ".join(draw(st.lists(words, min_size=1, max_size=3)))
        out.append(
            Run(
                text=text,
                bold=draw(st.booleans()),
                italic=draw(st.booleans()),
                link=draw(st.none() | st.sampled_from(URLS)),
            )
        )
    return tuple(out)


@st.composite
def statuses(draw):  # type: ignore[no-untyped-def]
    blocks = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["p", "li", "ol"]))
        if kind == "ol":  # typed numbered lists have two items or more
            start = draw(st.integers(1, 30))
            delim = draw(st.sampled_from([".", ")"]))
            for n in range(draw(st.integers(2, 3))):
                blocks.append(Block(kind="ol", runs=draw(runs()), number=start + n, delim=delim))
        else:
            blocks.append(Block(kind=kind, runs=draw(runs())))
    return StatusText(blocks=tuple(blocks))


@settings(max_examples=300, deadline=None)
@given(statuses())
def test_typed_text_and_json_round_trip(status):
    markup = status.to_markup()
    assert StatusText.from_markup(markup) == status, markup
    assert StatusText.from_json(status.to_json()) == status


def test_rows_stored_before_formatting_still_load():
    old = (
        '{"blocks": [{"kind": "p", "text": "Første  afsnit."}, {"kind": "li", "text": "et punkt"}]}'
    )
    status = StatusText.from_json(old)
    assert [(b.kind, b.text, b.formatted) for b in status.blocks] == [
        ("p", "Første afsnit.", False),
        ("li", "et punkt", False),
    ]
    # Unformatted blocks keep the old shape, so older code reads new rows too.
    assert json.loads(status.to_json()) == {
        "blocks": [{"kind": "p", "text": "Første afsnit."}, {"kind": "li", "text": "et punkt"}]
    }
    assert status.plain == "Første afsnit.\net punkt"


def test_seed_style_numbered_items_and_italics():
    status = StatusText.from_markup(
        "Herpå pågår en implementering, som understøtter, at:\n"
        "1) strategien er kendt\n2) der skabes et *fælles* ejerskab\n3) der arbejdes videre\n\n"
        "Anbefaling 2: *Der skal igangsættes en udviklingsproces*"
    )
    kinds = [(b.kind, b.number, b.delim) for b in status.blocks]
    assert kinds == [
        ("p", None, "."),
        ("ol", 1, ")"),
        ("ol", 2, ")"),
        ("ol", 3, ")"),
        ("p", None, "."),
    ]
    assert [r.italic for r in status.blocks[2].runs] == [False, True, False]
    quoted = Run(text="Der skal igangsættes en udviklingsproces", italic=True)
    assert status.blocks[4].runs[-1] == quoted


def test_a_lone_numbered_line_is_a_sentence_and_special_characters_print_as_typed():
    status = StatusText.from_markup("14. marts 2024 blev planen godkendt af <udvalget> & =SUM(A1)")
    assert [(b.kind, b.text) for b in status.blocks] == [
        ("p", "14. marts 2024 blev planen godkendt af <udvalget> & =SUM(A1)")
    ]
    assert not status.formatted
    assert StatusText.from_markup("# Overskrift\n\n> citat\n\n    kode").plain == (
        "# Overskrift\n> citat\nkode"
    )


def test_numbered_lines_must_follow_on_to_form_a_list():
    assert [b.kind for b in StatusText.from_markup("1) a\n3) b").blocks] == ["p"]
    listed = StatusText.from_markup("Punkter:\n4. a\n5. b")
    assert [(b.kind, b.number) for b in listed.blocks] == [("p", None), ("ol", 4), ("ol", 5)]


def test_line_breaks_inside_a_paragraph():
    status = StatusText.from_markup("Linje et\\\nlinje to\nsamme linje")
    assert status.blocks[0].text == "Linje et\nlinje to samme linje"
    assert StatusText.from_markup(status.to_markup()) == status


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "file:///etc/passwd",
        'https://e.dk/"onmouseover="x',
        "https://e.dk/<script>",
        "https://e.dk/a b",
        "https://",
        "mailto:",
        "//e.dk",
        "https://e.dk/\u202e",
    ],
)
def test_unsafe_links_are_refused(url):
    assert safe_url(url) is None
    with pytest.raises(ValidationError):
        Run(text="klik", link=url)
    typed = StatusText.from_markup(f"[klik]({url})")
    links = {r.link for b in typed.blocks for r in b.runs} - {None}
    # Bidi controls are dropped from typed text before parsing; nothing else links.
    assert links <= {"https://e.dk/"}


def test_safe_links_are_kept():
    assert safe_url("HTTPS://Example.dk/x?y=1#z") == "https://Example.dk/x?y=1#z"
    assert safe_url("mailto:a@b.dk") == "mailto:a@b.dk"


def test_formatted_runs_never_carry_edge_spaces():
    block = Block(runs=(Run(text="a "), Run(text=" fed ", bold=True), Run(text="b")))
    assert block.runs == (Run(text="a "), Run(text="fed", bold=True), Run(text=" b"))
    assert block.text == "a fed b"


def test_plain_items_refuse_numbers_and_empty_blocks():
    with pytest.raises(ValidationError):
        Block(kind="p", text="x", number=2)
    with pytest.raises(ValidationError):
        Block(kind="p", text="   ")
    assert Block(kind="ol", text="x").number == 1
