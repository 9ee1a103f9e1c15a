"""Process-wide logging: plain text or one JSON object per line, secrets redacted.

``STATUSBOT_LOG_FORMAT=json`` gives machine-readable lines (``time``, ``level``,
``logger``, ``message``, ``process``, ``thread`` and ``exc``). Whatever the
format, a :class:`RedactingFilter` on the handler replaces Slack tokens
(``xoxb-…``, ``xoxp-…``, ``xapp-…``, ``xoxe-…``) and the configured secrets
with ``[redacted]`` before a line is written, so a library that logs a request
(slack_sdk at DEBUG) cannot leak them. Status texts are never logged at INFO by
the bot's own code; the e2e log test in ``tests/ops`` checks that.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from bot.settings import Settings

REDACTED = "[redacted]"
_TOKEN = re.compile(r"\bx(?:ox[a-z]|app|oxe(?:\.xox[a-z])?)-[A-Za-z0-9-]+")
# Libraries that talk too much at INFO (request lines with URLs and bodies).
_QUIET = ("slack_sdk", "slack_bolt", "urllib3", "waitress", "sqlalchemy.engine")


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value configured in ``settings`` (never logged)."""
    values: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value"):
            secret = value.get_secret_value()
            if secret:
                values.append(secret)
    return values


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    return _TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Renders the message once and strips tokens and secrets from it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            "thread": record.threadName,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"


def make_handler(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(RedactingFilter(secrets_of(settings)))
    return handler


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install the one root handler; libraries' chatter stays at WARNING unless DEBUG."""
    handler = make_handler(settings, stream)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    library_level = logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING
    for name in _QUIET:
        logging.getLogger(name).setLevel(library_level)
    return handler
