"""Sending with :mod:`smtplib`, one reused connection per thread.

A scheduler thread keeps its SMTP connection between jobs (a fan-out of a
thousand prompts pays for one TLS handshake and login, not a thousand). An
idle connection is checked with NOOP before use and opened again when the
server has dropped it. Errors are sorted for the outbox: :class:`MailTemporary`
(4xx replies, refused or lost connections, timeouts: retried with backoff) and
:class:`MailRejected` (5xx replies: reported to the coordinator).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
import time
from typing import TYPE_CHECKING

from bot.mail.smtp_url import SmtpServer, parse_smtp_url

if TYPE_CHECKING:
    from bot.mail.compose import OutgoingMail

IDLE_CHECK_SECONDS = 10.0  # an older connection is NOOP-checked before use


class MailTemporary(Exception):
    """Try again later (4xx, connection trouble)."""


class MailRejected(Exception):
    """The server refused the mail for good (5xx)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class SmtpTransport:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._local = threading.local()

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        return cls(parse_smtp_url(url))

    # ------------------------------------------------------------ connection

    def _open(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if server.ssl:
            conn = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            if server.starttls:
                conn.starttls(context=context)
        if server.user:
            conn.login(server.user, server.password or "")
        return conn

    def _connection(self) -> smtplib.SMTP:
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        used: float = getattr(self._local, "used", 0.0)
        if conn is not None and time.monotonic() - used > IDLE_CHECK_SECONDS:
            try:
                code, _ = conn.noop()
                if code != 250:
                    raise smtplib.SMTPServerDisconnected("NOOP refused")
            except (smtplib.SMTPException, OSError):
                self._drop()
                conn = None
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        """Close this thread's connection (QUIT when the server still listens)."""
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    # ------------------------------------------------------------------ send

    def send(self, mail: OutgoingMail) -> None:
        """Deliver ``mail`` to its recipient; raises MailTemporary/MailRejected."""
        try:
            conn = self._connection()
            refused = conn.sendmail(mail.sender, [mail.recipient], mail.data)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            code, reason = next(iter(exc.recipients.values()))
            raise self._classify(code, _text(reason)) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise self._classify(exc.smtp_code, _text(exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailTemporary(f"{type(exc).__name__}: {exc}") from None
        self._local.used = time.monotonic()
        if refused:  # one recipient only: refused means not sent
            code, reason = next(iter(refused.values()))
            raise self._classify(code, _text(reason))

    def _reset(self) -> None:
        """After a refused transaction: RSET, or a new connection next time."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        try:
            conn.rset()
            self._local.used = time.monotonic()
        except (smtplib.SMTPException, OSError):
            self._drop()

    @staticmethod
    def _classify(code: int, reason: str) -> Exception:
        if 500 <= code < 600:
            return MailRejected(code, reason)
        return MailTemporary(f"{code} {reason}")


_TRANSPORTS: dict[str, SmtpTransport] = {}
_LOCK = threading.Lock()


def transport_for(url: str) -> SmtpTransport:
    """The process's transport for ``url`` (connections kept per thread)."""
    with _LOCK:
        transport = _TRANSPORTS.get(url)
        if transport is None:
            transport = _TRANSPORTS[url] = SmtpTransport.from_url(url)
        return transport
