"""``statusbot serve`` as a real process: start-up errors, serving, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.testing.fakeslack import FakeSlack
from bot.testing.served import LAUNCH
from bot.testing.signer import SlackSigner, get, post
from storage import outbox
from storage.db import make_session_factory
from storage.models import Job, JobState, Person, Role, RoleGrant

SECRET = "serve-test-signing-secret"
TOKEN = "xoxb-fake-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


def env_for(db_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STATUSBOT_"))}
    env.update(
        STATUSBOT_DATABASE_URL=db_url,
        SLACK_API_URL=fake.base_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        STATUSBOT_TICK_SECONDS="0.2",
        STATUSBOT_LOCALE="en",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("statusbot:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0]


def test_missing_bot_token(db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path) -> None:
    result = run(["serve", "--http"], env_for(db_url, fake, SLACK_BOT_TOKEN=""), tmp_path)
    assert_one_line_error(result, "SLACK_BOT_TOKEN")
    assert fake.calls == []


def test_missing_signing_secret(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    result = run(["serve", "--http"], env_for(db_url, fake, SLACK_SIGNING_SECRET=""), tmp_path)
    assert_one_line_error(result, "SLACK_SIGNING_SECRET")


def test_socket_mode_needs_the_app_token(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    result = run(["serve", "--socket"], env_for(db_url, fake), tmp_path)
    assert_one_line_error(result, "SLACK_APP_TOKEN")


def test_failing_auth_test_is_reported_without_the_token(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    wrong = "xoxb-1234-wrong-secret-token"
    result = run(["serve", "--http"], env_for(db_url, fake, SLACK_BOT_TOKEN=wrong), tmp_path)
    assert_one_line_error(result, "auth.test", "invalid_auth")
    assert wrong not in result.stderr + result.stdout
    assert [c.method for c in fake.calls] == ["auth.test"]


def test_unreachable_slack(db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path) -> None:
    env = env_for(db_url, fake)
    fake.stop()  # nothing listens on SLACK_API_URL any more
    result = run(["serve", "--http"], env, tmp_path)
    assert_one_line_error(result, "cannot reach the Slack API")


def test_database_not_initialised(fake: FakeSlack, tmp_path: Path) -> None:
    env = env_for(f"sqlite:///{tmp_path / 'empty.db'}", fake)
    result = run(["serve", "--http"], env, tmp_path)
    assert_one_line_error(result, "statusbot init")


def test_choose_one_mode(db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path) -> None:
    result = run(["serve"], env_for(db_url, fake), tmp_path)
    assert_one_line_error(result, "--http or --socket")


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url


def start_serving(env: dict[str, str], cwd: Path, *extra: str) -> Served:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *extra,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until gunicorn is listening
    if "listening on" not in line:
        proc.kill()
        raise AssertionError(f"serve did not start: {line!r} {proc.stderr.read()}")
    url = line.split("listening on ", 1)[1].split()[0]
    return Served(proc, url)


def wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_serves_http_runs_the_scheduler_and_stops_cleanly_on_sigterm(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    fake.add_user(id="UC1", name="cora")
    factory = make_session_factory(engine)
    with factory() as session:
        coordinator = Person(team_id="", slack_user_id="UC1", display_name="Cora")
        ghost = Person(team_id="", display_name="Gustav Ghost")
        session.add_all([coordinator, ghost])
        session.flush()
        session.add(RoleGrant(person_id=coordinator.id, role=Role.ADMIN))
        outbox.enqueue(
            session,
            "notify_failure",
            {"area_id": None, "person_id": ghost.id, "reason": "user_not_found"},
            due_at=datetime.now(UTC),
        )
        session.commit()

    served = start_serving(env_for(db_url, fake), tmp_path)
    try:
        health = get(served.url + "/healthz")
        assert health.status == 200
        assert health.json()["database"] == "ok"
        signer = SlackSigner(secret=SECRET)
        challenge = post(served.url + "/slack/events", signer.url_verification("xyz"))
        assert challenge.status == 200 and challenge.json() == {"challenge": "xyz"}
        forged = SlackSigner(secret="wrong").url_verification("xyz")
        assert post(served.url + "/slack/events", forged).status == 401
        # The scheduler inside the serving process delivers the due job.
        assert wait_for(lambda: len(fake.posted("UC1")) == 1)
        assert "Gustav Ghost" in fake.posted("UC1")[0].params["text"]
        assert wait_for(
            lambda: (
                get(served.url + "/healthz").json()["scheduler"]["last_tick_age_seconds"]
                is not None
            )
        )
    finally:
        served.proc.send_signal(signal.SIGTERM)
        code = served.proc.wait(timeout=30)
        stderr = served.proc.stderr.read() if served.proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr
    with factory() as session:
        assert {j.state for j in session.query(Job)} == {JobState.DONE}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_in_flight_request_finishes_before_exit(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path, sig: signal.Signals
) -> None:
    """Stop while a request waits on a slow Slack: it is still answered, exit 0."""
    fake.add_user(id="U1", name="u1")
    fake.slow("views.publish", 1.5, times=None)
    served = start_serving(env_for(db_url, fake), tmp_path, "--workers", "2")
    answer: dict[str, object] = {}
    signer = SlackSigner(secret=SECRET)

    def open_home() -> None:
        response = post(served.url + "/slack/events", signer.app_home_opened(user_id="U1"))
        answer["status"] = response.status

    try:
        thread = threading.Thread(target=open_home)
        thread.start()
        if not wait_for(lambda: bool(fake.calls_to("views.publish")), timeout=5):
            thread.join(10)
            pytest.skip("no App Home listener publishes a view yet")
        served.proc.send_signal(sig)
        thread.join(20)
        code = served.proc.wait(timeout=30)
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
    assert answer.get("status") == 200
    assert code == 0
    assert json.dumps(answer)


OAUTH = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "serve-oauth-client-secret"}


def test_oauth_is_refused_in_socket_mode(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    env = env_for(db_url, fake, SLACK_APP_TOKEN="xapp-1-A1-socket", **OAUTH)
    result = run(["serve", "--socket"], env, tmp_path)
    assert_one_line_error(result, "OAuth installs", "serve --http", "Socket Mode cannot")
    assert fake.calls == []


def test_serves_the_oauth_install_over_http(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    """No bot token: the install through the served process saves the
    workspace's token, and a request from there is answered with it."""
    from tests.ops.oauth_world import Browser, authorize_link

    fake.add_oauth_code("code-TA", team_id="TA", team_name="Alfa")
    served = start_serving(env_for(db_url, fake, SLACK_BOT_TOKEN="", **OAUTH), tmp_path)
    try:
        browser = Browser(served.url)
        page = browser.get("/slack/install")
        assert page.status == 200
        state = authorize_link(page).split("state=", 1)[1].split("&")[0]
        done = browser.get("/slack/oauth_redirect", code="code-TA", state=state)
        assert done.status == 200 and "Alfa" in done.text, done.text
        token = fake.calls_to("oauth.v2.access")[0].response["access_token"]  # type: ignore[index]
        signer = SlackSigner(secret=SECRET, team_id="TA")
        home = post(served.url + "/slack/events", signer.app_home_opened(user_id="UA1"))
        assert home.status == 200
        assert wait_for(lambda: bool(fake.calls_to("views.publish")))
        assert fake.calls_to("views.publish")[0].token == token
    finally:
        served.proc.send_signal(signal.SIGTERM)
        code = served.proc.wait(timeout=30)
        stderr = served.proc.stderr.read() if served.proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr
