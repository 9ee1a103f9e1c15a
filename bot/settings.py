"""Operator settings (CONTRACT.md), read from the environment and a `.env` file.

A missing or malformed setting raises :class:`SettingsError` whose message is one
line naming the variable; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

# Environment variable name of every field, for error messages.
ENV_NAMES = {
    "database_url": "STATUSBOT_DATABASE_URL",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_api_url": "SLACK_API_URL",
    "locale": "STATUSBOT_LOCALE",
    "timezone": "STATUSBOT_TIMEZONE",
    "tick_seconds": "STATUSBOT_TICK_SECONDS",
    "socket_ping_seconds": "STATUSBOT_SOCKET_PING_SECONDS",
    "socket_debug_reconnects": "STATUSBOT_SOCKET_DEBUG_RECONNECTS",
    "working_hours": "STATUSBOT_WORKING_HOURS",
    "job_retention_days": "STATUSBOT_JOB_RETENTION_DAYS",
    "log_format": "STATUSBOT_LOG_FORMAT",
    "log_level": "STATUSBOT_LOG_LEVEL",
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "slack_oauth_authorize_url": "SLACK_OAUTH_AUTHORIZE_URL",
    "slack_oauth_redirect_uri": "SLACK_OAUTH_REDIRECT_URI",
    "slack_scopes": "SLACK_SCOPES",
    "smtp_url": "STATUSBOT_SMTP_URL",
    "mail_from": "STATUSBOT_MAIL_FROM",
    "public_url": "STATUSBOT_PUBLIC_URL",
}

# The bot scopes of slack/manifest.yml (a test keeps the two equal).
DEFAULT_BOT_SCOPES = (
    "chat:write,im:write,im:history,users:read,users:read.email,commands,files:write,"
    "files:read,channels:read,groups:read"
)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class WorkingHours:
    """Delivery window for reminders, or ``None`` bounds when disabled (``off``)."""

    def __init__(self, start: time | None, end: time | None) -> None:
        self.start = start
        self.end = end

    @property
    def enabled(self) -> bool:
        return self.start is not None and self.end is not None

    def __repr__(self) -> str:
        if not self.enabled:
            return "WorkingHours(off)"
        return f"WorkingHours({self.start:%H:%M}-{self.end:%H:%M})"

    @classmethod
    def parse(cls, value: str) -> WorkingHours:
        text = value.strip().lower()
        if text in {"off", "none", "disabled", ""}:
            return cls(None, None)
        match = _HOURS.match(text)
        if not match:
            raise ValueError("must look like 08:00-17:00 or be 'off'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (0 <= h1 < 24 and 0 <= h2 <= 24 and 0 <= m1 < 60 and 0 <= m2 < 60):
            raise ValueError("hours must be between 00:00 and 24:00")
        start = time(h1, m1)
        end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
        if end <= start:
            raise ValueError("the end must be after the start")
        return cls(start, end)


class Settings(BaseSettings):
    """Every variable of CONTRACT.md. Slack tokens are optional here and are
    required by the commands that need them (see :meth:`require`)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field("sqlite:///statusbot.db", alias="STATUSBOT_DATABASE_URL")
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    locale: Literal["da", "en"] = Field("da", alias="STATUSBOT_LOCALE")
    timezone: str = Field("Europe/Copenhagen", alias="STATUSBOT_TIMEZONE")
    tick_seconds: float = Field(30.0, gt=0, le=3600, alias="STATUSBOT_TICK_SECONDS")
    working_hours: str = Field("08:00-17:00", alias="STATUSBOT_WORKING_HOURS")
    # Socket Mode keepalive: a ping this often, and a connection without a pong
    # this long after a ping is replaced (a dead link is noticed within 2×).
    socket_ping_seconds: float = Field(3.0, ge=0.2, le=60, alias="STATUSBOT_SOCKET_PING_SECONDS")
    # Ask Slack to refresh Socket Mode connections every few minutes (to watch
    # the refresh path against the real Slack; never needed in production).
    socket_debug_reconnects: bool = Field(False, alias="STATUSBOT_SOCKET_DEBUG_RECONNECTS")
    # Finished outbox jobs are deleted this many days after they were done (0: kept).
    job_retention_days: int = Field(30, ge=0, le=36500, alias="STATUSBOT_JOB_RETENTION_DAYS")
    log_format: Literal["text", "json"] = Field("text", alias="STATUSBOT_LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", alias="STATUSBOT_LOG_LEVEL"
    )

    # Multi-workspace OAuth install (bot/oauth.py): on when both are set.
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET")
    # GovSlack: https://slack-gov.com/oauth/v2/authorize (token exchange uses SLACK_API_URL).
    slack_oauth_authorize_url: str = Field(
        "https://slack.com/oauth/v2/authorize", alias="SLACK_OAUTH_AUTHORIZE_URL"
    )
    slack_oauth_redirect_uri: str | None = Field(None, alias="SLACK_OAUTH_REDIRECT_URI")
    slack_scopes: str = Field(DEFAULT_BOT_SCOPES, alias="SLACK_SCOPES")

    # E-mail for owners outside Slack (bot.mail); unset: they are reported to
    # coordinators instead. The other two are required with it.
    smtp_url: SecretStr | None = Field(None, alias="STATUSBOT_SMTP_URL")
    mail_from: str | None = Field(None, alias="STATUSBOT_MAIL_FROM")
    # Where ``serve --http`` is reached from outside; personal links start with it.
    public_url: str | None = Field(None, alias="STATUSBOT_PUBLIC_URL")

    @property
    def mail_enabled(self) -> bool:
        return self.smtp_url is not None and bool(self.smtp_url.get_secret_value())

    @field_validator("smtp_url", "mail_from", "public_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from bot.mail.smtp_url import parse_smtp_url

            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.mail.smtp_url import parse_sender

            parse_sender(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
            raise ValueError("must be an http(s) URL such as https://status.example.dk")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _mail_needs_sender_and_url(self) -> Settings:
        if self.mail_enabled:
            for name in ("mail_from", "public_url"):
                if getattr(self, name) is None:
                    raise ValueError(
                        f"{ENV_NAMES[name]} is not set (required with STATUSBOT_SMTP_URL)"
                    )
        return self

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id) and self.slack_client_secret is not None

    @field_validator("slack_oauth_authorize_url")
    @classmethod
    def _authorize_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("locale", mode="before")
    @classmethod
    def _lower_locale(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        from storage.db import normalise_url

        try:
            make_url(normalise_url(value.strip())).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError):
            raise ValueError(
                "not a database URL (e.g. sqlite:///statusbot.db or "
                "postgresql+psycopg://user@host/db)"
            ) from None
        return value.strip()

    @field_validator("working_hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        WorkingHours.parse(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xox"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def hours(self) -> WorkingHours:
        return WorkingHours.parse(self.working_hours)

    def require(self, *fields: str) -> None:
        """Raise :class:`SettingsError` for the first of ``fields`` that is unset."""
        for name in fields:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise SettingsError(f"{ENV_NAMES[name]} is not set (required for this command)")


def load_settings(**overrides: object) -> Settings:
    """Read the settings; turn pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a check across settings names its variables itself
            raise SettingsError(first["msg"].removeprefix("Value error, ")) from None
        field = str(first["loc"][0]) if first["loc"] else "?"
        name = ENV_NAMES.get(field, field)
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None
