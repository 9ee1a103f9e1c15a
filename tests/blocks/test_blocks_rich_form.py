"""The update form's rich text box: prefill, read-back, fallback, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids, limits
from bot.blocks.check import problems, rich_text_problems
from bot.blocks.modals import read_update, update_modal
from bot.blocks.richtext import from_rich_text, list_delimiter, message_rich_text, to_rich_text
from bot.delivery.surfaces import texts
from bot.testing.fakeslack import FakeSlack
from storage.richtext import Block, Run, StatusText
from tests.blocks.test_blocks_modal_text import form

RICH = (
    "Intro med *kursiv*, **fed** og [et link](https://example.dk/a?b=1).\\\nNy linje.\n\n"
    "Andet afsnit.\n\n"
    "Strategien understøtter, at:\n1) den er kendt\n2) den bruges\n\n- et punkt\n- et andet"
)


def rich_box(view: dict) -> dict:
    rich = (ids.RICH_BLOCK, ids.RICH_BLOCK_PAREN)
    [block] = [b for b in view["blocks"] if b.get("block_id") in rich]
    return block


def submit_as_prefilled(view: dict) -> dict:
    """Slack's state.values when the person saves without changing anything."""
    block = rich_box(view)
    value = block["element"].get("initial_value") or {"type": "rich_text", "elements": []}
    return {
        block["block_id"]: {
            ids.STATUS_ACTION: {"type": "rich_text_input", "rich_text_value": value}
        },
        ids.PHASE_BLOCK: {ids.PHASE_BLOCK: {"selected_option": {"value": "completed"}}},
    }


def test_the_form_has_one_rich_box_prefilled_with_the_last_text() -> None:
    status = StatusText.from_markup(RICH)
    for locale in ("da", "en"):
        view = update_modal(form(RICH), texts(locale))
        assert problems(view, "modal") == []
        box = rich_box(view)
        assert box["element"]["type"] == "rich_text_input"
        assert box["block_id"] == ids.RICH_BLOCK_PAREN  # its numbered list uses "1)"
        assert not any(b.get("block_id", "").startswith("status_") for b in view["blocks"])
        assert not any(
            e.get("action_id") == ids.MODAL_ADD_BOX
            for b in view["blocks"]
            for e in b.get("elements", [])
        )
        back = read_update(submit_as_prefilled(view))
        assert back.rich and back.too_long == [] and back.phase == "completed"
        assert back.status_block == ids.RICH_BLOCK_PAREN
        assert StatusText.from_markup(back.markup) == status


def test_prefill_elements_are_what_slack_documents_for_rich_text() -> None:
    value = to_rich_text(StatusText.from_markup(RICH))
    kinds = [e["type"] for e in value["elements"]]
    assert kinds == ["rich_text_section", "rich_text_list", "rich_text_list"]
    first = value["elements"][0]["elements"]
    assert {"type": "text", "text": "kursiv", "style": {"italic": True}} in first
    assert {"type": "text", "text": "fed", "style": {"bold": True}} in first
    assert {"type": "link", "url": "https://example.dk/a?b=1", "text": "et link"} in first
    assert {"type": "text", "text": "\n\n"} in first  # paragraphs as Slack's composer writes them
    assert value["elements"][1]["style"] == "ordered" and "offset" not in value["elements"][1]
    later = to_rich_text(StatusText.from_markup("4. a\n5. b"))
    assert later["elements"][0]["offset"] == 3  # Slack: offset 3 starts at 4


@st.composite
def statuses(draw):  # type: ignore[no-untyped-def]
    word = st.text(alphabet="abcæøå019*_[]<>&#.,:()-", min_size=1, max_size=6)
    delim = draw(st.sampled_from([".", ")"]))
    blocks = []
    for _ in range(draw(st.integers(0, 5))):
        runs = []
        for i in range(draw(st.integers(1, 3))):
            if i:
                runs.append(Run(text=draw(st.sampled_from([" ", "\n"]))))
            runs.append(
                Run(
                    text=" ".join(draw(st.lists(word, min_size=1, max_size=3))),
                    bold=draw(st.booleans()),
                    italic=draw(st.booleans()),
                    link=draw(st.none() | st.just("mailto:a@b.dk")),
                )
            )
        kind = draw(st.sampled_from(["p", "li", "ol"]))
        extra = {"number": draw(st.integers(1, 9)), "delim": delim} if kind == "ol" else {}
        blocks.append(Block(kind=kind, runs=tuple(runs), **extra))
    return StatusText(blocks=tuple(blocks))


@settings(max_examples=200, deadline=None)
@given(statuses())
def test_rich_text_round_trips(status: StatusText) -> None:
    value = to_rich_text(status)
    assert rich_text_problems(value, "x") == []
    assert from_rich_text(value, delim=list_delimiter(status)) == status


