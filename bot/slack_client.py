"""The Slack Web API client every part of the bot uses.

One :class:`slack_sdk.WebClient` with the bot token, pointed at
``SLACK_API_URL`` (GovSlack, a proxy, or the fake Slack in tests), with retry
handlers for rate limits, dropped connections and Slack's 5xx answers.

Short rate-limit waits are retried in-process; a ``Retry-After`` longer than
``max_inline_wait`` is *not* slept through: the ``ratelimited`` error reaches
the caller, and the scheduler puts the job back with that delay instead of
blocking a thread (see :mod:`bot.scheduler`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from http.client import RemoteDisconnected
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.settings import Settings

DEFAULT_TIMEOUT = 15  # seconds per HTTP request to Slack


def retry_after_seconds(headers: object) -> float | None:
    """The ``Retry-After`` header of a response (any header mapping), in seconds."""
    if not headers:
        return None
    items = headers.items() if hasattr(headers, "items") else []
    for key, value in items:
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retry a 429 in-process only when ``Retry-After`` is short.

    Longer waits surface as ``SlackApiError('ratelimited')`` so the outbox can
    reschedule the job rather than pin a thread (and, in tests, so the manual
    clock drives the wait).
    """

    def __init__(
        self,
        max_retry_count: int = 2,
        *,
        max_inline_wait: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_inline_wait = max_inline_wait
        self._sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_seconds(response.headers)
        return wait is not None and wait <= self.max_inline_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after_seconds(response.headers if response else None) or 0.0
        state.next_attempt_requested = True
        # A little jitter so many threads do not come back in the same instant.
        self._sleep(wait + random.uniform(0, 0.1))
        state.increment_current_attempt()


def build_retry_handlers(
    *,
    max_inline_wait: float = 1.0,
    retry_interval: float | None = None,
) -> list[RetryHandler]:
    """Rate limit, connection error and server error (5xx) retry handlers."""
    interval = (
        FixedValueRetryIntervalCalculator(fixed_internal=retry_interval)
        if retry_interval is not None
        else BackoffRetryIntervalCalculator(backoff_factor=0.5)
    )
    return [
        BoundedRateLimitRetryHandler(max_inline_wait=max_inline_wait),
        ConnectionErrorRetryHandler(
            max_retry_count=2,
            interval_calculator=interval,
            error_types=[URLError, ConnectionResetError, RemoteDisconnected, TimeoutError],
        ),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
    ]


def build_client(
    settings: Settings,
    *,
    max_inline_wait: float = 1.0,
    retry_interval: float | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> WebClient:
    """The bot-token client for ``settings.slack_api_url``."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=build_retry_handlers(
            max_inline_wait=max_inline_wait, retry_interval=retry_interval
        ),
    )


# Slack errors that no retry can fix: the job fails and is reported.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "user_is_restricted",
        "restricted_action",
        "messages_tab_disabled",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "too_many_attachments",
        "missing_scope",
        "not_allowed_token_type",
        "ekm_access_denied",
    }
)
# Slack errors that mean "try again later".
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "timeout",
    }
)


def is_permanent(code: str) -> bool:
    return code in PERMANENT_ERRORS


def slack_error_code(exc: SlackApiError) -> str:
    """The ``error`` field of a failed Web API call (``"unknown"`` if absent)."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return "unknown"


def check_token(client: WebClient) -> dict[str, object]:
    """Call ``auth.test``; return its data or raise :class:`StartupError`."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        raise StartupError(
            _startup_text("Slack refused the token (auth.test: {error})", slack_error_code(exc))
        ) from None
    except (OSError, URLError) as exc:
        raise StartupError(
            _startup_text("cannot reach the Slack API (auth.test: {error})", str(exc))
        ) from None
    return dict(response.data) if isinstance(response.data, dict) else {}


def _startup_text(msgid: str, error: str) -> str:
    """A start-up line in the operator's language (domain ``runtime``)."""
    from bot.i18n import text
    from bot.workflow.messages import current_locale

    return text("runtime", current_locale(), msgid, error=error)


class StartupError(Exception):
    """The bot cannot start; the message is one line and never contains a token."""
