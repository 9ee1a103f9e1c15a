"""The update modal and the long-text split/merge it relies on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids, limits
from bot.blocks.check import problems
from bot.blocks.modals import UpdateForm, delegate_modal, read_update, update_modal
from bot.blocks.richtext import from_rich_text
from bot.blocks.text import abridge, clip_escaped, escape, merge_parts, split_markup
from bot.delivery.surfaces import texts
from storage.richtext import Block, StatusText

words = st.text(alphabet="abcdefghij æøå.,!?", min_size=1, max_size=400).filter(str.strip)
block = st.builds(Block, kind=st.sampled_from(["p", "li"]), text=words)
statuses = st.builds(
    lambda blocks: StatusText(blocks=tuple(blocks)), st.lists(block, min_size=1, max_size=40)
)


def long_status(paragraphs: int = 12, size: int = 900) -> StatusText:
    text = "\n\n".join(
        f"Paragraph {n}: " + ("Det går godt med projektet. " * (size // 28))
        for n in range(paragraphs)
    )
    return StatusText.from_markup(text + "\n\n- et punkt\n- et andet punkt")


def test_escape_only_touches_the_three_control_characters() -> None:
    assert escape("a & b < c > d *e* _f_") == "a &amp; b &lt; c &gt; d *e* _f_"
    assert escape("<!channel>") == "&lt;!channel&gt;"
    assert len(clip_escaped("<" * 5000, 3000)) <= 3000


def test_abridge_joins_lines_and_clips_at_a_word() -> None:
    assert abridge("one\ntwo  three") == "one two three"
    short = abridge("lorem ipsum " * 100, 50)
    assert len(short) <= 50 and short.endswith("…") and " ip…" not in short[-4:]


@settings(max_examples=80, deadline=None)
@given(statuses, st.integers(min_value=60, max_value=3000))
def test_split_then_merge_round_trips(status: StatusText, limit: int) -> None:
    markup = status.to_markup()
    parts = split_markup(markup, limit)
    assert all(0 < len(p) <= limit for p in parts)
    merged = merge_parts(parts)
    if all(len(b.text) + 2 <= limit for b in status.blocks):
        # Splits fall on paragraph (or bullet) boundaries: the same status.
        assert StatusText.from_markup(merged) == status
    # Always: no word lost, none added.
    assert merged.split() == markup.split()


def test_a_paragraph_longer_than_a_box_is_split_between_sentences() -> None:
    sentence = "Dette er en sætning om fremdrift. "
    paragraph = (sentence * 200).strip()  # ~6,800 characters
    parts = split_markup(paragraph)
    assert len(parts) == 3
    assert all(len(p) <= limits.INPUT_MAX_CHARS for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert merge_parts(parts).split() == paragraph.split()


def form(markup: str, **kw: object) -> UpdateForm:
    fields: dict[str, object] = {
        "entry_id": 5,
        "cycle_id": 2,
        "initiative": "Ny <skole>",
        "track": "Spor",
        "area": "Børn",
        "markup": markup,
        "phase": "in_progress",
        "note": None,
    }
    fields.update(kw)
    return UpdateForm(**fields)  # type: ignore[arg-type]


def submitted(view: dict) -> dict:
    """Slack's state.values for the modal as the bot filled it."""
    values: dict = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "plain_text_input":
            values[block["block_id"]] = {
                element["action_id"]: {
                    "type": "plain_text_input",
                    "value": element.get("initial_value"),
                }
            }
        elif element["type"] == "static_select":
            values[block["block_id"]] = {
                element["action_id"]: {"selected_option": element.get("initial_option")}
            }
    return values


def test_long_status_is_editable_in_full_and_reads_back_equal() -> None:
    # Longer than the rich text box takes (issue 12): the plain boxes, in full.
    status = long_status(paragraphs=15)
    assert len(status.plain) > limits.RICH_INPUT_MAX_CHARS
    for locale in ("da", "en"):
        view = update_modal(form(status.to_markup()), texts(locale))
        assert problems(view, "modal") == []
        boxes = [b for b in view["blocks"] if b.get("block_id", "").startswith("status_")]
        assert len(boxes) >= 5
        assert boxes[-1]["element"].get("initial_value") is None  # one empty box to add more
        back = read_update(submitted(view))
        assert StatusText.from_markup(back.markup) == status
        assert back.phase == "in_progress"
        assert back.too_long == []


def has_add_button(view: dict) -> bool:
    elements = [e for b in view["blocks"] for e in b.get("elements", [])]
    return any(e.get("action_id") == ids.MODAL_ADD_BOX for e in elements)


def test_empty_plain_modal_has_one_box_and_an_add_button() -> None:
    view = update_modal(form("", phase=None, plain=True), texts("en"))
    boxes = [b for b in view["blocks"] if b.get("block_id", "").startswith("status_")]
    assert len(boxes) == 1
    assert any(
        e.get("action_id") == ids.MODAL_ADD_BOX
        for b in view["blocks"]
        for e in b.get("elements", [])
    )
    phase = next(b for b in view["blocks"] if b.get("block_id") == ids.PHASE_BLOCK)
    assert "initial_option" not in phase["element"]
    assert ids.load_metadata(view["private_metadata"]) == {"e": 5, "c": 2, "n": 1}


