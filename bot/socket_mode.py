"""The Socket Mode connection of ``statusbot serve --socket``.

A small client for the sync Bolt app on the ``websockets`` library (its
threaded client: keepalive pings with a timeout, close handshake with a
timeout), in place of slack_sdk's own clients, which fail Slack's targets
with their defaults (measured with :mod:`bot.testing.fakesocket`; the
upstream report is in docs/operations.md, "Socket Mode"):

- the built-in client acknowledges envelopes that arrive while Slack
  rotates the connection only after its 3-second receive timeout, and after
  a connection closed without a close frame it spins a core on ``recv() ==
  b""`` for up to a minute;
- the ``websocket_client`` adapter never notices a half-open connection and
  closes the old connection before the new one is open, losing what arrives
  in between.

What this one does:

- **Start**: ``apps.connections.open`` with the app-level token, the
  websocket handshake, and Slack's ``hello``; only then is it connected
  (:meth:`SocketModeClient.connect` raises :class:`SocketModeError` with one
  line on a permanent error).
- **Envelopes** go to a thread pool at once (the reader never waits for a
  listener); each acknowledgement goes back on the connection its envelope
  came on while that one is open, else on the current one (waiting up to
  ``ACK_GRACE`` for a new connection when the old one just died).
- **Refresh** (``disconnect`` with ``refresh_requested`` or ``warning``): a
  new connection is opened *first*; the old one keeps being read and is
  closed once its envelopes are acknowledged (at most ``retire_after``).
- **Drops**: a connection that ends without Slack asking (FIN, reset, or no
  pong within ``ping_timeout`` after a ping sent every ``ping_interval``) is
  replaced at once, then after 0.5, 1, 2 … 30 s between failed attempts;
  the threads wait on events meanwhile (no polling).
- **Start** and **drops** alike: a refused handshake (Slack's edge answering
  HTTP 503) or a failing API is retried with backoff and a fresh URL; only a
  permanent error (the app-level token refused, ``link_disabled``) ends it.
- ``disconnect`` with ``link_disabled`` (Socket Mode turned off for the app),
  or a permanent error while reconnecting, stops the client:
  :attr:`SocketModeClient.stopped` is set with the reason.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import Queue
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

log = logging.getLogger("statusbot.socket")

# Errors of apps.connections.open that mean the app-level token itself is wrong.
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked"}
)
# Errors that trying again cannot mend: Socket Mode is off for the app.
PERMANENT_ERRORS = TOKEN_ERRORS | {"link_disabled"}
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
RETIRE_QUIET = 1.0  # seconds a replaced connection must be quiet before it is closed
ACK_GRACE = 1.5  # seconds an ack whose connection died waits for the next one


class _QuietKeepaliveFailure(logging.Filter):
    """websockets logs a traceback at ERROR when the close after a keepalive
    timeout times out too (a half-open link never answers); the loss is
    logged as one line by this module instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "keepalive ping failed" not in record.getMessage()


_wire_log = logging.getLogger("statusbot.socket.wire")
_wire_log.addFilter(_QuietKeepaliveFailure())


class SocketModeError(Exception):
    """No Socket Mode connection; the message is one line without the token."""

    def __init__(
        self, message: str, *, token_refused: bool = False, error: str | None = None
    ) -> None:
        super().__init__(message)
        self.token_refused = token_refused
        self.error = error  # Slack's error code, when Slack answered with one

    @property
    def permanent(self) -> bool:
        """Trying again cannot help (a refused token, Socket Mode turned off);
        anything else — a refused handshake, an unreachable or failing API —
        is retried with backoff."""
        return self.token_refused or self.error in PERMANENT_ERRORS


@dataclass(eq=False)
class _Link:
    """One websocket connection to Slack."""

    ws: ClientConnection
    number: int
    host: str
    retiring: bool = False
    inflight: set[str] = field(default_factory=set)
    closed: bool = False
    last_message: float = field(default_factory=time.monotonic)


