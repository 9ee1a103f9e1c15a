"""The bytes of a rendered mail, ready for SMTP.

A ``multipart/alternative`` (plain text, HTML), both parts UTF-8 in base64.
Names and titles lose every control character first (:func:`one_line`: a
CR/LF in an imported name can never start a header of its own); non-ASCII
display names and subjects are RFC 2047-encoded by :class:`email.header.Header`
(long ones split into several encoded words and folded), ASCII names with
specials quoted by :func:`email.utils.formataddr`. The recipient's address
must be a plain ASCII ``local@domain`` (anything else is a ``ValueError``,
reported as a rejected mail). The Message-ID is derived from the outbox job,
so a resend after a crash carries the same id and is recognisable as the
same mail.

Why not :class:`email.message.EmailMessage`: building and flattening one under
``policy.SMTP`` took ~3.5 ms of CPU per mail (its header parser and folder),
more than half the worker's budget in the e-mail fan-out target of issue 21
(``python -m bench.mail_fanout``: ≤ 1.2× a bare smtplib loop). The encoding
stays the library's (``Header``, ``formataddr``, ``format_datetime``,
:mod:`base64`); only the fixed MIME frame is written here, and the tests read
every mail back with the library's parser.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.base64mime import header_encode
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime, formataddr

from bot.mail.render import RenderedMail, one_line
from bot.mail.smtp_url import parse_sender

CRLF = "\r\n"
# A plain ASCII address: no spaces, quotes, brackets or separators.
_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")


@dataclass(frozen=True)
class OutgoingMail:
    """What the transport sends: the envelope and the message's bytes."""

    sender: str  # envelope MAIL FROM (addr-spec)
    recipient: str  # envelope RCPT TO (addr-spec)
    message_id: str
    data: bytes


def message_id(job_id: int, kind: str, sender: Address) -> str:
    domain = sender.domain or "statusbot.invalid"
    return f"<statusbot.{kind}.{job_id}@{domain}>"


def plain_address(address: str) -> str:
    """``address`` checked to be a plain ASCII ``local@domain``."""
    if not _PLAIN_ADDRESS.match(address):
        raise ValueError(f"not a plain e-mail address: {address!r}")
    return address


def header(name: str, value: str) -> str:
    """``Name: value`` folded, RFC 2047-encoded when not ASCII."""
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}"
    return f"{name}: {encoded_words(name, value)}"


def encoded_words(name: str, value: str) -> str:
    """``value`` after ``Name: ``: ASCII folded by :class:`Header`; else RFC
    2047 words (base64 of UTF-8, by :mod:`email.base64mime`) of at most
    ``WORD_BYTES`` bytes each, never splitting a character, one per line.
    (``Header`` splits the same way but measures every prefix of the value
    again: quadratic, ~0.5 ms for a subject; bench.mail_fanout.)"""
    if value.isascii():
        return Header(value, "us-ascii", header_name=name).encode(linesep=CRLF)
    # The first word shares its line with "Name: ".
    pieces = utf8_pieces(value, first=WORD_BYTES - len(name))
    return (CRLF + " ").join(header_encode(piece, "utf-8") for piece in pieces)


WORD_BYTES = 45  # 60 base64 characters: a word of 72, inside RFC 2047's 75


def utf8_pieces(value: str, *, first: int, limit: int = WORD_BYTES) -> list[bytes]:
    """``value`` in UTF-8, cut between characters into pieces of at most
    ``limit`` bytes (the first at most ``first``)."""
    pieces: list[bytes] = []
    current = bytearray()
    for char in value:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (limit if pieces else first):
            pieces.append(bytes(current))
            current.clear()
        current += encoded
    pieces.append(bytes(current))
    return pieces


def mailbox(header_name: str, name: str, address: str) -> str:
    """``Name: display name <address>`` for From/To (the name on one line)."""
    clean = one_line(name)
    if clean and not clean.isascii():
        return f"{header_name}: {encoded_words(header_name, clean)} <{address}>"
    return f"{header_name}: {formataddr((clean, address))}"


def body(content: str) -> str:
    """UTF-8 in base64 (76-character lines), lines ending in CRLF first
    (as :mod:`email.contentmanager` does)."""
    lines = content.encode("utf-8").splitlines()
    data = b"\r\n".join(lines) + b"\r\n"
    return base64.encodebytes(data).decode("ascii").replace("\n", CRLF)


def part(subtype: str, content: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{body(content)}"
    )


def compose(
    rendered: RenderedMail,
    *,
    sender: str,
    to_address: str,
    to_name: str | None,
    job_id: int,
    kind: str,
    now: datetime,
) -> OutgoingMail:
    from_address = parse_sender(sender)
    recipient = plain_address(one_line(to_address))
    mid = message_id(job_id, kind, from_address)
    # Base64 never contains "_": the boundary cannot occur in a part.
    boundary = f"=_statusbot_{kind}_{job_id}"
    headers = [
        mailbox("From", from_address.display_name, from_address.addr_spec),
        mailbox("To", to_name or "", recipient),
        header("Subject", one_line(rendered.subject, 900)),
        f"Date: {format_datetime(now)}",
        f"Message-ID: {mid}",
        "Auto-Submitted: auto-generated",  # RFC 3834: no out-of-office replies, please
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    text = CRLF.join(
        [
            *headers,
            "",
            f"--{boundary}",
            part("plain", rendered.text),
            f"--{boundary}",
            part("html", rendered.html),
            f"--{boundary}--",
            "",
        ]
    )
    return OutgoingMail(
        sender=from_address.addr_spec,
        recipient=recipient,
        message_id=mid,
        data=text.encode("ascii"),
    )
