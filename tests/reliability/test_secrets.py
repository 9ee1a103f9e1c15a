"""The bot token and the signing secret never appear in logs, error messages,
HTTP answers or ``statusbot doctor``: captured logs (caplog, at DEBUG) of the
app through failing Slack calls, and the standard error of a real serving
process, are searched for them."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.testing.fakeslack import FakeSlack
from bot.testing.harness import SlackHarness
from bot.testing.served import LAUNCH
from bot.testing.signer import post
from tests.reliability.rel_world import (
    SECRET,
    TOKEN,
    Served,
    open_now,
    seed,
    serve_env,
    signer,
    status_values,
    update_view,
    wait_until,
)


def _leaks(text: str, *secrets: str) -> list[str]:
    found = []
    for secret in secrets:
        # The whole secret, or a long piece of it (a truncated dump).
        pieces = {secret, secret[: len(secret) // 2 + 4], secret[-(len(secret) // 2 + 4) :]}
        found += [p for p in pieces if p and p in text]
    return found


def test_logs_of_failing_slack_calls_hold_no_secrets(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = seed(slack.session_factory, slack.fake, managers=3)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    slack.fake.fail("chat.postMessage", status=500, times=4)
    slack.fake.fail("chat.postMessage", error="invalid_auth", times=1)
    slack.fake.fail("chat.postMessage", reset=True, times=1)
    slack.drain(within=timedelta(hours=1))
    bad = signer()  # the other secret
    bad.secret = "x" * 20
    slack.send(bad.view_submission(update_view(cycle_id, 1), user_id=world.managers[0]))
    slack.send(
        slack.signer.view_submission(
            update_view(cycle_id, world.entry_of[world.managers[1]]),
            user_id=world.managers[0],
            values=status_values("forsøg"),
        )
    )
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "chat.postMessage" in text or "job" in text  # something was logged
    assert _leaks(text, slack.fake.token or "", slack.secret) == []


def test_serving_process_stderr_holds_no_secrets(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with FakeSlack(token=TOKEN) as fake:
        env = serve_env(db_url, fake, STATUSBOT_LOG_LEVEL="DEBUG")
        fake.fail("chat.postMessage", status=500, times=None)
        served = Served(env, tmp_path)
        try:
            post(served.events_url, signer().url_verification("c"))
            forged = signer()
            forged.secret = "not-the-secret"
            assert post(served.events_url, forged.command("help", user_id="U1")).status == 401
            assert wait_until(lambda: bool(fake.calls), timeout=10)
        finally:
            assert served.stop() == 0
        stderr = served.stderr()
    assert stderr.strip()  # it logged (at DEBUG)
    assert _leaks(stderr, TOKEN, SECRET) == []
    # Start-up with a wrong token: the one-line error does not echo it.
    with FakeSlack(token=TOKEN) as fake:
        wrong = "xoxb-wrong-token-that-must-not-leak"
        result = subprocess.run(
            [sys.executable, "-c", LAUNCH, "serve", "--http"],
            env=serve_env(db_url, fake, SLACK_BOT_TOKEN=wrong),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert _leaks(result.stdout + result.stderr, wrong, SECRET) == []


def test_doctor_output_holds_no_secrets(db_url: str, engine: Engine, tmp_path: Path) -> None:
    with FakeSlack(token=TOKEN) as fake:
        result = subprocess.run(
            [sys.executable, "-c", LAUNCH, "doctor"],
            env=serve_env(db_url, fake),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    if "No such command" in result.stderr:
        pytest.skip("there is no `statusbot doctor` command (yet)")
    assert "Traceback" not in result.stdout + result.stderr
    assert _leaks(result.stdout + result.stderr, TOKEN, SECRET) == []
