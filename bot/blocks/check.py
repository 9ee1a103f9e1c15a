"""Check a message or view against Slack's documented Block Kit limits.

Used by the tests (every builder's output, and every call recorded by the
fake Slack) so a limit is never discovered in production.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import limits

_TEXT_LIMITS = {"header": limits.HEADER_TEXT_MAX, "section": limits.SECTION_TEXT_MAX}


def problems(surface: dict[str, Any], kind: str = "message") -> list[str]:
    """Human-readable limit violations of ``surface`` (``{"blocks": [...]}``)."""
    found: list[str] = []
    blocks = surface.get("blocks") or []
    most = limits.MESSAGE_MAX_BLOCKS if kind == "message" else limits.VIEW_MAX_BLOCKS
    if len(blocks) > most:
        found.append(f"{len(blocks)} blocks > {most}")
    if kind == "modal":
        for key in ("title", "submit", "close"):
            text = (surface.get(key) or {}).get("text", "")
            if len(text) > limits.MODAL_TITLE_MAX:
                found.append(f"modal {key} {text!r} longer than {limits.MODAL_TITLE_MAX}")
        if len(surface.get("private_metadata") or "") > limits.PRIVATE_METADATA_MAX:
            found.append("private_metadata too long")
        if len(surface.get("callback_id") or "") > limits.CALLBACK_ID_MAX:
            found.append("callback_id too long")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"block {index} ({block.get('type')})"
        if "block_id" in block:
            if block["block_id"] in block_ids:
                found.append(f"{where}: duplicate block_id {block['block_id']}")
            block_ids.add(block["block_id"])
        text = (block.get("text") or {}).get("text", "")
        limit = _TEXT_LIMITS.get(block.get("type", ""))
        if limit and len(text) > limit:
            found.append(f"{where}: text of {len(text)} characters > {limit}")
        if block.get("type") == "context" and len(block.get("elements", [])) > 10:
            found.append(f"{where}: more than 10 context elements")
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        if block.get("element"):
            elements.append(block["element"])
        if block.get("type") == "actions" and len(elements) > limits.ACTIONS_MAX_ELEMENTS:
            found.append(f"{where}: more than {limits.ACTIONS_MAX_ELEMENTS} elements")
        for element in elements:
            found.extend(_element_problems(element, where, action_ids, block.get("type")))
    return found


def _element_problems(
    element: dict[str, Any], where: str, seen: set[str], block_type: str | None
) -> list[str]:
    found: list[str] = []
    action = element.get("action_id")
    if action is not None:
        if len(action) > limits.ACTION_ID_MAX:
            found.append(f"{where}: action_id too long")
        if block_type != "input":  # input blocks each have their own namespace
            if action in seen:
                found.append(f"{where}: duplicate action_id {action}")
            seen.add(action)
    if element.get("type") == "button":
        if len(element.get("text", {}).get("text", "")) > limits.BUTTON_TEXT_MAX:
            found.append(f"{where}: button text too long")
        if len(element.get("value") or "") > limits.BUTTON_VALUE_MAX:
            found.append(f"{where}: button value too long")
    if element.get("type") == "plain_text_input":
        if element.get("max_length", 1) > limits.INPUT_MAX_CHARS:
            found.append(f"{where}: max_length over {limits.INPUT_MAX_CHARS}")
        if len(element.get("initial_value") or "") > limits.INPUT_MAX_CHARS:
            found.append(f"{where}: initial_value over {limits.INPUT_MAX_CHARS}")
    if element.get("type") == "rich_text_input":
        if block_type != "input":
            found.append(f"{where}: a rich_text_input outside an input block")
        placeholder = (element.get("placeholder") or {}).get("text", "")
        if len(placeholder) > limits.PLACEHOLDER_MAX:
            found.append(f"{where}: placeholder too long")
        if element.get("initial_value") is not None:
            found.extend(rich_text_problems(element["initial_value"], f"{where} initial_value"))
    if element.get("type") == "mrkdwn" and len(element.get("text", "")) > limits.SECTION_TEXT_MAX:
        found.append(f"{where}: context text too long")
    return found


_RICH_CONTAINERS = {
    "rich_text_section",
    "rich_text_list",
    "rich_text_preformatted",
    "rich_text_quote",
}
# What the bot prefills: a mention, channel, broadcast or emoji in a rich_text_input's
# initial_value breaks the form on submission (slackapi/bolt-js#2266).
_PREFILL_INLINE = {"text", "link"}
_PREFILL_STYLES = {"bold", "italic"}


def rich_text_problems(value: Any, where: str) -> list[str]:
    """Problems of a ``rich_text`` value the bot prefills into a rich_text_input."""
    if not isinstance(value, dict) or value.get("type") != "rich_text":
        return [f"{where}: not a rich_text object"]
    found: list[str] = []
    chars = 0

    def inline(elements: Any, at: str) -> None:
        nonlocal chars
        if not isinstance(elements, list) or not elements:
            found.append(f"{at}: no elements")
            return
        for element in elements:
            kind = element.get("type") if isinstance(element, dict) else None
            if kind not in _PREFILL_INLINE:
                found.append(f"{at}: {kind!r} cannot be prefilled")
                continue
            text = element.get("text")
            if kind == "text" and (not isinstance(text, str) or not text):
                found.append(f"{at}: empty text element")
            if kind == "link":
                url = str(element.get("url") or "")
                if not url.startswith(("https://", "http://", "mailto:")):
                    found.append(f"{at}: link {url!r} is not http, https or mailto")
            style = element.get("style") or {}
            if set(style) - _PREFILL_STYLES:
                found.append(f"{at}: style {sorted(style)} beyond bold and italic")
            chars += len(text) if isinstance(text, str) else 0

    for index, element in enumerate(value.get("elements") or []):
        at = f"{where} element {index}"
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in _RICH_CONTAINERS:
            found.append(f"{at}: unknown rich text element {kind!r}")
        elif kind == "rich_text_list":
            if element.get("style") not in ("bullet", "ordered"):
                found.append(f"{at}: list style must be bullet or ordered")
            offset = element.get("offset", 0)
            if not isinstance(offset, int) or offset < 0:
                found.append(f"{at}: offset must be a whole number >= 0")
            for item in element.get("elements") or []:
                if not isinstance(item, dict) or item.get("type") != "rich_text_section":
                    found.append(f"{at}: list items must be rich_text_section")
                else:
                    inline(item.get("elements"), at)
        else:
            inline(element.get("elements"), at)
    if chars > limits.RICH_INPUT_MAX_CHARS:
        found.append(f"{where}: {chars} characters > {limits.RICH_INPUT_MAX_CHARS}")
    return found
