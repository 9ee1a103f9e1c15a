"""Hypothesis throws malformed and hostile requests at ``POST /slack/events``.

Every request must end in a 4xx, a private answer to the sender (ephemeral
message, notice modal, DM reply, command response) or a modal error — never a
5xx, never a traceback in the response, and never a change in the database.
The fingerprint ignores ``processed_event`` (the record that a delivery was
seen, which is how Slack's retries are de-duplicated) and nothing else.

The count per outcome is printed at the end (run with ``-s`` to see it).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from bot.testing.signer import FORM, JSON, SignedRequest, SlackSigner, signature
from tests.reliability.rel_world import (
    World,
    fingerprint,
    open_now,
    seed,
    status_values,
    update_view,
)

EXAMPLES = 260
OUTCOMES: Counter[str] = Counter()

HOSTILE = [
    "<!channel> <!here> <!everyone>",
    "<@UM00001> <@UCOORD|boss> <#C123|general>",
    "<https://evil.example|click> <javascript:alert(1)|x>",
    "*bold* _it_ ~s~ `code` ```block``` &amp; &lt;b&gt;",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\u202eevil\u202c \u200f\u200e\u2066x\u2069",
    "\x00\x01\x07\x1b[31mred\x1b[0m\r\n\t",
    "😀🏳️‍🌈👩‍👩‍👧‍👦" * 20,
    "'; DROP TABLE entry; --",
    "{{7*7}} ${7*7} %s %(x)s",
    "A" * 3001,
    "ø" * 20_001,
]

text_st = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
# Where Slack sends a string (an id, a button value, a form's metadata): other
# JSON types, and digits that are digits to ``str.isdigit`` only.
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**14),
    st.floats(allow_nan=True),
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(st.sampled_from(["id", "c", "e", "value"]), st.integers(0, 9), max_size=2),
    st.sampled_from(["²", "c²:e1", "c1:e²", "١٢", "c١:e١", "{\"c\": \"²\", \"e\": [1]}"]),
)
small_int = st.one_of(st.integers(-5, 400), st.integers(10**11, 10**13))
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text_st),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

# Who sends it: managers (owning *other* entries than the ones named), a
# registered person without initiatives, and people statusbot does not know.
SENDERS = ["UM00001", "UM00002", "UNOBODY01", "WFOREIGN1", ""]
ENTRY_ACTIONS = [ids.UPDATE, ids.CARRY, ids.DELEGATE, ids.EDIT]
OTHER_ACTIONS = [
    ids.FREETEXT_STORE,
    ids.FREETEXT_DISCARD,
    ids.MODAL_ADD_BOX,
    ids.REMIND_NOW,
    rb.COMPILE,
    rb.APPROVE,
    rb.APPROVE_MISSING,
    rb.SEND_BACK,
    rb.EDIT,
    rb.REMIND,
    rb.PUBLISH,
    rb.REOPEN,
    rb.SETTINGS,
    rb.DOWNLOAD,
    rb.RESEND,
    rb.UPDATE,
    "no.such.action",
]
VIEWS = [
    ids.UPDATE_VIEW,
    ids.DELEGATE_VIEW,
    rb.SEND_BACK_VIEW,
    rb.EDIT_PICK_VIEW,
    rb.EDIT_VIEW,
    rb.UPDATE_VIEW,
    rb.REOPEN_VIEW,
    rb.SETTINGS_VIEW,
    "no_such_view",
]


@st.composite
def value_st(draw: st.DrawFn) -> str | None:
    """Button values naming entries the sender does not own, other cycles,
    nonsense, and ids that do not exist."""
    cycle = draw(small_int)
    entry = draw(small_int)
    return draw(
        st.one_of(
            st.just(f"c{cycle}:e{entry}"),
            st.just(f"c1:e{entry}"),  # the open cycle (id 2: 1 is the baseline)
            st.just(f"c2:e{entry}"),
            st.just(f"c{cycle}"),
            st.just(f"f{entry}:e{entry}"),
            text_st,
            st.none(),
        )
    )


def _user(user_id: str, forged_name: str | None = None) -> dict[str, Any]:
    return {"id": user_id, "username": forged_name or user_id.lower(), "team_id": "T0FAKE"}


@st.composite
def block_action(draw: st.DrawFn, world: World) -> dict[str, Any]:
    sender = draw(st.sampled_from(SENDERS))
    # A manager's own entry is fair game for them: name only entries of others.
    others = [e for u, e in world.entry_of.items() if u != sender]
    kind = draw(st.sampled_from(ENTRY_ACTIONS + OTHER_ACTIONS))
    entry = draw(st.sampled_from(others))
    action_id = (
        kind
        if kind in OTHER_ACTIONS
        else ids.action_id(kind, draw(st.sampled_from([entry, "x", "-1"])))
    )
    value = draw(st.one_of(st.just(f"c{world.cycle_id}:e{entry}"), value_st(), wrong_type))
    action: dict[str, Any] = {"action_id": action_id, "block_id": "b", "type": "button"}
    if value is not None:
        action["value"] = value
    if draw(st.booleans()):
        action[draw(st.sampled_from(["action_id", "block_id", "type", "selected_option"]))] = (
            draw(wrong_type)
        )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": draw(st.one_of(st.just(_user(sender)), junk)),
        "team": {"id": draw(st.sampled_from(["T0FAKE", "TOTHER01"]))},
        "api_app_id": "A0FAKE",
        "trigger_id": f"{time.time_ns()}.fuzz",
        "actions": draw(st.one_of(st.just([action]), junk)),
        "channel": draw(st.one_of(st.just({"id": "D" + (sender[1:] or "X")}), wrong_type)),
        "container": draw(
            st.one_of(
                st.just({"type": "message", "message_ts": "1.000001"}),
                st.builds(lambda v: {"type": v, "channel_id": v}, wrong_type),
                wrong_type,
            )
        ),
        "message": draw(st.one_of(st.just({"ts": "1.000001", "text": ""}), wrong_type)),
    }
    for key in draw(st.lists(st.sampled_from(list(payload)), max_size=2)):
        payload.pop(key, None)  # missing fields
    return payload


@st.composite
def view_submission(draw: st.DrawFn, world: World) -> dict[str, Any]:
    sender = draw(st.sampled_from(SENDERS))
    others = [e for u, e in world.entry_of.items() if u != sender]
    entry = draw(st.sampled_from(others))
    callback = draw(st.sampled_from(VIEWS))
    view = update_view(world.cycle_id or 0, entry, view_id=f"VFUZZ{time.time_ns()}")
    view["callback_id"] = callback
    view["private_metadata"] = draw(
        st.one_of(
            st.just(view["private_metadata"]),
            st.builds(lambda c, e: json.dumps({"c": c, "e": e, "a": c}), small_int, small_int),
            st.builds(lambda c, e: json.dumps({"c": c, "e": e}), wrong_type, wrong_type),
            text_st,
            wrong_type,
        )
    )
    for key in draw(st.lists(st.sampled_from(["id", "hash", "callback_id", "type"]), max_size=2)):
        view[key] = draw(wrong_type)
    values = draw(
        st.one_of(
            st.builds(status_values, text_st),
            st.dictionaries(st.text(max_size=10), junk, max_size=3),
            junk,
        )
    )
    view["state"] = {"values": values}
    return {
        "type": "view_submission",
        "user": draw(st.one_of(st.just(_user(sender)), junk)),
        "team": {"id": "T0FAKE"},
        "api_app_id": "A0FAKE",
        "trigger_id": f"{time.time_ns()}.fuzz",
        "view": draw(st.one_of(st.just(view), junk)),
    }


@st.composite
def command(draw: st.DrawFn) -> dict[str, str]:
    sender = draw(st.sampled_from(SENDERS))
    sub = draw(
        st.sampled_from(
            [
                "",
                "help",
                "my",
                "progress",
                "open",
                "compile",
                "approve",
                "publish",
                "reopen",
                "settings",
                "remind",
                "nonsense",
            ]
        )
    )
    return {
        "team_id": draw(st.sampled_from(["T0FAKE", "TOTHER01"])),
        "channel_id": "D" + (sender[1:] or "X"),
        "user_id": sender,
        "command": draw(st.sampled_from(["/status", "/status", "/other"])),
        "text": f"{sub} {draw(text_st)}",
        "trigger_id": f"{time.time_ns()}.fuzz",
        "response_url": "https://hooks.slack.com/commands/T0FAKE/1/fuzz",
    }


@st.composite
def event(draw: st.DrawFn) -> dict[str, Any]:
    sender = draw(st.sampled_from(["UNOBODY01", "WFOREIGN1", "UBOT0001", ""]))
    inner = draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["message", "app_home_opened", "reaction_added", "x"]),
                    "user": st.just(sender),
                    "channel": st.one_of(st.just("D" + (sender[1:] or "X")), wrong_type),
                    "channel_type": st.sampled_from(["im", "channel"]),
                    "text": text_st,
                    "ts": st.one_of(st.just("1.000002"), wrong_type),
                    "thread_ts": st.one_of(st.just("1.000001"), wrong_type),
                    "tab": st.sampled_from(["home", "messages"]),
                    "subtype": st.sampled_from(["bot_message", "message_changed", None]),
                }
            ),
            junk,
        )
    )
    return {
        "type": draw(
            st.sampled_from(["event_callback", "event_callback", "app_rate_limited", "?"])
        ),
        "team_id": "T0FAKE",
        "api_app_id": "A0FAKE",
        "event": inner,
        "event_id": draw(st.one_of(st.just(f"Ev{time.time_ns()}"), junk)),
        "event_time": int(time.time()),
    }


def request_st(world: World, secret: str) -> st.SearchStrategy[tuple[str, SignedRequest]]:
    signer = SlackSigner(secret=secret)

    def form_payload(payload: Any) -> SignedRequest:
        return signer.sign(urlencode({"payload": json.dumps(payload)}))

    signed = st.one_of(
        st.builds(lambda p: ("block_actions", form_payload(p)), block_action(world)),
        st.builds(lambda p: ("view_submission", form_payload(p)), view_submission(world)),
        st.builds(lambda f: ("command", signer.sign(urlencode(f))), command()),
        st.builds(lambda e: ("event", signer.sign(json.dumps(e), content_type=JSON)), event()),
        st.builds(
            lambda b, ct: ("garbage", signer.sign(b, content_type=ct)),
            st.one_of(
                st.binary(max_size=200),
                st.builds(lambda t: f"payload={t}".encode(), text_st.map(lambda t: t[:500])),
                st.just(b"payload=%7B%22type%22%3A"),
                st.just(b'{"type": "event_callback", "event": '),
                st.just(b"\xff\xfe\x00garbage"),
                st.builds(lambda j: json.dumps(j).encode(), junk),
            ),
            st.sampled_from([FORM, JSON, "text/plain", "application/xml"]),
        ),
    )
    unsigned = st.builds(
        _badly_signed,
        st.sampled_from(["wrong", "stale", "future", "missing", "garbled", "other_secret"]),
        st.binary(max_size=100) | st.just(b"payload=%7B%7D"),
        st.just(secret),
    )
    return st.one_of(signed, signed, signed, unsigned)


def _badly_signed(how: str, body: bytes, secret: str) -> tuple[str, SignedRequest]:
    now = int(time.time())
    ts = {"stale": now - 6 * 60, "future": now + 6 * 60}.get(how, now)
    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret if how != "other_secret" else "nope", str(ts), body),
    }
    if how == "wrong":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif how == "missing":
        del headers["X-Slack-Signature"]
    elif how == "garbled":
        headers["X-Slack-Request-Timestamp"] = "12ab"
    return "bad_signature", SignedRequest(body, headers)


def classify(slack: SlackHarness, response: Any, calls_before: int) -> str:
    status = response.status
    if 400 <= status < 500:
        return f"HTTP {status}"
    assert status == 200, f"HTTP {status}: {response.text[:300]}"
    new = list(slack.fake.iter_calls())[calls_before:]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("response_action") == "errors":
        return "modal error"
    if any(c.method == "chat.postEphemeral" for c in new):
        return "ephemeral message"
    if any(c.method in ("views.open", "views.push") for c in new):
        return "notice modal"
    if any(c.method == "views.publish" for c in new):
        return "App Home (read-only)"
    if any(c.method == "chat.postMessage" for c in new):
        return "private DM reply"
    if response.text.strip() not in ("", "{}"):
        return "command response"
    return "200, ignored"


@pytest.mark.slow
def test_hostile_requests_change_nothing(slack: SlackHarness, engine) -> None:  # type: ignore[no-untyped-def]
    world = seed(slack.session_factory, slack.fake, managers=4)
    slack.user("UNOBODY01", in_db=True)  # registered, owns nothing
    open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()  # prompts delivered, so the world looks like a running cycle
    before = fingerprint(engine)
    OUTCOMES.clear()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request_st(world, slack.secret))
    def one(case: tuple[str, SignedRequest]) -> None:
        kind, request = case
        calls_before = len(list(slack.fake.iter_calls()))
        response = slack.send(request)
        assert response.status < 500, (kind, response.status, response.text[:300])
        assert "Traceback" not in response.text and 'File "' not in response.text
        outcome = classify(slack, response, calls_before)
        if kind in ("block_actions", "view_submission", "command") and response.status == 200:
            # A person pressed or typed something: they must hear back.
            assert outcome != "200, ignored", (kind, request.body[:300])
        OUTCOMES[f"{kind}: {outcome}"] += 1
        assert fingerprint(engine) == before, (kind, request.body[:300])

    one()
    total = sum(OUTCOMES.values())
    print(f"\n{total} hostile requests to POST /slack/events, by outcome:")
    for name, count in sorted(OUTCOMES.items()):
        print(f"  {count:4d}  {name}")
    assert total >= 200


DEEP = "__deep__"  # replaced by JSON nested thousands of levels deep


def _encoded(payload: Any) -> str:
    return json.dumps(payload).replace(json.dumps(DEEP), "[" * 5000 + "1" + "]" * 5000)


def _shapes(world: World, entry: int) -> list[tuple[str, str, Any]]:
    """The signed malformed requests of issue 14.5 (each answered 500 before):
    (name, kind, payload)."""
    cycle = world.cycle_id
    good_view = update_view(cycle or 0, entry, view_id="VSHAPE01")
    view = {**good_view, "state": {"values": status_values("Tekst")}}

    def action(value: Any = f"c{cycle}:e{entry}", **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": _user("UM00001"),
            "team": {"id": "T0FAKE"},
            "trigger_id": "1.shape",
            "actions": [
                {"action_id": ids.action_id(ids.UPDATE, entry), "value": value, "type": "button"}
            ],
            "channel": {"id": "DM00001"},
            "container": {"type": "message", "message_ts": "1.000001"},
        }
        payload.update(extra)
        return payload

    def submission(**changes: Any) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "user": _user("UM00001"),
            "team": {"id": "T0FAKE"},
            "trigger_id": "1.shape",
            "view": {**view, **changes},
        }

    return [
        ("deep JSON in a button payload", "form", {**action(), "x": DEEP}),
        ("deep JSON in an event", "json", {"type": "event_callback", "event": DEEP}),
        ("deep JSON in a form's metadata", "form", submission(
            private_metadata="[" * 5000 + "]" * 5000)),
        ("button value a number", "form", action(5)),
        ("button value a list", "form", action([f"c{cycle}:e{entry}"])),
        ("button value an object", "form", action({"c": cycle, "e": entry})),
        ("review button value an object", "form", {
            **action(), "actions": [{"action_id": rb.APPROVE, "value": {"c": 1}}]}),
        ("settings button value ²", "form", {
            **action(), "actions": [{"action_id": rb.SETTINGS, "value": "²"}]}),
        ("entry id ²", "form", action(f"c{cycle}:e²")),
        ("private_metadata a number", "form", submission(private_metadata=12)),
        ("private_metadata a list", "form", submission(private_metadata=[1, 2])),
        ("private_metadata with ² ids", "form", submission(
            private_metadata=json.dumps({"c": "²", "e": "²"}))),
        ("delegate form with ² ids", "form", submission(
            callback_id=ids.DELEGATE_VIEW, private_metadata=json.dumps({"c": "²", "e": [1]}))),
        ("settings form metadata ²", "form", submission(
            callback_id=rb.SETTINGS_VIEW, private_metadata="²")),
        ("send-back choice ²", "form", submission(
            callback_id=rb.SEND_BACK_VIEW, private_metadata=f"c{cycle}",
            state={"values": {rb.ENTRIES_BLOCK: {rb.VALUE: {"selected_options": [
                {"value": "²"}, {"value": [1]}, "x"]}}}})),
        ("container a string", "form", action(container="message")),
        ("container a list", "form", action(container=["view"])),
        ("channel a string", "form", action(channel="DM00001")),
        ("channel a list", "form", action(channel=[{"id": "DM00001"}])),
        ("message a string", "form", action(message="hello")),
        ("view id and hash numbers", "form", submission(id=7, hash=[1])),
        ("event channel an object", "json", {
            "type": "event_callback", "event_id": "EvShape1", "event": {
                "type": "message", "channel_type": "im", "channel": {"id": "D1"},
                "user": "UM00001", "text": "x", "ts": "2.0", "thread_ts": "1.0"}}),
    ]


def test_signed_malformed_payloads_get_400_or_a_message_never_500(
    slack: SlackHarness, engine, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """Issue 14.5: wrong types and shapes, each signed (so past the signature
    check): a 4xx or a clear private answer, nothing stored, nothing logged as
    a crash in a listener."""
    world = seed(slack.session_factory, slack.fake, managers=2)
    open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()
    before = fingerprint(engine)
    signer = SlackSigner(secret=slack.secret)
    entry = world.entry_of[world.managers[0]]  # not the sender's (UM00001)
    failures = []
    for name, kind, payload in _shapes(world, entry):
        if kind == "form":
            request = signer.sign(urlencode({"payload": _encoded(payload)}))
        else:
            request = signer.sign(_encoded(payload), content_type=JSON)
        calls_before = len(list(slack.fake.iter_calls()))
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            response = slack.send(request)
        crashes = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
        if response.status >= 500 or crashes:
            failures.append((name, response.status, crashes))
            continue
        outcome = classify(slack, response, calls_before)
        if kind == "form" and response.status == 200:
            assert outcome != "200, ignored", name
    assert failures == [], "\n".join(map(str, failures))
    assert fingerprint(engine) == before
