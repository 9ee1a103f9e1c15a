"""A fake Slack Web API on 127.0.0.1 for tests, the demo and the benchmark.

It speaks the Web API as :class:`slack_sdk.WebClient` uses it — form-encoded
or JSON bodies, ``Authorization: Bearer`` tokens, ``{"ok": ...}`` answers,
HTTP 429 with ``Retry-After`` — and keeps a thread-safe record of every call.

Tests configure users (:meth:`FakeSlack.add_user`), inject failures
(:meth:`FakeSlack.fail`), and can switch on Slack's posting rate limit
(:meth:`FakeSlack.limit_rate`: one message per second per channel, plus an
optional workspace-wide limit) to see that nothing is lost or doubled.

Implemented methods: ``auth.test``, ``chat.postMessage``, ``chat.update``,
``chat.postEphemeral``, ``chat.delete``, ``chat.getPermalink``,
``conversations.open``, ``conversations.history``, ``views.open``/``update``/``push``/``publish``,
``users.info``, ``users.profile.get`` (with a user's custom status),
``users.lookupByEmail``, ``users.list``,
``files.getUploadURLExternal`` + the upload URL + ``files.completeUploadExternal``
(the three steps of ``files_upload_v2``), ``files.info`` (where a file is shared),
``oauth.v2.access``, and ``apps.connections.open`` (with the app-level token,
after :meth:`FakeSlack.enable_socket_mode`: a URL of the Socket Mode stand-in,
:mod:`bot.testing.fakesocket`).
Anything else answers ``unknown_method`` like Slack does.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from bot.blocks.check import rich_text_problems

if TYPE_CHECKING:
    from bot.testing.fakesocket import FakeSocketMode

# Parameters slack_sdk sends as JSON strings inside form bodies.
_JSON_PARAMS = {"blocks", "attachments", "view", "files", "metadata", "unfurl"}

# Methods that post a message (subject to the per-channel rate limit).
_POSTING = {"chat.postMessage", "chat.postEphemeral", "chat.update", "files.completeUploadExternal"}

TRIGGER_TTL = 3.0  # seconds a trigger_id stays valid, as in Slack


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    status: int = 200
    response: dict[str, Any] | None = None
    token: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def channel(self) -> str | None:
        value = self.params.get("channel") or self.params.get("channel_id")
        return str(value) if value is not None else None


@dataclass
class FakeUser:
    id: str
    email: str | None = None
    name: str = ""
    real_name: str = ""
    display_name: str = ""
    tz: str = "Europe/Copenhagen"
    locale: str = "da-DK"
    is_bot: bool = False
    deleted: bool = False
    team_id: str = "T0FAKE"
    # The profile's custom status ("Ferie", ":palm_tree:", expiration as a Unix time; 0: none).
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0

    def profile(self) -> dict[str, Any]:
        return {
            "real_name": self.real_name or self.name,
            "display_name": self.display_name or self.name,
            "email": self.email,
            "team": self.team_id,
            "status_text": self.status_text,
            "status_emoji": self.status_emoji,
            "status_expiration": self.status_expiration,
        }

    def as_slack(self, *, include_locale: bool = False) -> dict[str, Any]:
        tz_offset = _tz_offset(self.tz)
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name or self.id.lower(),
            "deleted": self.deleted,
            "real_name": self.real_name or self.name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": tz_offset,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": self.profile(),
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class Failure:
    """A rule that makes matching calls fail.

    ``kind`` is ``"error"`` (HTTP 200, ``ok: false``), ``"status"`` (an HTTP
    status such as 429 or 500), ``"reset"`` (the connection is dropped without
    an answer), ``"timeout"`` (dropped after ``delay`` seconds) or ``"slow"``
    (the normal answer, after ``delay`` seconds).
    """

    method: str  # "*" for any
    kind: str = "error"
    error: str = "internal_error"
    status: int = 200
    retry_after: int | None = None
    times: int | None = 1  # None: forever
    channel: str | None = None
    delay: float = 0.0
    hits: int = 0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method not in ("*", method):
            return False
        if self.channel is not None:
            target = params.get("channel") or params.get("channel_id") or params.get("users")
            if target != self.channel:
                return False
        return True


@dataclass
class _Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take a token; return 0 on success or the seconds until one is free."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimit:
    per_channel: float | None = 1.0  # messages per second per channel
    channel_burst: float = 1.0
    workspace: float | None = None  # messages per second for the whole workspace
    workspace_burst: float = 20.0
    _channels: dict[str, _Bucket] = field(default_factory=dict)
    _workspace: _Bucket | None = None

    def check(self, channel: str | None, now: float) -> float:
        """0 if the message may go now, else the seconds to wait."""
        if self.workspace is not None:
            if self._workspace is None:
                self._workspace = _Bucket(
                    self.workspace, self.workspace_burst, self.workspace_burst, now
                )
            wait = self._workspace.take(now)
            if wait:
                return wait
        if self.per_channel is not None and channel:
            bucket = self._channels.get(channel)
            if bucket is None:
                bucket = _Bucket(self.per_channel, self.channel_burst, self.channel_burst, now)
                self._channels[channel] = bucket
            wait = bucket.take(now)
            if wait:
                if self._workspace is not None:
                    self._workspace.tokens += 1  # give back: this message is not sent
                return wait
        return 0.0


class FakeSlack:
    """The fake Web API server. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        token: str | None = "xoxb-fake-token",
        team_id: str = "T0FAKE",
        team_name: str = "Fake Kommune",
        bot_user_id: str = "UBOT0001",
        bot_id: str = "BBOT0001",
        strict_triggers: bool = False,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.strict_triggers = strict_triggers
        self.calls: list[Call] = []
        self.users: dict[str, FakeUser] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.failures: list[Failure] = []
        self.rate_limit: RateLimit | None = None
        self.lock = threading.RLock()
        self._triggers: dict[str, tuple[float, str | None]] = {}
        self._used_triggers: set[str] = set()
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition(self.lock)
        # Scopes reported in auth.test's ``x-oauth-scopes`` header (None: no header).
        self.scopes: list[str] | None = None
        # Other workspaces' tokens (multi-workspace installs): token -> team info;
        # OAuth codes the fake will exchange, and refresh tokens it accepts.
        self.team_tokens: dict[str, dict[str, str]] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.expired_tokens: set[str] = set()
        self._installed: dict[str, dict[str, Any]] = {}
        # When set, oauth.v2.access checks the app's credentials like Slack.
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self._rotations = itertools.count(1)
        # Channels conversations.info knows: id -> the channel object it answers.
        self.channels: dict[str, dict[str, Any]] = {}
        # Socket Mode (enable_socket_mode): the app-level token and the websocket side.
        self.app_token: str | None = None
        self.socket_mode: FakeSocketMode | None = None
        self.add_user(FakeUser(id=bot_user_id, name="statusbot", is_bot=True, team_id=team_id))

    # ------------------------------------------------------------------ life

    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            slack = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.socket_mode is not None:
            self.socket_mode.stop()
            self.socket_mode = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlack is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What SLACK_API_URL must be set to."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ------------------------------------------------------------ configure

    def enable_socket_mode(self, app_token: str = "xapp-1-A0FAKE-1-fakeapptoken") -> FakeSocketMode:
        """Start the Socket Mode stand-in; ``apps.connections.open`` with
        ``app_token`` then answers one of its websocket URLs."""
        from bot.testing.fakesocket import FakeSocketMode

        if self.socket_mode is None:
            self.socket_mode = FakeSocketMode().start()
        self.app_token = app_token
        return self.socket_mode

    def add_user(self, user: FakeUser | None = None, /, **fields: Any) -> FakeUser:
        """Add (or replace) a workspace member; ``add_user(id="U1", email=...)``."""
        if user is None:
            if "id" not in fields:
                fields["id"] = f"U{next(self._ids):07d}"
            fields.setdefault("team_id", self.team_id)
            user = FakeUser(**fields)
        with self.lock:
            self.users[user.id] = user
        return user

    def fail(
        self,
        method: str,
        *,
        error: str = "internal_error",
        status: int | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
        channel: str | None = None,
        reset: bool = False,
        delay: float = 0.0,
    ) -> Failure:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: always).

        ``status=429`` answers ``ratelimited`` with ``Retry-After`` (default 1);
        ``status=500``/``503`` answer a server error; ``reset=True`` drops the
        connection; ``delay`` holds the answer back (client timeouts); without
        ``status`` the call answers HTTP 200 ``{"ok": false, "error": error}``.
        ``channel`` limits the rule to calls for one channel or user id.
        """
        if reset:
            kind = "reset"
        elif delay and status is None:
            kind = "timeout"
        elif status is not None:
            kind = "status"
        else:
            kind = "error"
        if status == 429:
            error = "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        rule = Failure(
            method=method,
            kind=kind,
            error=error,
            status=status or 200,
            retry_after=retry_after,
            times=times,
            channel=channel,
            delay=delay,
        )
        with self.lock:
            self.failures.append(rule)
        return rule

    def slow(self, method: str, seconds: float, *, times: int | None = 1) -> Failure:
        """Answer ``method`` normally, but only after ``seconds`` (a slow Slack)."""
        rule = Failure(method=method, kind="slow", delay=seconds, times=times)
        with self.lock:
            self.failures.append(rule)
        return rule

    def clear_failures(self) -> None:
        with self.lock:
            self.failures.clear()

    def limit_rate(
        self,
        *,
        per_channel: float | None = 1.0,
        channel_burst: float = 1.0,
        workspace: float | None = None,
        workspace_burst: float = 20.0,
    ) -> RateLimit:
        """Enforce Slack's posting limits; excess messages get HTTP 429."""
        with self.lock:
            self.rate_limit = RateLimit(
                per_channel=per_channel,
                channel_burst=channel_burst,
                workspace=workspace,
                workspace_burst=workspace_burst,
            )
            return self.rate_limit

    def new_trigger(self, user_id: str | None = None) -> str:
        """A fresh trigger_id, valid for 3 seconds (what Slack puts in interactions)."""
        trigger = f"{next(self._ids)}.{int(time.time())}.{next(self._ids):x}fake"
        with self.lock:
            self._triggers[trigger] = (time.monotonic(), user_id)
        return trigger

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    # --------------------------------------------------------------- inspect

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        with self.lock:
            found = [c for c in self.calls if c.method == method]
        if ok is not None:
            found = [c for c in found if c.ok == ok]
        return found

    def posted(self, channel: str | None = None) -> list[Call]:
        """Successful chat.postMessage calls (to ``channel``: a D… id or user id)."""
        calls = self.calls_to("chat.postMessage", ok=True)
        if channel is None:
            return calls
        wanted = (
            {channel, self.dm_channel(channel)} if channel.startswith(("U", "W")) else {channel}
        )
        return [c for c in calls if c.response and c.response.get("channel") in wanted]

    def add_channel(
        self, channel_id: str, name: str, *, private: bool = False, bot_is_member: bool = True
    ) -> dict[str, Any]:
        """A channel for conversations.info (the bot in it unless told otherwise)."""
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": not private,
            "is_group": private,
            "is_private": private,
            "is_archived": False,
            "is_member": bot_is_member,
        }
        self.channels[channel_id] = channel
        return channel

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's direct-message channel with ``user_id``."""
        return "D" + user_id[1:] if user_id[:1] in ("U", "W") else user_id

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` holds (checked after every call)."""
        return wait_on(self._changed, predicate, timeout)

    # ------------------------------------------------------------- dispatch

    def handle(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str], Failure | None]:
        """Answer one call: (HTTP status, JSON body, extra headers, failure rule)."""
        with self.lock:
            call = Call(method=method, params=params, at=time.monotonic(), token=token)
            self.calls.append(call)
            status, body, headers, rule = self._answer(method, params, token)
            call.status = status
            call.response = body
            self._changed.notify_all()
            return status, body, headers, rule

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str], Failure | None]:
        slow: Failure | None = None
        for rule in self.failures:
            if rule.matches(method, params):
                rule.hits += 1
                if rule.kind == "slow":
                    slow = rule
                    continue
                if rule.kind in ("reset", "timeout"):
                    return 0, {}, {}, rule
                headers = {}
                if rule.status == 429:
                    headers["Retry-After"] = str(rule.retry_after or 1)
                return rule.status, {"ok": False, "error": rule.error}, headers, None
        if method == "apps.connections.open":
            return 200, self._apps_connections_open(token), {}, slow
        if method != "oauth.v2.access" and token in self.expired_tokens:
            return 200, {"ok": False, "error": "token_expired"}, {}, None
        if method != "oauth.v2.access" and self.token is not None:
            if not token:
                return 200, {"ok": False, "error": "not_authed"}, {}, None
            if token != self.token and token not in self.team_tokens:
                return 200, {"ok": False, "error": "invalid_auth"}, {}, None
        if method == "auth.revoke":  # the calling token is revoked
            with self.lock:
                self.team_tokens.pop(token or "", None)
            return 200, {"ok": True, "revoked": True}, {}, slow
        if method == "auth.test":
            body = self._m_auth_test(params, token)
            headers = {"x-oauth-scopes": ",".join(self.scopes)} if self.scopes is not None else {}
            return 200, body, headers, slow
        if self.rate_limit is not None and method in _POSTING:
            channel = params.get("channel") or params.get("channel_id")
            channel = self.dm_channel(str(channel)) if channel else None
            wait = self.rate_limit.check(channel, time.monotonic())
            if wait:
                retry_after = max(1, int(wait + 0.999))
                return (
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(retry_after)},
                    None,
                )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}, slow
        try:
            body = handler(params)
        except _SlackError as exc:
            body = {"ok": False, "error": exc.error}
        return 200, body, {}, slow

    # ------------------------------------------------------------ helpers

    def _ts_now(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _user(self, user_id: Any) -> FakeUser:
        user = self.users.get(str(user_id or ""))
        if user is None:
            raise _SlackError("user_not_found")
        return user

    def _resolve_channel(self, channel: Any) -> str:
        """Map a user id to its DM channel; check the target exists."""
        if not channel:
            raise _SlackError("channel_not_found")
        channel = str(channel)
        if channel[:1] in ("U", "W"):
            user = self.users.get(channel)
            if user is None:
                raise _SlackError("channel_not_found")
            if user.is_bot:
                raise _SlackError("cannot_dm_bot")
            if user.deleted:
                raise _SlackError("user_disabled")
            return self.dm_channel(channel)
        if channel[:1] == "D":
            user = self.users.get("U" + channel[1:]) or self.users.get("W" + channel[1:])
            if user is None:
                raise _SlackError("channel_not_found")
            if user.deleted:
                raise _SlackError("user_disabled")
        return channel

    @staticmethod
    def _need(params: dict[str, Any], *names: str) -> None:
        for name in names:
            if params.get(name) in (None, ""):
                raise _SlackError("invalid_arguments")

    def _use_trigger(self, trigger_id: Any) -> None:
        if not trigger_id:
            raise _SlackError("invalid_arguments")
        trigger = str(trigger_id)
        known = self._triggers.get(trigger)
        if known is None:
            if self.strict_triggers:
                raise _SlackError("invalid_trigger_id")
            return
        if trigger in self._used_triggers:
            raise _SlackError("trigger_exchanged")
        if time.monotonic() - known[0] > TRIGGER_TTL:
            raise _SlackError("expired_trigger_id")
        self._used_triggers.add(trigger)

    @staticmethod
    def _check_blocks(params: dict[str, Any], limit: int = 50) -> None:
        blocks = params.get("blocks")
        if blocks is None:
            if not params.get("text"):
                raise _SlackError("no_text")
            return
        if not isinstance(blocks, list):
            raise _SlackError("invalid_blocks_format")
        if len(blocks) > limit:
            raise _SlackError("invalid_blocks")
        for block in blocks:
            if not isinstance(block, dict) or "type" not in block:
                raise _SlackError("invalid_blocks")
            text = block.get("text")
            if isinstance(text, dict) and len(str(text.get("text", ""))) > 3000:
                raise _SlackError("invalid_blocks")
        if len(str(params.get("text") or "")) > 40000:
            raise _SlackError("msg_too_long")

    def _view(self, view: Any, *, kind: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict) or "type" not in view:
            raise _SlackError("invalid_arguments")
        blocks = view.get("blocks", [])
        if not isinstance(blocks, list) or len(blocks) > 100:
            raise _SlackError("invalid_blocks")
        if kind and view["type"] != kind:
            raise _SlackError("invalid_arguments")
        for block in blocks:
            element = block.get("element") if isinstance(block, dict) else None
            if not isinstance(element, dict) or element.get("type") != "rich_text_input":
                continue
            # Stricter than Slack, which opens such a form and fails on submission.
            initial = element.get("initial_value") or {"type": "rich_text", "elements": []}
            if block.get("type") != "input" or rich_text_problems(initial, "view"):
                raise _SlackError("invalid_blocks")
        return view

    def _store_view(self, view: dict[str, Any], view_id: str | None = None, **extra: Any) -> dict:
        view_id = view_id or f"V{next(self._ids):09d}"
        stored = dict(view)
        stored.update(
            id=view_id,
            team_id=self.team_id,
            hash=f"{int(time.time())}.{next(self._ids):08x}",
            app_id="A0FAKE",
            bot_id=self.bot_id,
            state={"values": {}},
            private_metadata=view.get("private_metadata", ""),
            callback_id=view.get("callback_id", ""),
            external_id=view.get("external_id", ""),
            **extra,
        )
        self.views[view_id] = stored
        return stored

    # --------------------------------------------------------------- methods

    def _m_auth_test(self, params: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        team = self.team_tokens.get(token or "", {})
        return {
            "ok": True,
            "url": "https://fake-kommune.slack.com/",
            "team": team.get("team_name", self.team_name),
            "user": "statusbot",
            "team_id": team.get("team_id", self.team_id),
            "user_id": team.get("bot_user_id", self.bot_user_id),
            "bot_id": team.get("bot_id", self.bot_id),
            "is_enterprise_install": False,
        }

    def _m_api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        self._check_blocks(params)
        ts = self._ts_now()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
            "ts": ts,
            "team": self.team_id,
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first; ``metadata`` only with ``include_all_metadata``."""
        self._need(params, "channel")
        channel = self._resolve_channel(params["channel"])
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = sorted(
            (m for (ch, _ts), m in self.messages.items() if ch == channel),
            key=lambda m: tuple(int(p) for p in str(m["ts"]).split(".")),
            reverse=True,
        )
        messages = []
        for message in found[:limit]:
            shown = {k: v for k, v in message.items() if k != "metadata"}
            if with_metadata and "metadata" in message:
                shown["metadata"] = message["metadata"]
            messages.append(shown)
        return {"ok": True, "messages": messages, "has_more": len(found) > limit}

    def _m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: a private channel the bot is not in is not found."""
        self._need(params, "channel")
        channel = self.channels.get(str(params["channel"]))
        if channel is None or (channel["is_private"] and not channel["is_member"]):
            raise _SlackError("channel_not_found")
        return {"ok": True, "channel": dict(channel)}

    def _m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "channel", "ts")
        channel = self._resolve_channel(params["channel"])
        key = (channel, str(params["ts"]))
        if key not in self.messages:
            raise _SlackError("message_not_found")
        self._check_blocks(params)
        message = self.messages[key]
        message.update(text=params.get("text", ""), blocks=params.get("blocks", []))
        message["edited"] = {"user": self.bot_user_id, "ts": self._ts_now()}
        return {
            "ok": True,
            "channel": channel,
            "ts": key[1],
            "text": message["text"],
            "message": message,
        }

    def _m_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "channel", "ts")
        channel = self._resolve_channel(params["channel"])
        if self.messages.pop((channel, str(params["ts"])), None) is None:
            raise _SlackError("message_not_found")
        return {"ok": True, "channel": channel, "ts": params["ts"]}

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "channel", "user")
        self._user(params["user"])
        self._check_blocks(params)
        self.ephemerals.append(dict(params))
        return {"ok": True, "message_ts": self._ts_now()}

    def _m_chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "channel", "message_ts")
        ts = str(params["message_ts"]).replace(".", "")
        return {
            "ok": True,
            "channel": params["channel"],
            "permalink": f"https://fake-kommune.slack.com/archives/{params['channel']}/p{ts}",
        }

    def _m_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users") or "").split(",")
        if not users or not users[0]:
            raise _SlackError(
                "users_list_not_supplied" if not params.get("channel") else "invalid_arguments"
            )
        if len(users) > 1:
            raise _SlackError("not_allowed_token_type")  # group DMs are not used by the bot
        channel = self._resolve_channel(users[0])
        return {"ok": True, "channel": {"id": channel, "is_im": True, "user": users[0]}}

    def _apps_connections_open(self, token: str | None) -> dict[str, Any]:
        """Slack checks the app-level token (a bot token is the wrong type)."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token.startswith("xox"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode is None or token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.socket_mode.issue_url()}

    def _m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._user(params.get("user"))
        include = str(params.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": user.as_slack(include_locale=include)}

    def _m_users_profile_get(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "profile": self._user(params.get("user")).profile()}

    def _m_users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "email")
        email = str(params["email"]).strip().lower()
        for user in self.users.values():
            if user.email and user.email.lower() == email and not user.deleted:
                return {"ok": True, "user": user.as_slack()}
        raise _SlackError("users_not_found")

    def _m_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "members": [u.as_slack() for u in self.users.values()],
            "response_metadata": {"next_cursor": ""},
        }

    def _m_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params.get("view"), kind="modal")
        self._use_trigger(params.get("trigger_id"))
        stored = self._store_view(view)
        stored["root_view_id"] = stored["id"]
        stored["previous_view_id"] = None
        return {"ok": True, "view": stored}

    def _m_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params.get("view"), kind="modal")
        self._use_trigger(params.get("trigger_id"))
        stored = self._store_view(view)
        stored["root_view_id"] = stored["id"]
        return {"ok": True, "view": stored}

    def _m_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params.get("view"))
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next(
                (
                    v["id"]
                    for v in self.views.values()
                    if v.get("external_id") == params["external_id"]
                ),
                None,
            )
        if not view_id or view_id not in self.views:
            raise _SlackError("not_found")
        if params.get("hash") and params["hash"] != self.views[view_id]["hash"]:
            raise _SlackError("hash_conflict")
        stored = self._store_view(view, view_id=view_id)
        return {"ok": True, "view": stored}

    def _m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._user(params.get("user_id"))
        view = self._view(params.get("view"), kind="home")
        stored = self._store_view(view)
        self.home_views[user.id] = stored
        return {"ok": True, "view": stored}

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        self._need(params, "filename", "length")
        try:
            length = int(params["length"])
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments") from None
        file_id = f"F{next(self._ids):09d}"
        self.files[file_id] = {
            "id": file_id,
            "name": params["filename"],
            "length": length,
            "alt_txt": params.get("alt_txt"),
            "content": None,
            "completed": False,
        }
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/v1/{file_id}",
        }

    def upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The upload URL's answer (step 2 of files_upload_v2)."""
        with self.lock:
            self.calls.append(
                Call(
                    method="upload",
                    params={"file_id": file_id, "size": len(data)},
                    at=time.monotonic(),
                )
            )
            entry = self.files.get(file_id)
            if entry is None:
                return 404, "Not Found"
            entry["content"] = data
            self._changed.notify_all()
            return 200, f"OK - {len(data)}"

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise _SlackError("invalid_arguments")
        channel = params.get("channel_id")
        if channel:
            channel = self._resolve_channel(channel)
        done = []
        for item in files:
            entry = self.files.get(str(item.get("id")))
            if entry is None:
                raise _SlackError("file_not_found")
            if entry["content"] is None:
                raise _SlackError("file_upload_not_completed")  # step 2 missing
            if len(entry["content"]) != entry["length"]:
                raise _SlackError("file_upload_size_mismatch")
            entry.update(
                completed=True,
                title=item.get("title") or entry["name"],
                channels=[channel] if channel else [],
                initial_comment=params.get("initial_comment"),
                thread_ts=params.get("thread_ts"),
            )
            done.append(
                {
                    "id": entry["id"],
                    "name": entry["name"],
                    "title": entry["title"],
                    "size": entry["length"],
                    "permalink": f"https://fake-kommune.slack.com/files/{entry['id']}",
                }
            )
        if channel:
            ts = self._ts_now()
            self.messages[(channel, ts)] = {
                "type": "message",
                "ts": ts,
                "text": params.get("initial_comment", ""),
                "files": done,
            }
            for item in files:
                self.files[str(item.get("id"))].setdefault("shares", []).append((channel, ts))
        return {"ok": True, "files": done}

    def _m_files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """Where a file is shared, as Slack shows it: ``shares.public`` for
        channels, ``shares.private`` for DMs and private channels."""
        self._need(params, "file")
        entry = self.files.get(str(params["file"]))
        if entry is None or not entry["completed"]:
            raise _SlackError("file_not_found")
        shares: dict[str, dict[str, list[dict[str, str]]]] = {}
        for channel, ts in entry.get("shares", []):
            scope = "public" if channel.startswith("C") else "private"
            shares.setdefault(scope, {}).setdefault(channel, []).append({"ts": ts})
        info = {
            "id": entry["id"],
            "name": entry["name"],
            "title": entry.get("title", entry["name"]),
            "size": entry["length"],
            "shares": shares,
        }
        return {"ok": True, "file": info}

    def add_oauth_code(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str = "",
        bot_user_id: str = "UBOTX",
        bot_id: str = "BBOTX",
        rotate: bool = False,
        expires_in: int = 43200,
        enterprise_id: str = "",
    ) -> None:
        """Make ``code`` exchangeable by ``oauth.v2.access`` for a bot token of
        ``team_id`` (with ``rotate``: an expiring token and a refresh token;
        with ``enterprise_id`` and no ``team_id``: an org-wide install of an
        Enterprise Grid organisation, answered as Slack does — ``team`` null,
        ``is_enterprise_install`` true)."""
        with self.lock:
            self.oauth_codes[code] = {
                "team_id": team_id,
                "team_name": team_name or team_id,
                "bot_user_id": bot_user_id,
                "bot_id": bot_id,
                "rotate": rotate,
                "expires_in": expires_in,
                "enterprise_id": enterprise_id,
            }

    def _issue_token(self, info: dict[str, Any]) -> dict[str, Any]:
        self._installed[info["team_id"]] = info  # what a refresh issues again
        number = next(self._rotations)
        prefix = "xoxe.xoxb-" if info["rotate"] else "xoxb-"
        token = f"{prefix}{info['team_id']}-{number}"
        self.team_tokens[token] = {
            k: info[k] for k in ("team_id", "team_name", "bot_user_id", "bot_id")
        }
        answer: dict[str, Any] = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(self.scopes or ["chat:write", "commands"]),
            "bot_user_id": info["bot_user_id"],
            "app_id": "A0FAKE",
            "team": {"id": info["team_id"], "name": info["team_name"]},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALLER"},
        }
        if info.get("enterprise_id"):
            answer["enterprise"] = {"id": info["enterprise_id"], "name": "Org"}
            if not info["team_id"]:
                answer.update(team=None, is_enterprise_install=True)
        if info["rotate"]:
            refresh = f"xoxe-1-{info['team_id']}-{number}"
            self.refresh_tokens[refresh] = info["team_id"]
            answer["refresh_token"] = refresh
            answer["expires_in"] = info["expires_in"]
        return answer

    def expire_token(self, token: str) -> None:
        """From now on ``token`` is refused with ``token_expired`` (a rotating
        token past its ``expires_in``)."""
        with self.lock:
            self.expired_tokens.add(token)

    def _m_oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.client_id is not None and params.get("client_id") != self.client_id:
            raise _SlackError("invalid_client_id")
        if self.client_secret is not None and params.get("client_secret") != self.client_secret:
            raise _SlackError("bad_client_secret")
        if params.get("grant_type") == "refresh_token":
            team = self.refresh_tokens.pop(str(params.get("refresh_token") or ""), None)
            if team is None:
                raise _SlackError("invalid_refresh_token")
            info = self._installed.get(team)
            if info is None:
                raise _SlackError("invalid_refresh_token")
            return self._issue_token(info)
        self._need(params, "code")
        if params["code"] in self.oauth_codes:
            return self._issue_token(self.oauth_codes.pop(params["code"]))
        return {
            "ok": True,
            "access_token": self.token or "xoxb-fake-token",
            "token_type": "bot",
            "scope": "chat:write,commands,im:write,users:read,users:read.email",
            "bot_user_id": self.bot_user_id,
            "app_id": "A0FAKE",
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ------------------------------------------------------------- queries

    def uploaded(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(f) for f in self.files.values() if f["completed"]]

    def iter_calls(self) -> Iterator[Call]:
        with self.lock:
            return iter(list(self.calls))


def wait_on(changed: threading.Condition, predicate: Callable[[], bool], timeout: float) -> bool:
    """Wait until ``predicate()`` holds, checked whenever ``changed`` is
    notified (and every 50 ms); False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with changed:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            changed.wait(min(left, 0.05))
    return True


class _SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _tz_offset(tz: str) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except Exception:
        return 0
    return int(offset.total_seconds()) if offset else 0


def _parse_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if "application/json" in content_type:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            params.update(data)
        return params
    for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
        value: Any = values[-1]
        if key in _JSON_PARAMS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


class _Handler(BaseHTTPRequestHandler):
    slack: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._reply(405, {"ok": False, "error": "method_not_allowed"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if parts.path.startswith("/upload/v1/"):
            status, text = self.slack.upload(parts.path.rsplit("/", 1)[-1], body)
            self._reply_text(status, text)
            return
        if not parts.path.startswith("/api/"):
            self._reply_text(404, "Not Found")
            return
        method = parts.path.removeprefix("/api/")
        params = _parse_params(self.headers.get("Content-Type", ""), body, parts.query)
        token = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        elif auth.lower().startswith("basic "):  # oauth.v2.access: the app's credentials
            with contextlib.suppress(ValueError):
                user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
                params.setdefault("client_id", user)
                params.setdefault("client_secret", password)
        elif params.get("token"):
            token = str(params.pop("token"))
        status, answer, headers, rule = self.slack.handle(method, params, token)
        if rule is not None and rule.kind == "reset":
            self._drop()
            return
        if rule is not None and rule.kind == "timeout":
            time.sleep(rule.delay)
            self._drop()
            return
        if rule is not None and rule.kind == "slow":
            time.sleep(rule.delay)
        self._reply(status, answer, headers)

    def _drop(self) -> None:
        # RST instead of FIN: the client sees "connection reset by peer".
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _reply(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _reply_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
