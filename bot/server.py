"""HTTP serving: one WSGI app for Slack and health checks, run by gunicorn.

Routes: ``POST /slack/events`` (slash commands, interactivity and the Events
API; Bolt checks the signature: missing, wrong or stale → 401) and
``GET /healthz`` (200 with ``{"status": "ok", "database": "ok", "scheduler":
{...}}``, 503 when the database does not answer or the scheduler is stuck).
With OAuth installs (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) also ``GET
/slack/install`` and ``GET /slack/oauth_redirect`` (:mod:`bot.oauth`).

:func:`make_wsgi_app` is what both ``statusbot serve --http`` (gunicorn, one or
more worker processes with threads) and the test harness (waitress in a
thread) serve. Under gunicorn a request body is read in the thread that runs
the app, so :class:`BodyDeadlines` cuts off a body that has not arrived within
:data:`BODY_READ_SECONDS`: a client that announces a large body and sends a
byte a second holds a thread for at most that long.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from bot.payload import interactive_json
from bot.runtime import Deps

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def database_ok(deps: Deps) -> tuple[bool, str]:
    try:
        with deps.session_factory() as session:
            session.execute(text("SELECT 1"))
        return True, "ok"
    except Exception as exc:  # any driver error means "not answering"
        return False, type(exc).__name__


MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything huge
# Slack sends a request's few kilobytes at once; a body still arriving after this
# long is a slow (or hostile) client, and the thread reading it is needed.
BODY_READ_SECONDS = 1.0


class BodyDeadlines:
    """Cuts off request bodies still being read at their deadline.

    gunicorn's threaded worker reads the body in the request's thread with
    blocking socket reads, and a read timeout would apply to each ``recv``
    (a byte a second never times out). So each read registers its socket
    here, and one watchdog thread per process shuts down the reading side of
    sockets past their deadline: the blocked read returns at once, short, and
    the request is answered 408. The watchdog starts with the first request
    (after gunicorn forked the worker)."""

    def __init__(self, seconds: float = BODY_READ_SECONDS, tick: float = 0.05) -> None:
        self.seconds = seconds
        self.tick = tick
        self._reading: dict[int, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def read(self, environ: dict[str, Any], length: int) -> bytes:
        """The body (``length`` bytes), or fewer when it did not arrive in time."""
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        if sock is None:  # waitress has read the whole body already
            return bytes(stream.read(length))
        self._start()
        key = id(sock)
        with self._lock:
            self._reading[key] = (time.monotonic() + self.seconds, sock)
        try:
            return bytes(stream.read(length))
        except OSError:
            return b""
        finally:
            with self._lock:
                self._reading.pop(key, None)

    def _start(self) -> None:
        pid = os.getpid()
        if self._thread is not None and self._pid == pid:
            return
        with self._lock:
            if self._thread is None or self._pid != pid:
                self._pid = pid
                self._thread = threading.Thread(
                    target=self._watch, name="statusbot-body-deadlines", daemon=True
                )
                self._thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.tick)
            now = time.monotonic()
            with self._lock:
                late = [k for k, (deadline, _s) in self._reading.items() if deadline <= now]
                socks = [self._reading.pop(k)[1] for k in late]
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RD)


_BODIES = BodyDeadlines()


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.lower().replace("_", "-")] = value
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
    return headers


def _signed(verifier: SignatureVerifier, raw: bytes, headers: dict[str, str]) -> bool:
    timestamp = headers.get("x-slack-request-timestamp")
    sig = headers.get("x-slack-signature")
    if not timestamp or not sig or not timestamp.strip().isdigit():
        return False
    try:
        return verifier.is_valid(raw, timestamp.strip(), sig)
    except UnicodeDecodeError:  # slack_sdk decodes first; Slack only ever sends UTF-8
        return False


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _typed(obj: dict[str, Any], fields: dict[str, type | tuple[type, ...]]) -> bool:
    """Each of ``fields`` is absent, null or of its type."""
    return all(
        obj.get(key) is None or isinstance(obj[key], wanted) for key, wanted in fields.items()
    )


# The fields of Slack's payloads that Bolt or the listeners read, with the types
# Slack sends. A signed request with anything else gets 400 before any listener
# runs (a listener may rely on them: ``body["channel"]["id"]``, an id that is a
# string, a form's metadata that is text).
_ENVELOPE = {
    "event": dict,
    "view": dict,
    "actions": list,
    "container": dict,
    "channel": dict,
    "message": dict,
    "team": dict,
    "trigger_id": str,
    "response_url": str,
    "api_app_id": str,
    "type": str,
}
_ACTION = {"action_id": str, "block_id": str, "value": str, "type": str, "action_ts": str}
_CONTAINER = {"type": str, "channel_id": str, "message_ts": str, "view_id": str}
_VIEW = {
    "id": str,
    "hash": str,
    "callback_id": str,
    "private_metadata": str,
    "type": str,
    "team_id": str,
    "state": dict,
}
# The events the app subscribes to (others, e.g. ``user_change``, carry objects here).
_EVENT_TYPES = ("message", "app_home_opened")
_EVENT = {
    "type": str,
    "user": str,
    "channel": str,
    "channel_type": str,
    "text": str,
    "ts": str,
    "thread_ts": str,
    "subtype": str,
    "tab": str,
    "bot_id": str,
}


def well_formed(body: dict[str, Any]) -> bool:
    """The fields Bolt and the listeners read have the types Slack sends (a
    signed request with ``"actions": null`` or a button ``value`` that is a
    number must get a 400, not make a listener raise)."""
    kind = body.get("type")
    if "user" in body and not isinstance(body["user"], dict | str):
        return False
    if isinstance(body.get("user"), dict) and not _typed(body["user"], {"id": str}):
        return False
    if body.get("event", {}) is None or body.get("view", {}) is None:
        return False
    if not _typed(body, _ENVELOPE) or not _typed(body.get("container") or {}, _CONTAINER):
        return False
    if not _typed(body.get("channel") or {}, {"id": str}):
        return False
    view = body.get("view")
    if isinstance(view, dict) and not (
        _typed(view, _VIEW) and _typed(view.get("state") or {}, {"values": dict})
    ):
        return False
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        return (
            isinstance(actions, list)
            and bool(actions)
            and all(
                _is_dict(a) and isinstance(a.get("action_id", ""), str) and _typed(a, _ACTION)
                for a in actions
            )
            and _is_dict(body.get("user"))
        )
    if kind in ("view_submission", "view_closed"):
        return _is_dict(body.get("view")) and _is_dict(body.get("user"))
    if kind == "event_callback":
        event = body.get("event")
        return _is_dict(event) and (event.get("type") not in _EVENT_TYPES or _typed(event, _EVENT))
    if "command" in body:
        return isinstance(body.get("command"), str) and isinstance(body.get("user_id", ""), str)
    return True


def _body_for_bolt(raw: bytes, headers: dict[str, str]) -> str:
    """The body as Bolt reads it. An interactivity payload (``payload=…``,
    already verified as signed) is handed over as its JSON, decoded by
    :func:`bot.payload.interactive_json`; Bolt parses JSON bodies as they are."""
    payload = interactive_json(raw)
    if payload is None or not payload.startswith("{"):
        return raw.decode("utf-8")
    headers["content-type"] = "application/json"
    return payload


def make_slack_endpoint(app: App, signing_secret: str | None) -> WSGIApp:
    """``POST /slack/events``: verify the signature on the raw bytes *before*
    anything is parsed (so forged garbage gets 401, not a parser error), then
    let Bolt dispatch. A signed but malformed body gets 400, never 500."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def endpoint(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad Content-Length")
        if length > MAX_BODY_BYTES:
            return _plain(start_response, "413 Payload Too Large", "request too large")
        raw = _BODIES.read(environ, length) if length > 0 else b""
        if len(raw) < length:  # too slow (BodyDeadlines) or cut short
            start_response(
                "408 Request Timeout", [("Content-Length", "0"), ("Connection", "close")]
            )
            return [b""]
        headers = _headers(environ)
        if verifier is not None and not _signed(verifier, raw, headers):
            return _plain(start_response, "401 Unauthorized", "invalid request signature")
        try:
            request = BoltRequest(
                body=_body_for_bolt(raw, headers),
                query=environ.get("QUERY_STRING", ""),
                headers=headers,
            )
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            # RecursionError: JSON nested too deep for the parser.
            return _plain(start_response, "400 Bad Request", "malformed request body")
        if not isinstance(request.body, dict) or not well_formed(request.body):
            return _plain(start_response, "400 Bad Request", "malformed request body")
        try:
            response = app.dispatch(request)
        except Exception:
            log.exception("dispatching a Slack request failed")
            return _plain(start_response, "500 Internal Server Error", "internal error")
        data = (response.body or "").encode("utf-8")
        out_headers = [
            (key, value)
            for key, values in response.headers.items()
            if key.lower() != "content-length"
            for value in values
        ]
        out_headers.append(("Content-Length", str(len(data))))
        status = HTTPStatus(response.status)
        start_response(f"{status.value} {status.phrase}", out_headers)
        return [data]

    return endpoint


