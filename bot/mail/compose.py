"""The :class:`email.message.EmailMessage` of a rendered mail.

Headers are built with :mod:`email.headerregistry` under ``policy.SMTP``;
names and titles lose every control character first (a CR/LF in an imported
name can never start a header of its own), and non-ASCII is RFC 2047-encoded
by the library. The Message-ID is derived from the outbox job, so a resend
after a crash carries the same id and is recognisable as the same mail.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from bot.mail.render import RenderedMail, one_line
from bot.mail.smtp_url import parse_sender


def message_id(job_id: int, kind: str, sender: Address) -> str:
    domain = sender.domain or "statusbot.invalid"
    return f"<statusbot.{kind}.{job_id}@{domain}>"


def compose(
    rendered: RenderedMail,
    *,
    sender: str,
    to_address: str,
    to_name: str | None,
    job_id: int,
    kind: str,
    now: datetime,
) -> EmailMessage:
    from_address = parse_sender(sender)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(
        display_name=one_line(from_address.display_name),
        addr_spec=from_address.addr_spec,
    )
    local, _, domain = one_line(to_address).partition("@")
    msg["To"] = Address(display_name=one_line(to_name or ""), username=local, domain=domain)
    msg["Subject"] = one_line(rendered.subject, 900)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(job_id, kind, from_address)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    # base64 rather than quoted-printable: the same for every reader, and
    # encoded in C (quoted-printable is pure Python, slow for a fan-out).
    msg.set_content(rendered.text, cte="base64")
    msg.add_alternative(rendered.html, subtype="html", cte="base64")
    return msg
