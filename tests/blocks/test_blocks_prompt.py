"""Block Kit builders as pure functions: limits, splitting, escaping, buttons."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import ids, limits
from bot.blocks.check import problems
from bot.blocks.home import home_view
from bot.blocks.items import item_blocks
from bot.blocks.messages import (
    digest_message,
    freetext_choose,
    freetext_confirm,
    reminder_messages,
)
from bot.blocks.model import (
    CycleHeader,
    ItemView,
    OwnerProgressView,
    ProgressView,
    PromptView,
    Viewer,
)
from bot.blocks.prompt import prompt_messages
from bot.delivery.surfaces import texts

CPH = ZoneInfo("Europe/Copenhagen")
HEADER = CycleHeader(
    cycle_id=7,
    area="Børn & Unge",
    title=None,
    as_of=date(2024, 4, 1),
    deadline=datetime(2024, 4, 20, 10, 0, tzinfo=UTC),
)


def item(n: int, track: str = "Spor A", **kw: object) -> ItemView:
    fields: dict[str, object] = {
        "entry_id": 100 + n,
        "cycle_id": 7,
        "track": track,
        "title": f"Initiative {n}",
        "previous": f"Last time's text for {n}. " * 30,
    }
    fields.update(kw)
    return ItemView(**fields)  # type: ignore[arg-type]


def all_action_ids(message: dict) -> list[str]:
    found = []
    for block in message["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if "action_id" in element:
                found.append(element["action_id"])
    return found


@pytest.mark.parametrize("locale", ["da", "en"])
def test_forty_initiatives_split_into_valid_messages(locale: str) -> None:
    tracks = ["Spor A", "Spor B", "Spor C"]
    items = [item(n, tracks[n * 3 // 40]) for n in range(40)]
    view = PromptView(cycle=HEADER, recipient="Anne", items=items)
    messages = prompt_messages(view, Viewer(locale, CPH), texts(locale))

    assert len(messages) >= 3  # 40 × 3 blocks cannot fit in 50
    for message in messages:
        assert problems(message) == []
        assert len(message["blocks"]) <= limits.MESSAGE_MAX_BLOCKS
        assert message["text"]
    # Every initiative appears exactly once, with its three buttons.
    seen = [a for m in messages for a in all_action_ids(m)]
    for n in range(40):
        entry = 100 + n
        assert seen.count(ids.action_id(ids.UPDATE, entry)) == 1
        assert seen.count(ids.action_id(ids.CARRY, entry)) == 1
        assert seen.count(ids.action_id(ids.DELEGATE, entry)) == 1
    # A track continued in the next message gets its heading again.
    dumped = [json.dumps(m, ensure_ascii=False) for m in messages[1:]]
    continued = "(fortsat)" if locale == "da" else "(continued)"
    assert any(continued in d for d in dumped)
    label = "Del 1 af" if locale == "da" else "Part 1 of"
    assert label in json.dumps(messages[0], ensure_ascii=False)


def test_single_small_prompt_is_one_message_without_part_label() -> None:
    view = PromptView(cycle=HEADER, recipient="Anne", items=[item(1), item(2, "Spor B")])
    messages = prompt_messages(view, Viewer("en", CPH), texts("en"))
    assert len(messages) == 1
    text = json.dumps(messages[0])
    assert "Part 1" not in text
    assert "April 1, 2024" in text  # as-of date
    assert "12:00 CEST" in text  # deadline in the reader's zone (10:00 UTC)


def test_deadline_in_the_readers_time_zone() -> None:
    view = PromptView(cycle=HEADER, recipient="Anne", items=[item(1)])
    text = json.dumps(
        prompt_messages(view, Viewer("da", ZoneInfo("America/New_York")), texts("da"))
    )
    assert "06.00 EDT" in text


def test_titles_and_statuses_are_escaped() -> None:
    nasty = item(
        1,
        title="Fix <!channel> & <@U999|boss>",
        previous="See <https://evil.example|here> & <!here>",
    )
    view = PromptView(cycle=HEADER, recipient="<!everyone>", items=[nasty])
    message = prompt_messages(view, Viewer("en", CPH), texts("en"))[0]
    dumped = json.dumps(message)
    assert "<!channel>" not in dumped and "<!here>" not in dumped
    assert "<!everyone>" not in dumped and "<@U999" not in dumped and "<https" not in dumped
    assert "Fix &lt;!channel&gt; &amp; &lt;@U999|boss&gt;" in dumped


def test_previous_status_is_abridged() -> None:
    blocks = item_blocks(item(1, previous="word " * 2000), Viewer("en", CPH), texts("en"))
    context = blocks[1]["elements"][0]["text"]
    assert len(context) < limits.ABRIDGED_CHARS + 40
    assert context.endswith("…")


def test_item_states_choose_the_buttons() -> None:
    viewer, _ = Viewer("en", CPH), texts("en")
    answered = item(1, answered=True, current="Done.", answered_at=HEADER.deadline, answered_by="A")
    blocks = item_blocks(answered, viewer, _)
    assert len(blocks) == 3
    assert [e["action_id"] for e in blocks[2]["elements"]] == [ids.action_id(ids.EDIT, 101)]
    assert blocks[0]["text"]["text"].startswith("✅")

    late = item(1, answered=True, editable=False)
    assert item_blocks(late, viewer, _)[2]["type"] == "context"

    closed = item(1, collecting=False)
    assert item_blocks(closed, viewer, _)[2]["type"] == "context"

    delegated = item(1, delegate_user="U2", owner_user="U1", viewer_is_delegate=True)
    blocks = item_blocks(delegated, viewer, _)
    assert [e["action_id"].split(":")[0] for e in blocks[2]["elements"]] == [ids.UPDATE, ids.CARRY]
    assert "<@U1>" in json.dumps(blocks[1])

    owner_view = item(1, delegate_user="U2", owner_user="U1")
    assert "Delegated to <@U2>" in json.dumps(item_blocks(owner_view, viewer, _)[1])


def test_button_values_name_cycle_and_entry() -> None:
    blocks = item_blocks(item(5), Viewer("en", CPH), texts("en"))
    ref = ids.decode_entry_ref(blocks[2]["elements"][0]["value"])
    assert ref == ids.EntryRef(7, 105)
    assert ids.decode_entry_ref("c7:e105; DROP TABLE") is None
    assert ids.decode_entry_ref(None) is None
    assert ids.action_pattern(ids.UPDATE).match("entry.update:105")
    assert not ids.action_pattern(ids.UPDATE).match("entry.updatex:105")


def test_reminder_lists_exactly_the_missing_items() -> None:
    missing = [item(1), item(3, "Spor B")]
    messages = reminder_messages(HEADER, missing, Viewer("en", CPH), texts("en"))
    assert len(messages) == 1 and problems(messages[0]) == []
    dumped = json.dumps(messages[0])
    assert "Initiative 1" in dumped and "Initiative 3" in dumped and "Initiative 2" not in dumped
    assert "(2)" in dumped


def progress(missing: list[list[str]]) -> ProgressView:
    owners = [
        OwnerProgressView(label=f"P{i}", slack_user=f"U{i}", answered=1, missing_titles=titles)
        for i, titles in enumerate(missing)
    ]
    total = len(owners) + sum(len(t) for t in missing)
    return ProgressView(HEADER, "collecting", total, len(owners), 0, owners)


def test_digest_has_rate_missing_people_and_remind_button() -> None:
    message = digest_message(progress([["A <b>"], []]), Viewer("en", CPH), texts("en"))
    assert problems(message) == []
    dumped = json.dumps(message)
    assert "*2 of 3*" in dumped and "67%" in dumped
    assert "<@U0>" in dumped and "A &lt;b&gt;" in dumped and "<@U1>" not in dumped
    assert ids.REMIND_NOW in all_action_ids(message)

    done = digest_message(progress([[], []]), Viewer("en", CPH), texts("en"))
    assert ids.REMIND_NOW not in all_action_ids(done)
    # Coordinators can compile the draft straight from the digest either way.
    for digest in (message, done):
        assert any(a.startswith("review.compile:c") for a in all_action_ids(digest))


def test_digest_compile_button_is_danish_for_danish_coordinators() -> None:
    message = digest_message(progress([["x"]]), Viewer("da", CPH), texts("da"))
    assert "Dan udkast" in json.dumps(message, ensure_ascii=False)


def test_digest_with_very_many_missing_people_stays_valid() -> None:
    message = digest_message(progress([["x"]] * 200), Viewer("da", CPH), texts("da"))
    assert problems(message) == []
    assert ids.REMIND_NOW in all_action_ids(message)


def test_freetext_questions() -> None:
    _ = texts("en")
    one = freetext_confirm(9, item(1), "my <!channel> text", _)
    assert problems(one) == [] and "<!channel>" not in json.dumps(one)
    ref = ids.decode_freetext_ref(one["blocks"][2]["elements"][0]["value"])
    assert ref == ids.FreeTextRef(9, 101)
    many = freetext_choose(9, [item(n) for n in range(80)], "text", _)
    assert problems(many) == []


def test_home_view_respects_the_hundred_block_limit() -> None:
    cycles = [(HEADER, [item(n) for n in range(60)]), (HEADER, [item(n) for n in range(5)])]
    view = home_view(cycles, Viewer("da", CPH), texts("da"))
    assert problems(view, "home") == []
    assert view["type"] == "home"
    assert home_view([], Viewer("en", CPH), texts("en"))["blocks"]