def make_wsgi_app(
    app: App,
    deps: Deps,
    *,
    scheduler_status: Callable[[], dict[str, Any]] | None = None,
) -> WSGIApp:
    """The WSGI callable: Bolt on ``/slack/events``, health on ``/healthz``,
    the answer form of e-mailed links under ``/answer/`` (:mod:`bot.web.app`)."""
    secret = deps.settings.slack_signing_secret
    slack = make_slack_endpoint(app, secret.get_secret_value() if secret else None)
    oauth = None
    if deps.settings.oauth_enabled:
        from bot.oauth import INSTALL_PATH, REDIRECT_PATH, oauth_endpoint

        oauth, oauth_paths = oauth_endpoint(app), (INSTALL_PATH, REDIRECT_PATH)
    from bot.web.app import PREFIX as ANSWER_PREFIX
    from bot.web.app import AnswerForm

    answers = AnswerForm(deps)  # the e-mailed links' form (bot.web)

    def health(start_response: Callable[..., Any]) -> Iterable[bytes]:
        ok, state = database_ok(deps)
        scheduler = scheduler_status() if scheduler_status else {"running": False}
        # A scheduler that stopped ticking is as bad as no database: prompts stall.
        if scheduler.get("alive") is False:
            ok = False
        body = {"status": "ok" if ok else "unhealthy", "database": state, "scheduler": scheduler}
        data = json.dumps(body).encode()
        start_response(
            "200 OK" if ok else "503 Service Unavailable",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [data]

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return health(start_response)
        if path == EVENTS_PATH:
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only")
            return slack(environ, start_response)
        if oauth is not None and path in oauth_paths:
            if method != "GET":
                return _plain(start_response, "405 Method Not Allowed", "GET only")
            return oauth(environ, start_response)
        if path.startswith(ANSWER_PREFIX):
            return answers(environ, start_response)
        return _plain(start_response, "404 Not Found", "Not Found")

    return wsgi


def _plain(start_response: Callable[..., Any], status: str, message: str) -> Iterable[bytes]:
    data = message.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


# waitress (tests, demo, the in-process bench): it reads every request whole in
# its I/O loop before a thread runs the app.
SERVER_SETTINGS: dict[str, Any] = {
    "ident": "statusbot",
    "clear_untrusted_proxy_headers": True,
    "max_request_body_size": MAX_BODY_BYTES,  # larger announced bodies: 413 at once
    "channel_timeout": 30,  # a connection idle this long is closed
    "connection_limit": 1000,  # connections per worker (slow ones cost a socket each)
    "asyncore_loop_timeout": 0.05,
    "expose_tracebacks": False,
    # X-Forwarded-* only from a proxy on this machine (others' are dropped).
    "trusted_proxy": "127.0.0.1",
    "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
}


# A request thread waits up to the interpreter's switch interval (5 ms by
# default) to get the GIL back after each database statement while other
# request threads run. A POST holding SQLite's one writer lock runs ten
# statements, so 2 ms of writing held the lock for 20–30 ms with 16 threads,
# and the other answers queued behind it (bench/web_form.py: form POST p99
# 2.1–2.3× a bare app at 5 ms; see the README for the figures at 1 ms).
THREAD_SWITCH_SECONDS = 0.001


def shorten_thread_switch() -> None:
    """Let a thread that gave up the GIL for I/O have it back sooner (for the
    whole process: the HTTP server's threads are what run here)."""
    sys.setswitchinterval(min(sys.getswitchinterval(), THREAD_SWITCH_SECONDS))


# ----------------------------------------------------------------- waitress


class ThreadedServer:
    """The WSGI app on waitress in a background thread (tests, demo, bench)."""

    def __init__(
        self, wsgi: WSGIApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 16
    ) -> None:
        from waitress.server import create_server

        self._server = create_server(
            wsgi, host=host, port=port, threads=threads, **SERVER_SETTINGS
        )
        self._thread = threading.Thread(target=self._run, name="statusbot-http", daemon=True)

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # closed under us at shutdown
            self._server.run()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadedServer:
        shorten_thread_switch()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)


