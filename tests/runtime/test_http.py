"""POST /slack/events and GET /healthz of the running WSGI app."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from bot.testing.harness import SlackHarness
from bot.testing.signer import SignedRequest, SlackSigner, get, post, signature
from storage.db import make_engine, make_session_factory
from storage.models import ProcessedEvent


def _requests(slack: SlackHarness) -> dict[str, SignedRequest]:
    signer = slack.signer
    return {
        "command": signer.command("help", user_id="U1"),
        "action": signer.block_action("noop", user_id="U1", value="1"),
        "submission": signer.view_submission({"callback_id": "x"}, user_id="U1"),
        "event": signer.event({"type": "reaction_added", "user": "U1"}),
        "url_verification": signer.url_verification("chal"),
    }


@pytest.mark.parametrize("kind", ["command", "action", "submission", "event", "url_verification"])
def test_missing_wrong_or_stale_signature_is_401(slack: SlackHarness, kind: str) -> None:
    calls = []
    slack.app.use(lambda body, next: (calls.append(body), next()))
    good = _requests(slack)[kind]

    missing = SignedRequest(good.body, {"Content-Type": good.headers["Content-Type"]})
    assert slack.send(missing).status == 401

    wrong = SignedRequest(good.body, {**good.headers, "X-Slack-Signature": "v0=" + "0" * 64})
    assert slack.send(wrong).status == 401

    other_secret = SlackSigner(secret="not-the-secret").sign(
        good.body, content_type=good.headers["Content-Type"]
    )
    assert slack.send(other_secret).status == 401

    stale_ts = str(int(time.time()) - 6 * 60)
    stale = SignedRequest(
        good.body,
        {
            **good.headers,
            "X-Slack-Request-Timestamp": stale_ts,
            "X-Slack-Signature": signature(slack.secret, stale_ts, good.body),
        },
    )
    assert slack.send(stale).status == 401

    tampered = SignedRequest(good.body + b"&x=1", good.headers)
    assert slack.send(tampered).status == 401

    assert calls == []  # nothing got past verification
    # The correctly signed request itself is accepted (not 401).
    assert slack.send(good).status != 401


def test_url_verification_answers_the_challenge(slack: SlackHarness) -> None:
    response = slack.send(
        slack.signer.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    )
    assert response.status == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_healthz_reports_database_and_scheduler(slack: SlackHarness) -> None:
    response = slack.health()
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"] == "ok"
    assert body["scheduler"]["last_tick_age_seconds"] is None
    slack.tick()
    age = slack.health().json()["scheduler"]["last_tick_age_seconds"]
    assert isinstance(age, float) and 0 <= age < 5


def test_healthz_is_503_when_the_database_does_not_answer(slack: SlackHarness, tmp_path) -> None:
    # A database that cannot be opened: a path under a file.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    broken = make_engine(f"sqlite:///{blocker}/db.sqlite")
    slack.deps.session_factory = make_session_factory(broken)
    response = get(slack.health_url)
    assert response.status == 503
    assert response.json()["database"] != "ok"
    assert "Traceback" not in response.text


def test_other_routes(slack: SlackHarness) -> None:
    assert get(slack.server.url + "/slack/events").status == 405
    assert get(slack.server.url + "/nope").status == 404
    signed = slack.signer.command("help", user_id="U1")
    assert post(slack.server.url + "/other", signed).status == 404


def test_unhandled_but_signed_request_is_not_an_error(slack: SlackHarness) -> None:
    # No listener for this event: Bolt answers 404 with no side effects, never 5xx.
    response = slack.event({"type": "reaction_added", "user": "U1"})
    assert response.status < 500


def test_event_envelope_key_is_recorded_once(slack: SlackHarness) -> None:
    seen: list[str] = []

    @slack.app.event("reaction_added")
    def on_reaction(event, ack) -> None:  # type: ignore[no-untyped-def]
        ack()
        seen.append(event["user"])

    request = slack.signer.event({"type": "reaction_added", "user": "U7"}, event_id="Ev0001")
    assert slack.send(request).status == 200
    with slack.session_factory() as session:
        keys = session.scalars(select(ProcessedEvent.key)).all()
    assert keys == ["event:T0FAKE:Ev0001"]
    assert seen == ["U7"]
    assert json.loads(request.body)["event_id"] == "Ev0001"
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