class SocketModeClient(BaseSocketModeClient):
    """slack_sdk's client interface (what Bolt's Socket Mode handler uses) on ``websockets``."""

    def __init__(
        self,
        app_token: str,
        web_client: WebClient,
        *,
        ping_interval: float = 3.0,
        ping_timeout: float | None = None,
        open_timeout: float = 5.0,
        retire_after: float = 10.0,
        debug_reconnects: bool = False,
        concurrency: int = 10,
        logger: logging.Logger | None = None,
    ) -> None:
        self.app_token = app_token
        self.web_client = web_client
        self.logger = logger or log
        self.ping_interval = ping_interval
        self.ping_timeout = ping_interval if ping_timeout is None else ping_timeout
        self.open_timeout = open_timeout
        self.retire_after = retire_after
        self.debug_reconnects = debug_reconnects
        self.wss_uri = ""
        self.message_queue = Queue()  # part of the base interface; unused here
        self.message_listeners = []
        self.socket_mode_request_listeners = []
        self.message_workers = ThreadPoolExecutor(concurrency, thread_name_prefix="socket-envelope")
        self.closed = False
        self.connect_operation_lock = threading.Lock()
        # Set when the client gave up for good (link_disabled, or close()).
        self.stopped = threading.Event()
        self.stop_reason = ""
        self._lock = threading.Lock()
        self._swapped = threading.Condition(self._lock)  # notified when _current changes
        self._current: _Link | None = None
        self._links: set[_Link] = set()
        self._origin: dict[str, _Link] = {}
        self._numbers = 0
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._supervisor: threading.Thread | None = None

    # ------------------------------------------------------------ interface

    def is_connected(self) -> bool:
        return self._current is not None

    def connect(self) -> None:
        """Open the first connection and keep one open from then on. What
        may pass (Slack's edge refusing a handshake with HTTP 503, the API
        failing) is retried with backoff and a fresh URL, as after a drop;
        raises :class:`SocketModeError` on a permanent error or when closed
        meanwhile."""
        link = self._open_retrying("connecting")
        if link is None:
            raise SocketModeError("closed while connecting")
        self._set_current(link)
        if self._supervisor is None:
            self._supervisor = threading.Thread(
                target=self._supervise, name="socket-mode-supervisor", daemon=True
            )
            self._supervisor.start()

    def disconnect(self) -> None:
        with self._lock:
            links = list(self._links)
        for link in links:
            self._close_link(link)

    def close(self) -> None:
        """Stop: no reconnects, envelopes being handled are finished and
        acknowledged, then the connections are closed with a close frame."""
        self.closed = True
        self._closing.set()
        self._wake.set()
        self.message_workers.shutdown(wait=True)
        self.disconnect()
        with self._lock:
            self._current = None
            self._swapped.notify_all()
        if self._supervisor is not None:
            self._supervisor.join(5)
        self._stop("closed")

    def send_message(self, message: str) -> None:
        try:
            envelope_id = str(json.loads(message).get("envelope_id") or "")
        except (ValueError, AttributeError):
            envelope_id = ""
        with self._lock:
            origin = self._origin.pop(envelope_id, None)
            if (origin is None or origin.closed) and not self.closed:
                # Its connection just died: a new one is usually there in
                # milliseconds, well inside Slack's 3 s.
                self._swapped.wait_for(
                    lambda: self.closed or (self._current is not None and not self._current.closed),
                    ACK_GRACE,
                )
            targets = [link for link in (origin, self._current) if link and not link.closed]
        sent = False
        for link in dict.fromkeys(targets):
            try:
                link.ws.send(message)
                sent = True
                break
            except ConnectionClosed:
                continue
        if origin is not None:
            self._settled(origin, envelope_id)
        if not sent:
            log.warning(
                "Socket Mode: no open connection for the acknowledgement of envelope %s "
                "(Slack retries events; an interaction shows the user an error)",
                envelope_id,
            )

    # ----------------------------------------------------------- connecting

    def _issue_url(self) -> str:
        try:
            response = self.web_client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown") if exc.response else "unknown"
            if error in TOKEN_ERRORS:
                raise SocketModeError(
                    f"SLACK_APP_TOKEN was refused by Slack (apps.connections.open: {error}); "
                    "use the app-level token (xapp-…) with connections:write",
                    token_refused=True,
                    error=error,
                ) from None
            raise SocketModeError(f"apps.connections.open failed: {error}") from None
        except OSError as exc:
            raise SocketModeError(f"cannot reach the Slack API ({exc})") from None
        url = str(response["url"])
        # Slack's switch for testing: it then refreshes the connection within minutes.
        return url + "&debug_reconnects=true" if self.debug_reconnects else url

    def _open(self) -> _Link:
        url = self._issue_url()
        try:
            ws = connect(
                url,
                open_timeout=self.open_timeout,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                close_timeout=1,
                max_size=None,
                compression=None,
                logger=_wire_log,
                legacy=True,  # the connection itself (not a reconnecting iterator)
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            raise SocketModeError(f"the websocket handshake was refused (HTTP {status})") from None
        except (InvalidHandshake, OSError, TimeoutError) as exc:
            raise SocketModeError(f"the websocket handshake failed ({exc})") from None
        try:
            hello = json.loads(ws.recv(timeout=self.open_timeout))
        except (ConnectionClosed, TimeoutError, ValueError) as exc:
            ws.close()
            raise SocketModeError(f"Slack sent no hello on the new connection ({exc})") from None
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            ws.close()
            raise SocketModeError("Slack's first message on the new connection was not hello")
        with self._lock:
            self._numbers += 1
            host = str((hello.get("debug_info") or {}).get("host") or "?")
            link = _Link(ws=ws, number=self._numbers, host=host)
            self._links.add(link)
        threading.Thread(
            target=self._read, args=(link,), name=f"socket-mode-{link.number}", daemon=True
        ).start()
        log.info("Socket Mode: connection %d open (%s)", link.number, host)
        return link

    def _supervise(self) -> None:
        """Replace the current connection when it is lost or Slack asks to."""
        while not self.closed:
            self._wake.wait()
            self._wake.clear()
            if self.closed:
                return
            with self._lock:
                old = self._current
            if old is not None and not old.retiring:
                continue
            self._replace(old)

    def _open_retrying(self, doing: str) -> _Link | None:
        """A new connection, trying again after 0.5, 1, 2 … 30 s (± 20 %)
        while the error may pass; None when closed meanwhile. A permanent
        error is raised."""
        for attempt in itertools.count():
            if self.closed:
                return None
            try:
                return self._open()
            except SocketModeError as exc:
                if exc.permanent:
                    raise
                delay = BACKOFF[min(attempt, len(BACKOFF) - 1)] * random.uniform(0.8, 1.2)
                log.warning(
                    "Socket Mode: %s failed (%s); next attempt in %.1f s", doing, exc, delay
                )
                if self._closing.wait(delay):
                    return None
        raise AssertionError("unreachable")

    def _replace(self, old: _Link | None) -> None:
        started = time.monotonic()
        try:
            link = self._open_retrying("reconnecting")
        except SocketModeError as exc:
            log.error("Socket Mode: reconnecting is not possible (%s); stopping", exc)
            self.closed = True
            self._closing.set()
            self._stop(exc.error or "refused")
            return
        if link is None:
            return
        self._set_current(link)
        if old is None:
            log.info(
                "Socket Mode: reconnected after %.1f s (connection %d)",
                time.monotonic() - started,
                link.number,
            )
        else:
            threading.Thread(
                target=self._retire, args=(old,), name="socket-mode-retire", daemon=True
            ).start()

    def _set_current(self, link: _Link) -> None:
        with self._lock:
            self._current = link
            self._swapped.notify_all()

    def _retire(self, link: _Link) -> None:
        """Close a replaced connection once it is quiet: nothing in flight and
        nothing received for ``RETIRE_QUIET`` s (Slack may still be sending on
        it), or ``retire_after`` s at most; unless Slack closes it first."""
        deadline = time.monotonic() + self.retire_after
        while not link.closed and time.monotonic() < deadline:
            with self._lock:
                busy = bool(link.inflight)
            if not busy and time.monotonic() - link.last_message >= RETIRE_QUIET:
                break
            if self._closing.wait(0.1):
                break
        if not link.closed:
            self._close_link(link)
        log.info("Socket Mode: connection %d closed after the refresh", link.number)

    def _close_link(self, link: _Link) -> None:
        link.closed = True
        try:
            link.ws.close()
        except Exception:  # already gone; nothing to tell Slack
            log.debug("closing Socket Mode connection %d failed", link.number, exc_info=True)

    # ------------------------------------------------------------- reading

    def _read(self, link: _Link) -> None:
        why = "closed by Slack"
        try:
            for raw in link.ws:
                self._on_message(link, raw)
        except ConnectionClosed as exc:
            why = _closed_reason(exc)
        except Exception as exc:  # a bug here must not end reconnecting
            why = f"{type(exc).__name__}: {exc}"
            log.exception("Socket Mode: reading connection %d failed", link.number)
        link.closed = True
        with self._lock:
            self._links.discard(link)
            lost = link is self._current and not self.closed
            if lost:
                self._current = None
        if lost and not self.stopped.is_set():
            log.warning("Socket Mode: connection %d lost (%s); reconnecting", link.number, why)
            self._wake.set()

    def _on_message(self, link: _Link, raw: str | bytes) -> None:
        link.last_message = time.monotonic()
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("Socket Mode: a message that is not JSON was ignored")
            return
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "disconnect":
            self._on_disconnect(link, str(message.get("reason") or ""))
            return
        envelope_id = message.get("envelope_id")
        if not envelope_id:
            return  # hello again, or something new: nothing to acknowledge
        with self._lock:
            self._origin[str(envelope_id)] = link
            link.inflight.add(str(envelope_id))
        try:
            self.message_workers.submit(self._handle, link, message, raw)
        except RuntimeError:  # shutting down: Slack redelivers what is not acknowledged
            self._settled(link, str(envelope_id))

    def _handle(self, link: _Link, message: dict[str, Any], raw: str | bytes) -> None:
        envelope_id = str(message["envelope_id"])
        try:
            self.run_message_listeners(message, raw if isinstance(raw, str) else raw.decode())
        finally:
            with self._lock:
                self._origin.pop(envelope_id, None)
            self._settled(link, envelope_id)

    def _settled(self, link: _Link, envelope_id: str) -> None:
        with self._lock:
            link.inflight.discard(envelope_id)

    def _on_disconnect(self, link: _Link, reason: str) -> None:
        if reason == "link_disabled":
            log.error(
                "Socket Mode: Slack turned Socket Mode off for this app (link_disabled); "
                "turn it on again in the app's settings, or run `statusbot serve --http`"
            )
            self.closed = True
            self._closing.set()
            self._stop("link_disabled")
            return
        log.info(
            "Socket Mode: Slack asked to refresh connection %d (%s); opening a new one first",
            link.number,
            reason or "no reason",
        )
        with self._lock:
            link.retiring = True
        self._wake.set()

    def _stop(self, reason: str) -> None:
        if not self.stopped.is_set():
            self.stop_reason = reason
            self.stopped.set()


def _closed_reason(exc: ConnectionClosed) -> str:
    if exc.rcvd is None and exc.sent is None:
        if isinstance(exc.__cause__, ConnectionResetError):
            return "connection reset"
        return "closed without a close frame"
    if exc.sent is not None and exc.sent.reason:
        return exc.sent.reason  # e.g. "keepalive ping timeout"
    if exc.rcvd is not None:
        return f"close frame {exc.rcvd.code}"
    return str(exc)


class SocketModeHandler(BaseSocketModeHandler):
    """Bolt's Socket Mode glue for :class:`SocketModeClient` (the same
    dispatch and acknowledgement as slack_bolt's own handlers)."""

    def __init__(self, app: App, client: SocketModeClient) -> None:
        self.app = app
        self.client = client
        client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        start = time.time()
        send_response(client, req, run_bolt_app(self.app, req), start)