def test_what_people_type_in_slack_is_kept_as_text() -> None:
    typed = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hej "},
                    {"type": "user", "user_id": "U123"},
                    {"type": "text", "text": " og "},
                    {"type": "broadcast", "range": "channel"},
                    {"type": "text", "text": " i "},
                    {"type": "channel", "channel_id": "C1"},
                    {"type": "emoji", "name": "tada", "unicode": "1f389"},
                    {"type": "emoji", "name": "egen"},
                    {"type": "text", "text": " overstreget", "style": {"strike": True}},
                    {"type": "link", "url": "javascript:alert(1)", "text": " farlig"},
                    {"type": "link", "url": "https://ok.dk"},
                    {"type": "future_thing", "text": "ukendt"},
                ],
            },
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "kode"}]},
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "citat"}]},
            {
                "type": "rich_text_list",
                "style": "ordered",
                "indent": 1,
                "offset": 2,
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "tre"}]},
                    {"type": "rich_text_section", "elements": []},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "fire"}]},
                ],
            },
            "junk",
            {"type": "rich_text_list", "style": "bullet", "elements": "junk"},
        ],
    }
    status = from_rich_text(typed)
    assert status.blocks[0].text == (
        "Hej @U123 og @channel i #C1🎉:egen: overstreget farlighttps://ok.dk"
    )
    links = [r.link for r in status.blocks[0].runs if r.link]
    assert links == ["https://ok.dk"]
    assert [(b.kind, b.text, b.number) for b in status.blocks[1:]] == [
        ("p", "kode", None),
        ("p", "citat", None),
        ("ol", "tre", 3),
        ("ol", "fire", 4),
    ]
    # What was stored never goes back into Slack as a mention: only text elements.
    assert rich_text_problems(to_rich_text(status), "x") == []


@pytest.mark.parametrize("value", [None, "x", 3, [], {"elements": "x"}, {"elements": [None, 1]}])
def test_malformed_rich_values_read_as_empty(value: object) -> None:
    assert from_rich_text(value) == StatusText()
    back = read_update({ids.RICH_BLOCK: {ids.STATUS_ACTION: {"rich_text_value": value}}})
    assert back.markup == "" and back.status_block == ids.RICH_BLOCK


def test_a_status_the_rich_box_cannot_hold_gets_the_plain_boxes_in_full() -> None:
    paragraph = ("Fremdrift i projektet. " * 100).strip()
    markup = "\n\n".join([paragraph] * 6)
    status = StatusText.from_markup(markup)
    assert len(status.plain) > limits.RICH_INPUT_MAX_CHARS
    view = update_modal(form(markup), texts("da"))
    assert problems(view, "modal") == []
    assert not [b for b in view["blocks"] if b.get("block_id") == ids.RICH_BLOCK]
    boxes = {
        b["block_id"]: {ids.STATUS_ACTION: {"value": b["element"].get("initial_value")}}
        for b in view["blocks"]
        if b.get("block_id", "").startswith("status_")
    }
    assert StatusText.from_markup(read_update(boxes).markup) == status


def test_the_rich_box_never_takes_more_than_it_can_show_again() -> None:
    """Issue 14's guarantee in the rich form: a saved text reopens in full."""
    limit = limits.RICH_INPUT_MAX_CHARS
    fits = StatusText.from_markup("a" * limit)
    view = update_modal(form(fits.to_markup()), texts("da"))
    back = read_update(submit_as_prefilled(view))
    assert back.too_long == [] and StatusText.from_markup(back.markup) == fits
    again = update_modal(form(back.markup), texts("da"))
    assert from_rich_text(rich_box(again)["element"]["initial_value"]) == fits

    over = to_rich_text(StatusText.from_markup("a" * (limit - 5) + "\n\n" + "b" * 10))
    state = {ids.RICH_BLOCK: {ids.STATUS_ACTION: {"rich_text_value": over}}}
    assert read_update(state).too_long == [ids.RICH_BLOCK]


def test_block_kit_check_refuses_what_cannot_be_prefilled() -> None:
    bad = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "user", "user_id": "U1"},
                    {"type": "text", "text": "x", "style": {"code": True}},
                    {"type": "link", "url": "javascript:x", "text": "y"},
                ],
            },
            {"type": "rich_text_list", "style": "numbered", "elements": []},
        ],
    }
    found = rich_text_problems(bad, "v")
    assert len(found) == 4, found
    view = {
        "type": "modal",
        "blocks": [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "x"},
                "element": {"type": "rich_text_input", "action_id": "a", "initial_value": bad},
            }
        ],
    }
    assert problems(view, "modal")
    with pytest.raises(Exception, match="invalid_blocks"):
        FakeSlack()._view(view, kind="modal")


def test_a_message_s_rich_text_block_is_found() -> None:
    rich = {"type": "rich_text", "elements": []}
    assert message_rich_text([{"type": "section"}, rich]) is rich
    assert message_rich_text("x") is None and message_rich_text(None) is None
