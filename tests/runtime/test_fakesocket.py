"""The Socket Mode stand-in itself: token checks, one-time URLs, the
envelope protocol, and that each kind of drop looks to a client like the
real thing (EOF, reset, silence)."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.testing.fakeslack import FakeSlack
from bot.testing.fakesocket import FakeSocketMode


@pytest.fixture
def fake(socket_fake: FakeSlack) -> FakeSlack:
    return socket_fake


def open_url(fake: FakeSlack, token: str | None = None) -> str:
    client = WebClient(base_url=fake.base_url)
    return str(client.apps_connections_open(app_token=token or fake.app_token)["url"])


def connected(fake: FakeSlack) -> tuple[ClientConnection, dict[str, object]]:
    ws = connect(open_url(fake), ping_interval=None, close_timeout=1, legacy=True)
    return ws, json.loads(ws.recv(timeout=5))


@pytest.mark.parametrize(
    ("token", "error"),
    [("xoxb-fake-token", "not_allowed_token_type"), ("xapp-1-A0FAKE-1-other", "invalid_auth")],
)
def test_apps_connections_open_checks_the_app_token(
    fake: FakeSlack, token: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        open_url(fake, token)
    assert raised.value.response["error"] == error


def test_a_url_is_good_for_one_connection(fake: FakeSlack, stand_in: FakeSocketMode) -> None:
    url = open_url(fake)
    assert url.startswith(f"ws://127.0.0.1:{stand_in.port}/link/?ticket=")
    with connect(url, ping_interval=None) as ws:
        hello = json.loads(ws.recv(timeout=5))
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0FAKE"}
    with pytest.raises(InvalidStatus) as refused:
        connect(url, ping_interval=None, legacy=True)
    assert refused.value.response.status_code == 401


def test_envelopes_and_acks_are_recorded_with_their_latency(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    ws, _ = connected(fake)
    with ws:
        envelope = stand_in.send(
            "events_api", {"type": "event_callback"}, retry_attempt=2, retry_reason="timeout"
        )
        received = json.loads(ws.recv(timeout=5))
        assert received == {
            "envelope_id": envelope.envelope_id,
            "payload": {"type": "event_callback"},
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 2,
            "retry_reason": "timeout",
        }
        ws.send(json.dumps({"envelope_id": envelope.envelope_id, "payload": {"text": "ok"}}))
        ack = stand_in.wait_ack(envelope.envelope_id, 5)
    assert ack is not None and ack.payload == {"text": "ok"} and 0 <= ack.latency < 1
    kinds = [(f.direction, f.kind) for f in stand_in.frames]
    assert kinds[:3] == [("out", "text"), ("out", "text"), ("in", "text")]


def test_fin_is_an_end_of_stream_without_a_close_frame(
    fake: FakeSlack, stand_in: FakeSocketMode
) -> None:
    ws, _ = connected(fake)
    stand_in.drop("fin")
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd is None  # no close frame came
    assert not isinstance(closed.value.__cause__, ConnectionResetError)


def test_rst_is_a_reset(fake: FakeSlack, stand_in: FakeSocketMode) -> None:
    ws, _ = connected(fake)
    stand_in.drop("rst")
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert isinstance(closed.value.__cause__, ConnectionResetError)


def test_silence_answers_no_ping(fake: FakeSlack, stand_in: FakeSocketMode) -> None:
    ws, _ = connected(fake)
    with ws:
        assert ws.ping().wait(2)  # answered while healthy
        stand_in.drop("silence")
        time.sleep(0.2)
        assert not ws.ping().wait(1)
        with pytest.raises(ConnectionError):
            stand_in.send("events_api", {}, connection=stand_in.connections[0])
