"""The Bolt app: built-in verification, de-duplication, then the listeners.

``process_before_response=True``: the HTTP answer (the ``ack``) is sent only
after the listener finished, so whatever Slack saw acknowledged is already
committed — a crash can lose an *unacknowledged* request only, which Slack
retries. Slow work goes to lazy listeners or the outbox.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult

from bot.runtime import Deps, claim_key, forget_key
from storage.db import bounded_lock_waits

log = logging.getLogger(__name__)

_DEDUPE_CONTEXT_KEY = "statusbot_dedupe_key"


class StatusApp(App):
    """A Bolt App that forgets a delivery's de-duplication key when handling it
    failed (HTTP 5xx), so Slack's retry of that delivery is processed, and
    bounds the database lock waits of each request (a locked database answers
    with an error inside Slack's 3-second window; lazy listeners, on other
    threads, keep the long waits)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with self._serving(req), bounded_lock_waits():
            response = super().dispatch(req)
        key = req.context.get(_DEDUPE_CONTEXT_KEY)
        if key and response.status >= 500:
            self._forget(key)
        return response

    _forget: Callable[[str], None] = staticmethod(lambda key: None)  # type: ignore[assignment]
    # Multi-workspace installs bind the request's workspace (bot.oauth.attach).
    _serving: Callable[[BoltRequest], AbstractContextManager[object]] = staticmethod(
        lambda req: nullcontext()
    )  # type: ignore[assignment]


def event_dedupe_key(body: dict[str, Any]) -> str | None:
    """The key under which an Events API delivery is recorded, or None."""
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return None
    team = body.get("team_id") or ""
    return f"event:{team}:{event_id}"[:200]


def _make_authorize(deps: Deps) -> Callable[..., AuthorizeResult]:
    lock = threading.Lock()

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        # Single workspace: the bot token of the client; the bot's own ids
        # come from auth.test (done once at start-up, or lazily here).
        if deps.bot_user_id is None:
            with lock:
                if deps.bot_user_id is None:
                    data = deps.client.auth_test().data
                    if isinstance(data, dict):
                        deps.bot_user_id = data.get("user_id")
                        deps.bot_id = data.get("bot_id")
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or deps.team_id or None,
            bot_user_id=deps.bot_user_id,
            bot_id=deps.bot_id,
            bot_token=deps.client.token,
        )

    return authorize


class _QuietTokenWarning(logging.Filter):
    """Bolt warns that the client's token is "ignored" when ``authorize`` is
    given; here ``authorize`` returns exactly that token, so the line misleads."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "will be ignored" not in message and "will be unused" not in message


_bolt_logger = logging.getLogger("statusbot.bolt")
_bolt_logger.addFilter(_QuietTokenWarning())


def build_app(
    deps: Deps, *, listener_executor: Executor | None = None, listeners: bool = True
) -> StatusApp:
    """The app with its middleware and (unless ``listeners=False``, for runtime
    tests that add their own) the listeners of :mod:`handlers`."""
    secret = deps.settings.slack_signing_secret
    auth: dict[str, Any] = {"authorize": _make_authorize(deps)}
    if deps.settings.oauth_enabled:  # multi-workspace: tokens from the installation store
        from bot import oauth

        auth = oauth.app_options(deps, listener_executor)
        listener_executor = auth.pop("listener_executor")
    app = StatusApp(
        client=deps.client,
        signing_secret=secret.get_secret_value() if secret else None,
        # HTTP requests are verified by bot.server on the raw bytes before
        # anything is parsed (and serve refuses to start without the secret);
        # Socket Mode has no signatures. Checking again here would only cost.
        request_verification_enabled=False,
        process_before_response=True,
        listener_executor=listener_executor,
        logger=_bolt_logger,
        **auth,
    )
    if deps.settings.oauth_enabled:
        oauth.attach(app)
    if deps.background is None and listener_executor is not None:
        deps.background = listener_executor  # one pool for lazy and follow-up work
    app._forget = lambda key: forget_key(deps.session_factory, key)  # type: ignore[method-assign]

    @app.middleware
    def dedupe_events(
        req: BoltRequest, body: dict[str, Any], next: Callable[[], None]
    ) -> BoltResponse | None:
        key = event_dedupe_key(body) if isinstance(body, dict) else None
        if key is None:
            next()
            return None
        retry = req.headers.get("x-slack-retry-num", [None])[0]
        if not claim_key(deps.session_factory, key, now=deps.clock.now()):
            log.info("duplicate delivery of %s ignored (retry %s)", key, retry)
            return BoltResponse(status=200, body="")
        req.context[_DEDUPE_CONTEXT_KEY] = key
        next()
        return None

    if listeners:
        _register_listeners(app, deps)
    return app


def _register_listeners(app: App, deps: Deps) -> None:
    try:
        handlers = importlib.import_module("handlers")
    except ModuleNotFoundError as exc:
        if exc.name != "handlers":
            raise
        log.warning("no listeners: the handlers package is missing")
        return
    register = getattr(handlers, "register", None)
    if register is None:
        log.warning("no listeners: handlers.register is not defined yet")
        return
    register(app, deps)
