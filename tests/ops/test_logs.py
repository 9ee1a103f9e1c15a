"""Logs of a real flow: JSON lines when asked, and never a token, the signing
secret or a manager's status text at INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.blocks import ids
from bot.logging_setup import REDACTED, configure_logging, redact
from bot.testing.harness import SlackHarness
from tests.e2e.managers_helpers import click, entry_of, seed, text_values

STATUS_TEXT = "Fortroligt: budgettet for projekt Blåmejse er overskredet med 4711 kr."


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def run_flow(slack: SlackHarness) -> None:
    world = seed(slack)
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-03-08 12:00 1d', user="UC")
    assert response.status == 200
    slack.drain()
    initiative = next(iter(world.initiatives.values()))
    entry = entry_of(slack.session_factory, initiative)
    click(slack, "U1", ids.UPDATE, entry.id)
    slack.submit(slack.last_view(), user="U1", values=text_values([STATUS_TEXT], "in_progress"))
    assert entry_of(slack.session_factory, initiative).status.plain == STATUS_TEXT
    assert slack.command("my", user="U1").status == 200
    slack.drain()
    # Something the bot logs at INFO with a token in it must come out redacted.
    logging.getLogger("statusbot.test").info("client token is %s", slack.fake.token)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secrets_or_status_texts_at_info(
    slack: SlackHarness, restore_logging: None, fmt: str
) -> None:
    stream = io.StringIO()
    settings = slack.settings.model_copy(update={"log_format": fmt, "log_level": "INFO"})
    configure_logging(settings, stream)
    run_flow(slack)
    output = stream.getvalue()
    assert REDACTED in output  # the test line above, so the capture did work
    assert slack.fake.token and slack.fake.token not in output
    assert slack.secret not in output
    assert "Blåmejse" not in output and "4711" not in output
    if fmt == "json":
        lines = [json.loads(line) for line in output.splitlines() if line.strip()]
        assert lines and all({"time", "level", "logger", "message"} <= set(e) for e in lines)


def test_redaction_of_tokens_secrets_and_tracebacks(restore_logging: None) -> None:
    assert redact("Bearer xoxb-123-456-abc and xapp-1-A1-2-ff") == (
        f"Bearer {REDACTED} and {REDACTED}"
    )
    assert redact("refresh xoxe-1-abc rotated xoxe.xoxb-1-abc") == (
        f"refresh {REDACTED} rotated {REDACTED}"
    )
    from bot.settings import load_settings

    settings = load_settings(SLACK_SIGNING_SECRET="s3cr3t-signing", STATUSBOT_LOG_FORMAT="json")
    stream = io.StringIO()
    configure_logging(settings, stream)
    try:
        raise ValueError("bad signature s3cr3t-signing")
    except ValueError:
        logging.getLogger("statusbot.test").exception("failed with %s", "s3cr3t-signing")
    output = stream.getvalue()
    assert "s3cr3t-signing" not in output
    entry = json.loads(output.splitlines()[-1])
    assert entry["level"] == "ERROR" and REDACTED in entry["exc"]
