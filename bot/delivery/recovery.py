"""Closing the last duplicate window of a direct message.

A handler records a message's ``ts`` right after Slack accepted it; a process
killed *between* Slack's answer and that commit leaves no record, and the
re-run would post the same message again. So every DM a job posts carries
message metadata naming it (``statusbot_delivery`` / ``key``), and a re-run of
a job that may have posted before (``job.attempts > 1``) first looks in the DM's
recent history for messages with its keys and adopts their ``ts`` instead of
posting again. A first run costs nothing extra; a re-run costs one
``conversations.open`` and one ``conversations.history`` call (scope
``im:history``, which the bot has for free-text replies).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

EVENT_TYPE = "statusbot_delivery"
HISTORY_LIMIT = 100


def marker(key: str) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` for message ``key``."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def posted_before(client: WebClient, user_id: str) -> dict[str, tuple[str, str]]:
    """key → (channel, ts) of the bot's marked messages in its DM with ``user_id``.

    Raises what Slack raises for transient problems (the job is retried); a
    permanent error here means the DM cannot be read, and the caller posts."""
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
        response = client.conversations_history(
            channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
        )
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        if status == 429 or status >= 500:
            raise
        log.warning("cannot read the DM with %s to look for earlier messages: %s", user_id, exc)
        return {}
    found: dict[str, tuple[str, str]] = {}
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") != EVENT_TYPE:
            continue
        key = (metadata.get("event_payload") or {}).get("key")
        if isinstance(key, str) and key not in found:
            found[key] = (channel, str(message["ts"]))
    return found


def post_once(
    client: WebClient, user_id: str, key: str, *, recover: bool, **message: Any
) -> tuple[str, str]:
    """DM ``message`` to ``user_id`` marked with ``key``; returns (channel, ts).

    With ``recover`` (a re-run of a job that may have posted it) a marked
    message found in the DM is adopted instead of posting again."""
    if recover:
        found = posted_before(client, user_id).get(key)
        if found is not None:
            log.info("adopting %s, posted by an earlier attempt", key)
            return found
    response = client.chat_postMessage(channel=user_id, metadata=marker(key), **message)
    return str(response["channel"]), str(response["ts"])
