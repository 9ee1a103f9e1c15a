"""The fast decoder of interactivity payloads agrees with the standard library."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.payload import interactive_json


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_round_trips_like_the_standard_parser(text: str) -> None:
    body = urlencode({"payload": text}).encode()
    assert (
        interactive_json(body) == dict(parse_qsl(body.decode(), keep_blank_values=True))["payload"]
    )


def test_a_real_modal_payload() -> None:
    payload = {
        "type": "view_submission",
        "view": {"state": {"values": {"b": {"a": {"value": "Æble = 100% _ok_ +1\n\t“citat” 🚀"}}}}},
    }
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()
    assert json.loads(interactive_json(body) or "") == payload


def test_anything_else_is_left_to_the_standard_parser() -> None:
    for body in (
        b"",
        b"command=%2Fstatus&text=help",  # a slash command
        b"payload=%7B%7D&extra=1",  # more than the payload
        b"payload=%ZZ",  # not an escape
        b"payload=a=b",  # a raw "="
        "payload=æ".encode(),  # not ASCII
        b"payload=%C3%28",  # not UTF-8
    ):
        assert interactive_json(body) is None
