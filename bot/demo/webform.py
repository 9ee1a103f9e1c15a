"""The demo's owner outside Slack: their prompt arrives by e-mail (a real SMTP
server, :class:`bot.testing.mailsink.MailSink`), and they answer through the
personal link's web form — over HTTP, as a browser without JavaScript would:
GET the page, POST the form with its CSRF field, follow the redirect to the
receipt. The link points at ``STATUSBOT_PUBLIC_URL``; the demo sends its
requests to the local server instead, as a reverse proxy would."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from bot.web.links import LINK_PATH

DEMO_PUBLIC_URL = "https://status.fjordby.dk"
MAIL_FROM = "Statusbot Fjordby <status@fjordby.dk>"


@dataclass
class FormAnswer:
    email: str
    link: str  # as in the mail
    mail: EmailMessage
    receipt_url: str
    saved: int
    mail_path: Path | None = None


class _HiddenFields(HTMLParser):
    """The form's hidden inputs (the CSRF field, the versions), by name."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields[str(found["name"])] = found.get("value") or ""


def link_in(mail: EmailMessage, public_url: str = DEMO_PUBLIC_URL) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    start = text.index(public_url + LINK_PATH)
    return str(text[start:].split()[0])


def answer_in_form(
    server_url: str,
    mail: EmailMessage,
    answers: dict[int, tuple[str, str | None] | None],
    *,
    public_url: str = DEMO_PUBLIC_URL,
) -> FormAnswer:
    """Open the mail's link and submit ``answers``: entry id → (markup, phase),
    or None for "No change"; the person's other initiatives are left for later."""
    link = link_in(mail, public_url)
    local = server_url + link.removeprefix(public_url)
    with urllib.request.urlopen(local, timeout=30) as response:
        page = response.read().decode("utf-8")
    parser = _HiddenFields()
    parser.feed(page)
    fields = dict(parser.fields)
    fields["action"] = "submit"
    for entry_id, answer in answers.items():
        if answer is None:
            fields[f"choice-{entry_id}"] = "same"
            continue
        markup, phase = answer
        fields.update(
            {
                f"choice-{entry_id}": "update",
                f"status-{entry_id}": markup,
                f"phase-{entry_id}": phase or "",
            }
        )
    request = urllib.request.Request(local, data=urlencode(fields).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # follows the 303
        receipt_url = response.geturl()
        response.read()
    saved = int(receipt_url.rsplit("saved=", 1)[1].split("&")[0]) if "saved=" in receipt_url else 0
    return FormAnswer(
        email=parseaddr(str(mail["To"]))[1],
        link=link,
        mail=mail,
        receipt_url=receipt_url.replace(server_url, public_url),
        saved=saved,
    )
