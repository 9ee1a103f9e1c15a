"""Acting as a person in the fake Slack: find the buttons the bot posted to
someone's DM, click them, and fill in the modals the bot opened."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.richtext import to_rich_text
from bot.blocks.text import split_markup
from bot.testing.harness import SlackHarness
from bot.testing.signer import Response
from storage.richtext import StatusText

RICH_BLOCKS = (ids.RICH_BLOCK, ids.RICH_BLOCK_PAREN)

Message = dict[str, Any]


class DemoError(RuntimeError):
    """The bot did not do what the demo expected (a button or modal is missing)."""


def dm(slack: SlackHarness, user: str) -> list[Message]:
    """The bot's messages in ``user``'s DM as they are now (edits applied), oldest first."""
    channel = slack.fake.dm_channel(user)
    found = [(ts, m) for (ch, ts), m in slack.fake.messages.items() if ch == channel]
    return [m for _ts, m in sorted(found, key=lambda item: float(item[0]))]


def _elements(message: Message) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in message.get("blocks", []):
        out.extend(block.get("elements", []))
        if block.get("accessory"):
            out.append(block["accessory"])
    return out


def find_button(
    slack: SlackHarness, user: str, action_id: str, *, exact: bool = False
) -> tuple[Message, dict[str, Any]]:
    """The newest button in ``user``'s DM whose action id is ``action_id`` (or,
    unless ``exact``, starts with ``action_id:``)."""
    for message in reversed(dm(slack, user)):
        for element in _elements(message):
            found = str(element.get("action_id") or "")
            if found == action_id or (not exact and found.startswith(action_id + ":")):
                return message, element
    raise DemoError(f"no {action_id} button in {user}'s direct messages")


def click(slack: SlackHarness, user: str, action_id: str, *, exact: bool = False) -> Response:
    """Click the newest matching button the bot posted to ``user``, as ``user``."""
    message, element = find_button(slack, user, action_id, exact=exact)
    response = slack.action(
        str(element["action_id"]),
        user=user,
        value=element.get("value"),
        message={"type": "message", "ts": message["ts"], "text": message.get("text", "")},
        channel_id=slack.fake.dm_channel(user),
    )
    _check(response, f"{user} clicking {action_id}")
    return response


def opened_view(slack: SlackHarness, callback_id: str) -> dict[str, Any]:
    view = slack.last_view()
    if view is None or view.get("callback_id") != callback_id:
        got = view.get("callback_id") if view else None
        raise DemoError(f"expected the {callback_id} modal to open, found {got}")
    return view


def update_values(view: dict[str, Any], markup: str, phase: str | None) -> dict[str, Any]:
    """``state.values`` for the update modal: the text as rich text in its rich
    text box, or split over its plain boxes."""
    rich = [b["block_id"] for b in view["blocks"] if b.get("block_id") in RICH_BLOCKS]
    boxes = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("status_")]
    values: dict[str, Any] = {}
    if rich:
        typed = to_rich_text(StatusText.from_markup(markup))
        values[rich[0]] = {
            ids.STATUS_ACTION: {"type": "rich_text_input", "rich_text_value": typed}
        }
    else:
        parts = split_markup(markup)
        if len(parts) > len(boxes):
            raise DemoError(f"the text needs {len(parts)} boxes, the modal has {len(boxes)}")
        for block, value in zip(boxes, parts + [""] * (len(boxes) - len(parts)), strict=True):
            values[block] = {ids.STATUS_ACTION: {"type": "plain_text_input", "value": value}}
    values[ids.PHASE_BLOCK] = {
        ids.PHASE_BLOCK: {
            "type": "static_select",
            "selected_option": {"value": phase} if phase else None,
        }
    }
    values[ids.NOTE_BLOCK] = {ids.NOTE_BLOCK: {"type": "plain_text_input", "value": None}}
    return values


def submit(
    slack: SlackHarness, view: dict[str, Any], *, user: str, values: dict[str, Any]
) -> Response:
    response = slack.submit(view, user=user, values=values)
    _check(response, f"{user} submitting {view.get('callback_id')}")
    body = response.json() if response.body else None
    if isinstance(body, dict) and body.get("response_action") == "errors":
        raise DemoError(f"{user}'s form was refused: {body.get('errors')}")
    return response


def command(slack: SlackHarness, text: str, *, user: str) -> Response:
    response = slack.command(text, user=user)
    _check(response, f"{user} running /status {text}")
    return response


def _check(response: Response, what: str) -> None:
    if response.status != 200:
        raise DemoError(f"{what}: HTTP {response.status} {response.text[:200]}")
