"""Which Socket Mode client meets Slack's targets: the measurement behind
bot/socket_mode.py (table in docs/operations.md, "Socket Mode").

Each candidate client runs in this process against the Socket Mode stand-in
(bot/testing/fakesocket.py) with a listener that acknowledges at once, and
goes through four scenarios:

- ``refresh``: Slack sends ``disconnect`` (refresh_requested) and then 3
  envelopes on the old connection, 3 more on the new one as soon as it is
  there, and closes the old one 5 s later: the slowest ack, and how many
  envelopes were never acknowledged;
- ``fin`` / ``rst`` / ``silence``: the connection is dropped that way: the
  seconds until a new connection (given up after ``--limit``), and the CPU
  this process used meanwhile, as a share of one core.

    python -m bench.socket_clients [--limit 20] [--clients builtin,websocket_client,statusbot]

``websocket_client`` needs ``pip install websocket-client`` (not a project
dependency). Targets: ack ≤ 3 s, nothing lost, reconnect ≤ 10 s, CPU ≤ 5 %.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.testing.fakeslack import FakeSlack
from bot.testing.fakesocket import FakeSocketMode

APP_TOKEN = "xapp-1-A0FAKE-1-bench"


def builtin(web: WebClient) -> Any:
    from slack_sdk.socket_mode.builtin import SocketModeClient

    return SocketModeClient(APP_TOKEN, web_client=web)  # Bolt's SocketModeHandler defaults


def builtin_tuned(web: WebClient) -> Any:
    from slack_sdk.socket_mode.builtin import SocketModeClient

    return SocketModeClient(APP_TOKEN, web_client=web, ping_interval=1)


def websocket_client(web: WebClient) -> Any:
    from slack_sdk.socket_mode.websocket_client import SocketModeClient

    return SocketModeClient(APP_TOKEN, web_client=web)


def statusbot(web: WebClient) -> Any:
    from bot.socket_mode import SocketModeClient

    return SocketModeClient(APP_TOKEN, web)


CLIENTS: dict[str, Callable[[WebClient], Any]] = {
    "builtin": builtin,
    "builtin_tuned": builtin_tuned,
    "websocket_client": websocket_client,
    "statusbot": statusbot,
}


def _acking(client: Any, request: SocketModeRequest) -> None:
    client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))


def refresh(sm: FakeSocketMode) -> str:
    old = sm.current()
    sm.disconnect("refresh_requested", close_after=5.0)
    envelopes = [sm.send("events_api", {"n": n}, connection=old) for n in range(3)]
    try:
        sm.wait_connection(after=old.number, timeout=10)
        envelopes += [sm.send("events_api", {"n": n}) for n in range(3, 6)]
    except (TimeoutError, ConnectionError):
        pass
    acks = [sm.wait_ack(e.envelope_id, timeout=6) for e in envelopes]
    lost = sum(1 for a in acks if a is None)
    slowest = max((a.latency for a in acks if a is not None), default=float("nan"))
    return f"slowest ack {slowest:.2f} s, {lost} of {len(envelopes)} lost"


def drop(how: str, limit: float) -> Callable[[FakeSocketMode], str]:
    def run(sm: FakeSocketMode) -> str:
        old = sm.current()
        cpu, began = time.process_time(), time.monotonic()
        sm.drop(how, old)
        try:
            sm.wait_connection(after=old.number, timeout=limit)
            waited = f"{time.monotonic() - began:.1f} s"
        except TimeoutError:
            waited = f"none in {limit:.0f} s"
        share = (time.process_time() - cpu) / (time.monotonic() - began)
        return f"reconnect {waited}, CPU {share:.0%}"

    return run


def measure(name: str, limit: float) -> list[str]:
    results = []
    for scenario in ("refresh", "fin", "rst", "silence"):
        with FakeSlack() as fake:
            sm = fake.enable_socket_mode(APP_TOKEN)
            client = CLIENTS[name](WebClient(base_url=fake.base_url))
            client.socket_mode_request_listeners.append(_acking)
            client.connect()
            try:
                sm.current(timeout=10)
                time.sleep(0.5)
                run = refresh if scenario == "refresh" else drop(scenario, limit)
                results.append(f"{scenario}: {run(sm)}")
            except (TimeoutError, ConnectionError) as exc:
                results.append(f"{scenario}: failed ({exc})")
            finally:
                client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    for name in args.clients.split(","):
        try:
            lines = measure(name, args.limit)
        except ImportError as exc:
            lines = [f"skipped ({exc})"]
        print(f"{name}: " + "; ".join(lines), flush=True)


if __name__ == "__main__":
    main()