# ----------------------------------------------------------------- gunicorn


def run_gunicorn(
    load: Callable[[], WSGIApp],
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    on_ready: Callable[[list[str]], None] | None = None,
    on_worker_exit: Callable[[], None] | None = None,
    graceful_timeout: int = 30,
) -> None:
    """Serve ``load()`` (called in each worker) with gunicorn's threaded workers.

    SIGTERM and Ctrl-C (SIGINT) both stop gracefully: no new connections,
    in-flight requests finish, each worker runs ``on_worker_exit`` (the
    scheduler hands back its claims), the master exits 0.
    """
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class GracefulArbiter(Arbiter):  # type: ignore[misc]
        # gunicorn treats SIGINT as a quick shutdown; an operator's Ctrl-C
        # should let in-flight requests finish, like SIGTERM.
        def handle_int(self) -> None:
            self.handle_term()

    def when_ready(server: Any) -> None:
        addresses = [str(listener) for listener in server.LISTENERS]
        if on_ready is not None:
            on_ready(addresses)

    def worker_exit(server: Any, worker: Any) -> None:
        if on_worker_exit is not None:
            on_worker_exit()

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": [f"{host}:{port}"],
                "workers": workers,
                "threads": threads,
                "worker_class": "bot.server.GracefulThreadWorker",
                "graceful_timeout": graceful_timeout,
                "timeout": 60,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "statusbot",
                "when_ready": when_ready,
                "worker_exit": worker_exit,
                "preload_app": False,
                "forwarded_allow_ips": "127.0.0.1",
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24
                settings["control_socket_disable"] = True
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return load()

        def run(self) -> None:
            GracefulArbiter(self).run()

    Application().run()


def _graceful_worker_class() -> type:
    from gunicorn.workers.gthread import ThreadWorker

    class GracefulThreadWorker(ThreadWorker):  # type: ignore[misc]
        """A gthread worker that treats SIGINT (Ctrl-C reaches the whole process
        group) like SIGTERM: finish the requests in flight, then exit."""

        def init_signals(self) -> None:
            super().init_signals()
            signal.signal(signal.SIGINT, self.handle_exit)

        def init_process(self) -> None:
            shorten_thread_switch()
            super().init_process()

    return GracefulThreadWorker


def __getattr__(name: str) -> Any:
    # gunicorn imports the worker class by dotted name; build it lazily so
    # importing bot.server does not import gunicorn (absent on Windows).
    if name == "GracefulThreadWorker":
        cls = _graceful_worker_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)