def test_adding_boxes_keeps_typed_parts_and_stops_at_the_limit() -> None:
    view = update_modal(form("", parts=("a", "b"), boxes=3), texts("en"))
    boxes = [b for b in view["blocks"] if b.get("block_id", "").startswith("status_")]
    assert [b["element"].get("initial_value") for b in boxes] == ["a", "b", None]
    full = update_modal(form("", boxes=500), texts("en"))
    assert problems(full, "modal") == []
    assert not any(
        e.get("action_id") == ids.MODAL_ADD_BOX
        for b in full["blocks"]
        for e in b.get("elements", [])
    )


def test_read_update_flags_overlong_boxes_and_drops_unknown_phases() -> None:
    values = {
        "status_0": {"text": {"value": "x" * 3001}},
        "status_1": {"text": {"value": "ok"}},
        "phase": {"phase": {"selected_option": {"value": "hacked"}}},
        "note": {"note": {"value": "  "}},
    }
    result = read_update(values)
    assert result.too_long == ["status_0"]
    assert result.phase is None and result.note is None


def test_modal_titles_fit_in_both_languages() -> None:
    for locale in ("da", "en"):
        _ = texts(locale)
        assert problems(update_modal(form("x"), _), "modal") == []
        assert problems(delegate_modal(entry_id=1, cycle_id=1, initiative="t", _=_), "modal") == []


def test_read_update_treats_malformed_state_as_empty() -> None:
    from bot.blocks.modals import read_update, state_values_of

    for hostile in (True, 1.5, "x", [1], None, {"status_0": True}, {"status_0": {"x": 3}}):
        form = read_update(hostile)
        assert form.markup == "" and form.phase is None and form.note is None
    for view in (None, "x", {"state": []}, {"state": {"values": False}}):
        assert state_values_of(view) == {}


def _largest_status(paragraph_chars: int, *, bullets: bool = False) -> str:
    """As many ``paragraph_chars``-long paragraphs (or bullet items) as a status
    may hold: the worst cases for packing boxes at paragraph breaks."""
    from storage.richtext import MAX_BLOCKS, MAX_STATUS_CHARS

    unit = ("- " if bullets else "") + "x" * (paragraph_chars - (2 if bullets else 0))
    separator = "\n" if bullets else "\n\n"
    count = min(MAX_BLOCKS, (MAX_STATUS_CHARS + len(separator)) // (len(unit) + len(separator)))
    return separator.join([unit] * count)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=3, max_value=20_000), st.booleans())
def test_every_status_that_can_be_stored_fits_in_the_form(size: int, bullets: bool) -> None:
    """Issue 14.7: the edit form shows every stored status in full — a status at
    the length limit, made of paragraphs of any size, needs at most the form's
    boxes, and the form's boxes hold all of its text."""
    markup = _largest_status(size, bullets=bullets)
    status = StatusText.from_markup(markup)
    parts = split_markup(status.to_markup())
    assert len(parts) <= limits.MODAL_MAX_BOXES
    # The plain boxes (the fallback of the rich box, issue 12) show it all: nothing
    # lost, a paragraph longer than a box is shown over two boxes.
    view = update_modal(form(status.to_markup(), plain=True), texts("en"))
    shown = [
        b["element"].get("initial_value")
        for b in view["blocks"]
        if b.get("block_id", "").startswith("status_")
    ]
    assert "".join(merge_parts(shown).split()) == "".join(status.to_markup().split())
    # The form a manager gets: the rich box when it holds the text, in full.
    view = update_modal(form(status.to_markup()), texts("en"))
    elements = [b["element"] for b in view["blocks"] if "element" in b]
    rich = [e for e in elements if e["type"] == "rich_text_input"]
    if rich:
        assert from_rich_text(rich[0]["initial_value"]) == status


def test_a_status_longer_than_the_form_can_show_is_refused() -> None:
    """100 full boxes were accepted and then shown in 90: such a text is not a status."""
    import pytest
    from pydantic import ValidationError

    from storage.richtext import MAX_STATUS_CHARS

    hundred_boxes = "\n\n".join(["y" * 2999] * 100)
    with pytest.raises(ValidationError):
        StatusText.from_markup(hundred_boxes)
    with pytest.raises(ValidationError):
        StatusText(blocks=tuple(Block(text="z" * 10_000) for _ in range(13)))
    assert len(StatusText.from_markup("a" * 10_000).to_markup()) < MAX_STATUS_CHARS
    # What is stored already is read back whatever its length (never lost).
    stored = StatusText.model_construct(blocks=tuple(Block(text="z" * 10_000) for _ in range(13)))
    assert len(StatusText.from_json(stored.to_json()).blocks) == 13
