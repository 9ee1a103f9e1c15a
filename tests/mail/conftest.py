"""E-mail fixtures: a real SMTP server (aiosmtpd on 127.0.0.1) and the Slack
harness configured to send through it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink

PUBLIC_URL = "https://status.example.dk"


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def slack(
    db_url: str, session_factory: sessionmaker[Session], sink: MailSink
) -> Iterator[SlackHarness]:
    settings = {
        "STATUSBOT_SMTP_URL": sink.url,
        "STATUSBOT_MAIL_FROM": "Statusbot <status@kommune.dk>",
        "STATUSBOT_PUBLIC_URL": PUBLIC_URL,
    }
    with SlackHarness(session_factory, database_url=db_url, settings=settings) as harness:
        yield harness
