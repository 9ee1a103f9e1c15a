"""bot/socket_mode.py in this process against the Socket Mode stand-in: the
start-up errors, where acknowledgements go, and a clean close."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.socket_mode import SocketModeClient, SocketModeError
from bot.testing.fakeslack import FakeSlack
from bot.testing.fakesocket import FakeSocketMode


@pytest.fixture
def fake(socket_fake: FakeSlack) -> FakeSlack:
    return socket_fake


def client_for(fake: FakeSlack, token: str | None = None) -> SocketModeClient:
    app_token = token or fake.app_token or ""
    return SocketModeClient(app_token, WebClient(base_url=fake.base_url), ping_interval=0.5)


def test_a_refused_token_is_one_line_naming_the_setting(fake: FakeSlack) -> None:
    client = client_for(fake, "xapp-1-A0FAKE-1-wrong")
    with pytest.raises(SocketModeError) as raised:
        client.connect()
    client.close()
    assert raised.value.token_refused
    assert str(raised.value).startswith("SLACK_APP_TOKEN was refused by Slack")
    assert "wrong" not in str(raised.value)


def test_refused_handshakes_are_retried_with_a_fresh_url(
    fake: FakeSlack, stand_in: FakeSocketMode, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's edge refusing a handshake (HTTP 503) is passing: connecting
    goes on with backoff, each time with a new URL (a URL is good for one
    handshake: the stand-in refuses a used one with 401)."""
    stand_in.refuse_handshakes(2)
    client = client_for(fake)
    with caplog.at_level("WARNING", logger="statusbot.socket"):
        client.connect()
    try:
        assert client.is_connected()
        assert stand_in.handshakes_refused == 2
        opened = [c for c in fake.iter_calls() if c.method == "apps.connections.open"]
        assert len(opened) == 3
        retried = [r.getMessage() for r in caplog.records if "next attempt" in r.getMessage()]
        assert len(retried) == 2 and "refused (HTTP 503)" in retried[0], retried
    finally:
        client.close()


def test_a_permanent_error_while_reconnecting_stops_the_client(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    """After a drop, an app-level token Slack no longer takes is not retried
    for ever: the client stops and says why (``serve`` exits)."""
    client = client_for(fake)
    client.connect()
    try:
        fake.app_token = "xapp-1-A0FAKE-1-revoked"  # Slack refuses the old one now
        stand_in.drop("fin", stand_in.current())
        assert client.stopped.wait(10)
        assert client.stop_reason == "invalid_auth"
    finally:
        client.close()


def test_an_unreachable_api_is_retried_until_closed(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = WebClient(base_url="http://127.0.0.1:9/api/", timeout=2)
    client = SocketModeClient(fake.app_token or "", unreachable)
    threading.Timer(1.0, client.close).start()
    with (
        caplog.at_level("WARNING", logger="statusbot.socket"),
        pytest.raises(SocketModeError, match="closed while connecting"),
    ):
        client.connect()
    assert any("cannot reach the Slack API" in r.getMessage() for r in caplog.records)


def test_an_ack_whose_connection_died_goes_on_the_new_one(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        started.set()
        release.wait(5)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = client_for(fake)
    client.socket_mode_request_listeners.append(slow_ack)  # type: ignore[arg-type]
    client.connect()
    try:
        first = stand_in.current()
        envelope = stand_in.send("events_api", {"type": "event_callback"})
        assert started.wait(5)  # received (a reset discards what is still unread)
        stand_in.drop("rst", first)
        second = stand_in.wait_connection(after=first.number, timeout=5)
        release.set()
        ack = stand_in.wait_ack(envelope.envelope_id, timeout=5)
        assert ack is not None and ack.connection == second.number
    finally:
        client.close()


def test_close_acknowledges_what_is_in_flight_then_sends_a_close_frame(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    started = threading.Event()

    def ack_later(client: SocketModeClient, request: SocketModeRequest) -> None:
        started.set()
        threading.Event().wait(0.5)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = client_for(fake)
    client.socket_mode_request_listeners.append(ack_later)  # type: ignore[arg-type]
    client.connect()
    connection = stand_in.current()
    envelope = stand_in.send("interactive", {"type": "block_actions"})
    assert started.wait(5)
    client.close()
    assert client.stopped.is_set() and not client.is_connected()
    kinds = [(f.kind, f.data) for f in stand_in.frames_of(connection.number, "in")]
    acks = [i for i, (kind, data) in enumerate(kinds) if kind == "text"]
    closes = [i for i, (kind, _) in enumerate(kinds) if kind == "close"]
    assert stand_in.ack_of(envelope.envelope_id) is not None
    assert acks and closes and acks[-1] < closes[0]
    assert len(stand_in.connections) == 1  # no reconnect after close()


def acking(client: SocketModeClient, request: SocketModeRequest) -> None:
    client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))


@contextmanager
def connected(fake: FakeSlack) -> Iterator[SocketModeClient]:
    """A client that acknowledges every envelope, connected; closed afterwards."""
    client = client_for(fake)
    client.socket_mode_request_listeners.append(acking)  # type: ignore[arg-type]
    client.connect()
    try:
        yield client
    finally:
        client.close()


def test_slack_closing_the_old_connection_first_opens_exactly_one_new_one(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    with connected(fake):
        old = stand_in.current()
        stand_in.disconnect("warning", close_after=0.0)
        new = stand_in.wait_connection(after=old.number, timeout=5)
        envelope = stand_in.send("events_api", {"type": "event_callback"})
        ack = stand_in.wait_ack(envelope.envelope_id, timeout=3)
        assert ack is not None and ack.connection == new.number
        assert stand_in.wait_for(lambda: old.state == "closed", timeout=3)
        assert old.how_closed == "close frame"
        threading.Event().wait(1.0)
        assert [c.number for c in stand_in.connections] == [old.number, new.number]


def test_refresh_after_refresh_loses_nothing_and_leaves_one_connection(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    with connected(fake):
        envelopes = []
        for _ in range(3):
            old = stand_in.current()
            stand_in.disconnect("refresh_requested", close_after=3.0)
            envelopes.append(stand_in.send("events_api", {}, connection=old))
            stand_in.wait_connection(after=old.number, timeout=5)
            envelopes.append(stand_in.send("events_api", {}))
        acks = [stand_in.wait_ack(e.envelope_id, timeout=3) for e in envelopes]
        assert all(a is not None and a.latency < 3 for a in acks), acks

        def still_open() -> list[int]:
            return [c.number for c in stand_in.connections if c.state == "open"]

        assert stand_in.wait_for(lambda: len(still_open()) == 1, timeout=5), still_open()
        assert still_open() == [4]
