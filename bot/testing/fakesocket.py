"""A local stand-in for Slack's Socket Mode, next to the fake Web API.

:meth:`bot.testing.fakeslack.FakeSlack.enable_socket_mode` starts it; the fake
``apps.connections.open`` then checks the app-level token and answers a
one-time ``ws://127.0.0.1:<port>/link/?ticket=…`` URL of this server. It
speaks Slack's envelope protocol as the docs describe it:

- after the websocket handshake the server sends ``hello`` (with
  ``num_connections``, ``debug_info`` and ``connection_info``);
- each delivery is an envelope ``{"envelope_id", "type", "payload",
  "accepts_response_payload"}`` of type ``slash_commands``, ``interactive``
  or ``events_api`` (these also carry ``retry_attempt``/``retry_reason``);
- the app acknowledges with ``{"envelope_id", "payload"?}``: every ack is
  recorded with its latency, the time since the envelope was sent;
- ``disconnect`` messages with reason ``refresh_requested``, ``warning`` or
  ``link_disabled`` (optionally followed by a close frame, as Slack closes
  the old connection some seconds later); a URL with
  ``&debug_reconnects=true`` appended is refreshed after
  ``debug_reconnect_after`` seconds, like Slack's debugging switch.

A test can also break a connection the ways networks do (:meth:`drop`):
``"fin"`` closes the TCP connection without a close frame, ``"rst"`` resets
it (``SO_LINGER`` 0), ``"silence"`` stops reading and answering pings (a
half-open connection: the peer's packets go nowhere). Every frame in both
directions is recorded with a :func:`time.monotonic` timestamp.

The websocket framing is the sans-I/O protocol of the ``websockets`` library;
sockets, threads and timing are this module's, so a connection can be broken
at the TCP level without the library tidying up.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from bot.testing.fakeslack import wait_on
from bot.testing.signer import JSON, SignedRequest

DROP_KINDS = ("fin", "rst", "silence")
DISCONNECT_REASONS = ("refresh_requested", "warning", "link_disabled")
_POLL = 0.05  # seconds a connection thread waits in recv() before looking at its orders


@dataclass
class Frame:
    """One websocket frame, as the server sent (``"out"``) or received (``"in"``) it."""

    at: float  # time.monotonic()
    connection: int
    direction: str  # "out": to the app; "in": from the app
    kind: str  # "text", "ping", "pong", "close"
    data: Any  # the parsed JSON of a text frame, else the raw bytes


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    connection: int
    sent_at: float


@dataclass
class Ack:
    envelope_id: str
    connection: int
    at: float
    latency: float  # seconds from sending the envelope to receiving this ack
    payload: dict[str, Any] | None


@dataclass
class Connection:
    """One accepted websocket connection."""

    number: int
    sock: socket.socket
    protocol: ServerProtocol
    opened_at: float
    hello_at: float | None = None
    closed_at: float | None = None
    # "open", "silent" (half-open: nothing read or sent), "closed"
    state: str = "open"
    # "client" (its close frame came first), "close frame" (the server's did),
    # "client reset", "fin", "rst", "server stopped"
    how_closed: str = ""
    drop_order: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def usable(self) -> bool:
        return self.state == "open" and self.hello_at is not None


class FakeSocketMode:
    """The websocket side of the fake Slack (started and stopped with it). Thread-safe."""

    def __init__(self, *, app_id: str = "A0FAKE") -> None:
        self.app_id = app_id
        self.connections: list[Connection] = []
        self.frames: list[Frame] = []
        self.envelopes: dict[str, Envelope] = {}
        self.acks: list[Ack] = []
        self.handshakes_refused = 0
        # Seconds until a connection opened with ``&debug_reconnects=true`` is refreshed.
        self.debug_reconnect_after = 360.0
        self._refuse = 0
        self._tickets: set[str] = set()
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life

    def start(self) -> FakeSocketMode:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(_POLL)
        self._listener = listener
        thread = threading.Thread(target=self._accept_loop, name="fake-socket-mode", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    @property
    def port(self) -> int:
        assert self._listener is not None, "FakeSocketMode is not started"
        return int(self._listener.getsockname()[1])

    def issue_url(self) -> str:
        """A fresh websocket URL for one connection (``apps.connections.open``'s answer)."""
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def refuse_handshakes(self, times: int = 1) -> None:
        """Answer the next ``times`` websocket handshakes with HTTP 503 (Slack's edge failing)."""
        with self._changed:
            self._refuse += times

    # --------------------------------------------------------------- inspect

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        return wait_on(self._changed, predicate, timeout)

    def current(self, timeout: float = 10.0) -> Connection:
        """The newest usable connection (waiting up to ``timeout`` for one),
        where Slack would deliver the next envelope."""
        found: list[Connection] = []

        def usable() -> bool:
            found[:] = [c for c in self.connections if c.usable][-1:]
            return bool(found)

        if not self.wait_for(usable, timeout):
            raise TimeoutError(f"no Socket Mode connection within {timeout} s")
        return found[0]

    def wait_connection(self, after: int = 0, timeout: float = 10.0) -> Connection:
        """The first usable connection numbered above ``after``."""
        found: list[Connection] = []

        def newer() -> bool:
            found[:] = [c for c in self.connections if c.number > after and c.usable][:1]
            return bool(found)

        if not self.wait_for(newer, timeout):
            raise TimeoutError(f"no new Socket Mode connection after #{after} within {timeout} s")
        return found[0]

    def ack_of(self, envelope_id: str) -> Ack | None:
        with self._changed:
            return next((a for a in self.acks if a.envelope_id == envelope_id), None)

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack | None:
        self.wait_for(lambda: any(a.envelope_id == envelope_id for a in self.acks), timeout)
        return self.ack_of(envelope_id)

    def frames_of(self, connection: int, direction: str | None = None) -> list[Frame]:
        with self._changed:
            return [
                f
                for f in self.frames
                if f.connection == connection and direction in (None, f.direction)
            ]

    # ------------------------------------------------------------- deliver

    def send(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int | None = None,
        retry_reason: str = "",
        envelope_id: str | None = None,
        connection: Connection | None = None,
        timeout: float = 10.0,
    ) -> Envelope:
        """Send one envelope on ``connection`` (default: :meth:`current`)."""
        target = connection or self.current(timeout)
        envelope_id = envelope_id or f"{uuid.uuid4()}"
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type_,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api":
            message["retry_attempt"] = retry_attempt or 0
            message["retry_reason"] = retry_reason
        sent_at = self._send_text(target, message)
        if sent_at is None:
            raise ConnectionError(f"connection #{target.number} is {target.state}")
        envelope = Envelope(envelope_id, type_, payload, target.number, sent_at)
        with self._changed:
            self.envelopes[envelope_id] = envelope
        return envelope

    def deliver(self, request: SignedRequest, **options: Any) -> Envelope:
        """Send what :class:`bot.testing.signer.SlackSigner` built for HTTP mode
        as the Socket Mode envelope Slack would send instead (the same payload:
        slash command fields, interactivity JSON, or the event callback)."""
        if request.headers.get("Content-Type") == JSON:
            payload = json.loads(request.body)
            retry = request.headers.get("X-Slack-Retry-Num")
            if retry is not None:
                options.setdefault("retry_attempt", int(retry))
                options.setdefault("retry_reason", request.headers.get("X-Slack-Retry-Reason", ""))
            return self.send("events_api", payload, **options)
        fields = {k: v[-1] for k, v in parse_qs(request.text, keep_blank_values=True).items()}
        if set(fields) == {"payload"}:
            payload = json.loads(fields["payload"])
            answers = payload.get("type") in ("view_submission", "block_suggestion")
            options.setdefault("accepts_response_payload", answers)
            return self.send("interactive", payload, **options)
        options.setdefault("accepts_response_payload", True)
        return self.send("slash_commands", fields, **options)

    def disconnect(
        self,
        reason: str = "refresh_requested",
        *,
        connection: Connection | None = None,
        close_after: float | None = None,
    ) -> Connection:
        """Send Slack's ``disconnect`` message; with ``close_after``, close the
        connection with a close frame that many seconds later (as Slack does)."""
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"unknown disconnect reason {reason!r}")
        target = connection or self.current()
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": f"applink-fake-{target.number}"},
        }
        self._send_text(target, message)
        if close_after is not None:
            timer = threading.Timer(close_after, self.close, args=(target,))
            timer.daemon = True
            timer.start()
        return target

    def close(self, connection: Connection, code: int = 1000, reason: str = "") -> None:
        """Close ``connection`` properly: a close frame, then the TCP close."""
        with connection.lock:
            if connection.state != "open":
                return
            connection.how_closed = connection.how_closed or "close frame"
            connection.protocol.send_close(code, reason)
            self._record(connection, "out", "close", struct.pack("!H", code))
            self._flush(connection)

    def drop(self, how: str, connection: Connection | None = None) -> Connection:
        """Break ``connection`` (default: the current one) without a close
        frame: ``"fin"``, ``"rst"`` or ``"silence"``. Returns it once done."""
        if how not in DROP_KINDS:
            raise ValueError(f"unknown drop {how!r}")
        target = connection or self.current()
        with target.lock:
            if how == "silence":
                target.state = "silent"
            else:
                target.drop_order = how
        with self._changed:
            self._changed.notify_all()
        if how != "silence":
            self.wait_for(lambda: target.state == "closed", 5)
        return target

    # --------------------------------------------------------------- server

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(sock,), name="fake-socket-link", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _handshake(self, sock: socket.socket) -> tuple[ServerProtocol, dict[str, list[str]]] | None:
        protocol = ServerProtocol(max_size=None)
        deadline = time.monotonic() + 5
        request: Request | None = None
        while request is None:
            if time.monotonic() > deadline or self._stopping.is_set():
                return None
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return None
            protocol.receive_data(data)
            events = protocol.events_received()
            request = next((e for e in events if isinstance(e, Request)), None)
        query = parse_qs(urlsplit(request.path).query)
        ticket = query.get("ticket", [""])[0]
        with self._changed:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)
            refuse = self._refuse > 0
            if refuse:
                self._refuse -= 1
                self.handshakes_refused += 1
        if refuse:
            response = protocol.reject(HTTPStatus.SERVICE_UNAVAILABLE, "try again later\n")
        elif not valid:
            response = protocol.reject(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")
        else:
            response = protocol.accept(request)
        protocol.send_response(response)
        sock.sendall(b"".join(protocol.data_to_send()))
        if response.status_code != HTTPStatus.SWITCHING_PROTOCOLS:
            with self._changed:
                self._changed.notify_all()
            return None
        return protocol, query

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(_POLL)
        accepted = self._handshake(sock)
        if accepted is None:
            sock.close()
            return
        protocol, query = accepted
        with self._changed:
            number = next(self._ids)
            conn = Connection(number, sock, protocol, opened_at=time.monotonic())
            self.connections.append(conn)
            live = sum(1 for c in self.connections if c.state == "open")
        hello = {
            "type": "hello",
            "num_connections": live,
            "debug_info": {
                "host": f"applink-fake-{number}",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        conn.hello_at = self._send_text(conn, hello)
        with self._changed:
            self._changed.notify_all()
        if query.get("debug_reconnects") == ["true"]:
            self._refresh_later(conn)
        try:
            self._read_until_closed(conn)
        finally:
            self._finish(conn)

    def _refresh_later(self, conn: Connection) -> None:
        """``&debug_reconnects=true`` on the URL: Slack refreshes the connection
        soon (here after ``debug_reconnect_after`` s), closing it 5 s later."""

        def refresh() -> None:
            if conn.usable and not self._stopping.is_set():
                self.disconnect("refresh_requested", connection=conn, close_after=5.0)

        timer = threading.Timer(self.debug_reconnect_after, refresh)
        timer.daemon = True
        timer.start()

    def _read_until_closed(self, conn: Connection) -> None:
        while not self._stopping.is_set():
            if conn.drop_order is not None:
                return
            if conn.state == "silent":
                time.sleep(_POLL)  # half-open: whatever the app sends stays unread
                continue
            try:
                data = conn.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                conn.how_closed = conn.how_closed or "client reset"
                return
            with conn.lock:
                if not data:
                    conn.protocol.receive_eof()
                else:
                    conn.protocol.receive_data(data)
                for event in conn.protocol.events_received():
                    self._received(conn, event)
                done = self._flush(conn)
            if done or not data:
                conn.how_closed = conn.how_closed or "client"
                return

    def _received(self, conn: Connection, frame: Any) -> None:
        opcode = getattr(frame, "opcode", None)
        if opcode is Opcode.TEXT:
            try:
                message = json.loads(frame.data)
            except ValueError:
                message = frame.data
            self._record(conn, "in", "text", message)
            if isinstance(message, dict) and message.get("envelope_id"):
                self._acknowledged(conn, message)
        elif opcode is Opcode.PING:
            self._record(conn, "in", "ping", bytes(frame.data))
            self._record(conn, "out", "pong", bytes(frame.data))  # the protocol answers it
        elif opcode is Opcode.PONG:
            self._record(conn, "in", "pong", bytes(frame.data))
        elif opcode is Opcode.CLOSE:
            self._record(conn, "in", "close", bytes(frame.data))
            conn.how_closed = conn.how_closed or "client"

    def _acknowledged(self, conn: Connection, message: dict[str, Any]) -> None:
        now = time.monotonic()
        envelope_id = str(message["envelope_id"])
        with self._changed:
            envelope = self.envelopes.get(envelope_id)
            latency = now - envelope.sent_at if envelope else float("nan")
            payload = message.get("payload")
            self.acks.append(
                Ack(envelope_id, conn.number, now, latency, payload if payload else None)
            )
            self._changed.notify_all()

    def _send_text(self, conn: Connection, message: dict[str, Any]) -> float | None:
        """Send a text frame; the time it left, or None if the connection is not open."""
        with conn.lock:
            # The protocol too: the client's close frame may have been read
            # (closing) before the reader marks the connection closed.
            if conn.state != "open" or conn.drop_order is not None:
                return None
            if conn.protocol.state is not State.OPEN:
                return None
            conn.protocol.send_text(json.dumps(message).encode())
            self._flush(conn)
            now = time.monotonic()
            self._record(conn, "out", "text", message, at=now)
            return now

    def _flush(self, conn: Connection) -> bool:
        """Write what the protocol has to send; True once it wants the TCP
        connection closed (after the close handshake). Caller holds conn.lock."""
        done = False
        for chunk in conn.protocol.data_to_send():
            if not chunk:
                done = True
                continue
            try:
                conn.sock.sendall(chunk)
            except OSError:
                done = True
        if done and conn.how_closed == "":
            conn.how_closed = "close frame"
        return done

    def _finish(self, conn: Connection) -> None:
        order = conn.drop_order
        with contextlib.suppress(OSError):
            if order == "rst":
                linger = struct.pack("ii", 1, 0)
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            elif order is None and self._stopping.is_set():
                conn.how_closed = conn.how_closed or "server stopped"
            else:
                conn.sock.shutdown(socket.SHUT_WR)  # FIN (after a close handshake, too)
                _drain(conn.sock)
        conn.sock.close()
        with self._changed:
            conn.state = "closed"
            conn.closed_at = time.monotonic()
            if order is not None:
                conn.how_closed = order
            self._changed.notify_all()

    def _record(
        self, conn: Connection, direction: str, kind: str, data: Any, at: float | None = None
    ) -> None:
        with self._changed:
            self.frames.append(
                Frame(at or time.monotonic(), conn.number, direction, kind, data)
            )
            self._changed.notify_all()


def _drain(sock: socket.socket, timeout: float = 2.0) -> None:
    """Read (and ignore) until the peer closes too, so that closing does not
    turn the FIN into a reset (Linux resets when unread data is left)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not sock.recv(65536):
                return
        except TimeoutError:
            continue
        except OSError:
            return
