"""Rich status text through the real bot: the rich text form and thread replies."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.check import problems
from bot.blocks.richtext import to_rich_text
from bot.testing.harness import SlackHarness
from storage.richtext import StatusText
from tests.e2e.managers_helpers import click, dm_messages, entry_of, reply_text, seed

TYPED = (
    "Arbejdet følger *Anbefaling 2* og **tidsplanen**, se [planen](https://example.dk/plan).\n\n"
    "Det betyder, at:\n1. strategien er kendt\n2. der skabes ejerskab"
)


def opened(slack: SlackHarness) -> None:
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-03-08T12:00 1d', user="UC")
    assert "is open" in reply_text(response)
    slack.drain()


def rich_values(view: dict, status: StatusText) -> dict:
    [block] = [
        b for b in view["blocks"] if b.get("block_id") in (ids.RICH_BLOCK, ids.RICH_BLOCK_PAREN)
    ]
    return {
        block["block_id"]: {
            ids.STATUS_ACTION: {"type": "rich_text_input", "rich_text_value": to_rich_text(status)}
        }
    }


def test_the_rich_form_stores_formatting_and_reopens_with_it(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    entry = entry_of(slack.session_factory, world.initiatives["Ny dagtilbudsstruktur"])
    click(slack, "U1", ids.UPDATE, entry.id)
    view = slack.last_view()
    assert view is not None and problems(view, "modal") == []
    wanted = StatusText.from_markup(TYPED)
    response = slack.submit(view, user="U1", values=rich_values(view, wanted))
    assert response.status == 200 and response.text in ("", "{}"), response.text
    slack.drain()
    saved = entry_of(slack.session_factory, entry.initiative_id)
    assert saved.status == wanted
    assert [b.kind for b in saved.status.blocks] == ["p", "p", "ol", "ol"]

    # Editing again: the rich box holds the stored text, formatting included.
    click(slack, "U1", ids.EDIT, entry.id)
    again = slack.last_view()
    assert again is not None and problems(again, "modal") == []
    [box] = [b for b in again["blocks"] if b.get("block_id") == ids.RICH_BLOCK]
    assert box["element"]["initial_value"] == to_rich_text(wanted)

    # An empty rich box is refused next to the field.
    empty = slack.submit(again, user="U1", values=rich_values(again, StatusText())).json()
    assert empty["response_action"] == "errors" and ids.RICH_BLOCK in empty["errors"]


def test_a_thread_reply_keeps_its_rich_text(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    (bo_ts, _prompt) = dm_messages(slack, "U2")[0]
    blocks = [
        {
            "type": "rich_text",
            "block_id": "x1",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Læsebåndet er "},
                        {"type": "text", "text": "indført", "style": {"bold": True}},
                        {"type": "text", "text": " på "},
                        {"type": "text", "text": "alle", "style": {"italic": True}},
                        {"type": "text", "text": " skoler:\n"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "a"}]},
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "b"}]},
                    ],
                },
            ],
        }
    ]
    # Slack's plain text of the same message is mrkdwn ("*indført*" is bold there).
    slack.message_im(
        "Læsebåndet er *indført* på _alle_ skoler:\n• a\n• b",
        user="U2",
        thread_ts=bo_ts,
        blocks=blocks,
    )
    entry = entry_of(slack.session_factory, world.initiatives["Læsebånd i 4. klasse"])
    click(slack, "U2", ids.FREETEXT_STORE, entry.id)
    saved = entry_of(slack.session_factory, entry.initiative_id)
    assert saved.status == StatusText.from_markup(
        "Læsebåndet er **indført** på *alle* skoler:\n\n- a\n- b"
    )
