from hypothesis import given
from hypothesis import strategies as st

from storage.richtext import Block, StatusText

words = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="æøåÆØÅ.,!?"),
    min_size=1,
    max_size=12,
)
block_text = st.lists(words, min_size=1, max_size=6).map(" ".join)
blocks = st.lists(st.builds(Block, kind=st.sampled_from(["p", "li"]), text=block_text), max_size=8)


@given(blocks)
def test_markup_round_trips(items):
    status = StatusText(blocks=tuple(items))
    assert StatusText.from_markup(status.to_markup()) == status
    assert StatusText.from_json(status.to_json()) == status


def test_markup_parses_paragraphs_and_bullets():
    status = StatusText.from_markup("Første afsnit\nfortsat.\n\n- punkt et\n- punkt to\n\nSlut")
    assert [(b.kind, b.text) for b in status.blocks] == [
        ("p", "Første afsnit fortsat."),
        ("li", "punkt et"),
        ("li", "punkt to"),
        ("p", "Slut"),
    ]


def test_a_paragraph_starting_with_a_date_keeps_its_day_number() -> None:
    text = StatusText.from_markup("14. marts 2024 blev planen godkendt.\n\n1) Første punkt")
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("p", "14. marts 2024 blev planen godkendt."),
        ("p", "1) Første punkt"),
    ]
    assert StatusText.from_markup(text.to_markup()) == text
