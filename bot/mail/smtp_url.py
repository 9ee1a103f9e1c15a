"""``STATUSBOT_SMTP_URL`` and ``STATUSBOT_MAIL_FROM``, parsed and checked."""

from __future__ import annotations

from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from functools import cache
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    ssl: bool  # smtps:// (implicit TLS)
    starttls: bool
    user: str | None
    password: str | None
    timeout: float = 30.0


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp://[user:pass@]host[:port][?starttls=true][&timeout=S]`` or
    ``smtps://…``; raises ValueError with a short reason."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("names no host (smtp://host:587)")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number between 1 and 65535") from None
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ValueError(f"has unknown option(s): {', '.join(sorted(unknown))}")
    starttls_text = query.get("starttls", "false").lower()
    if starttls_text not in _TRUE | _FALSE:
        raise ValueError("starttls must be true or false")
    ssl = parts.scheme == "smtps"
    starttls = starttls_text in _TRUE
    if ssl and starttls:
        raise ValueError("smtps:// is TLS already; starttls applies to smtp:// only")
    try:
        timeout = float(query.get("timeout", "30"))
    except ValueError:
        raise ValueError("timeout must be a number of seconds") from None
    if not 0 < timeout <= 600:
        raise ValueError("timeout must be between 0 and 600 seconds")
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if ssl else 25),
        ssl=ssl,
        starttls=starttls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout=timeout,
    )


@cache
def parse_sender(value: str) -> Address:
    """``status@kommune.dk`` or ``Statusbot <status@kommune.dk>``."""
    from email.headerregistry import HeaderRegistry

    if "\r" in value or "\n" in value:
        raise ValueError("must be one line")
    try:
        header = HeaderRegistry()("From", value)
        addresses = header.addresses  # type: ignore[attr-defined]
    except (HeaderParseError, IndexError, ValueError):
        raise ValueError("is not an e-mail address") from None
    if len(addresses) != 1 or "@" not in addresses[0].addr_spec or header.defects:  # type: ignore[attr-defined]
        raise ValueError("must be one e-mail address such as status@kommune.dk")
    return addresses[0]
