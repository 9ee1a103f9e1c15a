"""Requests exactly as Slack sends them to an app's Request URL, signed.

Slack signs ``v0:{timestamp}:{raw body}`` with HMAC-SHA256 and the app's
signing secret and sends ``X-Slack-Signature: v0=<hex>`` and
``X-Slack-Request-Timestamp``. Slash commands arrive form-encoded;
interactivity (``block_actions``, ``view_submission``…) as a form with one
field, ``payload``, holding JSON; the Events API as a JSON body.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_counter = itertools.count(1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SignedRequest:
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class SlackSigner:
    """Builds signed requests for one app (signing secret) and workspace."""

    secret: str
    team_id: str = "T0FAKE"
    team_domain: str = "fake-kommune"
    api_app_id: str = "A0FAKE"
    bot_user_id: str = "UBOT0001"
    now: Callable[[], float] = time.time
    # Called to mint trigger ids (the harness ties them to the fake Slack).
    trigger: Callable[[str], str] = field(
        default=lambda user: f"{next(_counter)}.{int(time.time())}.fake{user}"
    )

    # ----------------------------------------------------------- signing

    def sign(
        self, body: bytes | str, *, timestamp: int | None = None, content_type: str = FORM
    ) -> SignedRequest:
        raw = body.encode() if isinstance(body, str) else body
        ts = str(int(self.now()) if timestamp is None else timestamp)
        return SignedRequest(
            body=raw,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature(self.secret, ts, raw),
            },
        )

    # ------------------------------------------------------ slash command

    def command(
        self,
        text: str = "",
        *,
        user_id: str,
        command: str = "/status",
        channel_id: str | None = None,
        user_name: str | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """A slash command, form-encoded like Slack's."""
        channel = channel_id or "D" + user_id[1:]
        fields = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": (
                f"https://hooks.slack.com/commands/{self.team_id}/{next(_counter)}/fake"
            ),
            "trigger_id": trigger_id or self.trigger(user_id),
        }
        return self.sign(urlencode(fields), timestamp=timestamp)

    # ----------------------------------------------------- interactivity

    def interaction(
        self, payload: dict[str, Any], *, timestamp: int | None = None
    ) -> SignedRequest:
        """Any interactivity payload, sent as ``payload=<json>`` in a form."""
        return self.sign(urlencode({"payload": json.dumps(payload)}), timestamp=timestamp)

    def _user(self, user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def block_action(
        self,
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        block_id: str | None = None,
        action_type: str = "button",
        selected: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """A ``block_actions`` payload for one clicked element.

        ``message`` (a message dict with ``ts``) makes it a click in a message;
        ``view`` a click inside a modal or the App Home. ``selected`` is merged
        into the action (e.g. ``{"selected_user": "U2"}`` for a users_select).
        """
        now = self.now()
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or f"b{next(_counter)}",
            "type": action_type,
            "action_ts": f"{now:.6f}",
        }
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        if value is not None:
            action["value"] = value
        if selected:
            action.update(selected)
        channel = channel_id or "D" + user_id[1:]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": trigger_id or self.trigger(user_id),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
            "state": {"values": state or {}},
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = container or {
                "type": "view",
                "view_id": view.get("id", "V0"),
            }
        else:
            msg = message or {"type": "message", "ts": f"{now:.6f}", "text": ""}
            payload["message"] = msg
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["container"] = container or {
                "type": "message",
                "message_ts": msg.get("ts"),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["response_url"] = (
                f"https://hooks.slack.com/actions/{self.team_id}/{next(_counter)}/fake"
            )
        return self.interaction(payload, timestamp=timestamp)

    def view_submission(
        self,
        view: dict[str, Any],
        *,
        user_id: str,
        values: dict[str, dict[str, Any]] | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """A ``view_submission`` of ``view`` (as the bot opened it) with ``values``.

        ``values`` is Slack's ``state.values``: ``{block_id: {action_id: {"type":
        "plain_text_input", "value": "..."}}}``; see :func:`text_value`.
        """
        submitted = dict(view)
        submitted.setdefault("id", f"V{next(_counter):09d}")
        submitted.setdefault("team_id", self.team_id)
        submitted.setdefault("type", "modal")
        submitted.setdefault("private_metadata", "")
        submitted.setdefault("callback_id", "")
        submitted.setdefault("hash", f"{int(self.now())}.fake")
        submitted["state"] = {"values": values or {}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.trigger(user_id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interaction(payload, timestamp=timestamp)

    def view_closed(self, view: dict[str, Any], *, user_id: str) -> SignedRequest:
        payload = {
            "type": "view_closed",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "view": view,
            "is_cleared": False,
        }
        return self.interaction(payload)

    # ------------------------------------------------------------ events

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        timestamp: int | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> SignedRequest:
        """An Events API ``event_callback`` envelope around ``event``."""
        now = int(self.now())
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{self.now():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):010d}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        signed = self.sign(json.dumps(envelope), timestamp=timestamp, content_type=JSON)
        if retry_num is not None:
            signed.headers["X-Slack-Retry-Num"] = str(retry_num)
            signed.headers["X-Slack-Retry-Reason"] = retry_reason
        return signed

    def message_im(
        self,
        text: str,
        *,
        user_id: str,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> SignedRequest:
        """A ``message.im`` event: the user wrote ``text`` in the bot's DM (with
        the composer's ``rich_text`` ``blocks``, if given)."""
        event: dict[str, Any] = {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user_id[1:],
            "user": user_id,
            "text": text,
            "ts": f"{self.now():.6f}",
            "team": self.team_id,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if blocks is not None:
            event["blocks"] = blocks
        return self.event(event, **kw)

    def app_home_opened(self, *, user_id: str, tab: str = "home", **kw: Any) -> SignedRequest:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": tab,
        }
        return self.event(event, **kw)

    def url_verification(self, challenge: str) -> SignedRequest:
        body = {
            "token": "legacy-verification-token",
            "challenge": challenge,
            "type": "url_verification",
        }
        return self.sign(json.dumps(body), content_type=JSON)


def text_value(value: str, *, kind: str = "plain_text_input") -> dict[str, Any]:
    """One input's state value: ``{"type": kind, "value": value}``."""
    return {"type": kind, "value": value}


# Never through a proxy from the environment: the app runs on this machine.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, request: SignedRequest, *, timeout: float = 10.0) -> Response:
    """POST a signed request to a running app; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=request.body, headers=request.headers, method="POST")
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers.items()), exc.read())


def get(url: str, *, timeout: float = 10.0, headers: dict[str, str] | None = None) -> Response:
    req = urllib.request.Request(url, headers=headers or {}, method="GET")
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers.items()), exc.read())
