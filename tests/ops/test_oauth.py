"""Multi-workspace installs: the OAuth install flow through the real HTTP app,
per-workspace tokens for requests and outbox jobs, token rotation; all
against the fake Slack (``oauth.v2.access`` included)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.harness import SlackHarness
from storage.models import Job, JobState
from storage.outbox import enqueue
from storage.slack_tables import oauth_states
from tests.ops.oauth_world import (
    CLIENT_ID,
    CLIENT_SECRET,
    OAUTH_SETTINGS,
    area_with_owner,
    authorize_link,
    install,
    installation_count,
    installed_tokens,
    open_for,
    person,
    start,
    state_count,
)


@pytest.fixture
def multi(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(session_factory, database_url=db_url, settings=OAUTH_SETTINGS) as harness:
        harness.fake.client_id = CLIENT_ID
        harness.fake.client_secret = CLIENT_SECRET
        yield harness


def home_text(harness: SlackHarness, token: str) -> str:
    published = [c for c in harness.calls("views.publish") if c.token == token]
    assert published, [(c.method, c.token) for c in harness.calls()]
    return str(published[-1].params["view"])


def test_install_flow_end_to_end(multi: SlackHarness) -> None:
    browser, state = start(multi)
    page = browser.pages[-1]
    link = urlsplit(authorize_link(page))
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://slack.com/oauth/v2/authorize"
    query = parse_qs(link.query)
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0].split(",")
    assert browser.cookies["slack-app-oauth-state"] == state  # tied to this browser
    with multi.session_factory() as session:
        assert state_count(session) == 1

    multi.fake.add_oauth_code("code-A", team_id="TA", team_name="Alfa Kommune")
    done = browser.get("/slack/oauth_redirect", code="code-A", state=state)

    assert done.status == 200, done.text
    assert "statusbot is now installed in the workspace <strong>Alfa Kommune</strong>" in done.text
    assert "statusbot import --team TA FILE" in done.text
    exchange = multi.calls("oauth.v2.access")
    assert len(exchange) == 1 and exchange[0].ok
    assert exchange[0].params["code"] == "code-A"
    token = exchange[0].response["access_token"]  # type: ignore[index]
    with multi.session_factory() as session:
        assert installed_tokens(session, "TA") == [token]
        assert state_count(session) == 0  # the state was used up

    # A request from that workspace is served with its token and its data.
    multi.user("UA1", team_id="TA", name="Alma")
    multi.send(multi.signer_for("TA").app_home_opened(user_id="UA1"))
    assert [c.token for c in multi.calls("auth.test")] == [token, token]  # install, authorize
    text = home_text(multi, token)
    assert "not registered" not in text  # found as TA's Alma, not as a stranger
    assert all(c.token == token for c in multi.calls() if c.method != "oauth.v2.access")


def test_a_request_from_a_workspace_without_installation_gets_nothing(
    multi: SlackHarness,
) -> None:
    install(multi, "TA")
    multi.user("UB1", team_id="TB", name="Bo")
    response = multi.send(multi.signer_for("TB").app_home_opened(user_id="UB1"))
    assert response.status != 500
    assert not multi.calls("views.publish")


def test_missing_forged_expired_and_reused_states_are_refused(multi: SlackHarness) -> None:
    multi.fake.add_oauth_code("code-A", team_id="TA")

    # No state at all (a link typed in, or opened in another browser).
    browser, _ = start(multi)
    missing = browser.get("/slack/oauth_redirect", code="code-A")
    assert missing.status == 400
    assert "not valid in this browser" in missing.text
    assert "Nothing was installed or saved." in missing.text
    assert 'href="/slack/install"' in missing.text

    # A state the bot never issued, even with a matching cookie.
    browser.cookies["slack-app-oauth-state"] = "forged"
    forged = browser.get("/slack/oauth_redirect", code="code-A", state="forged")
    assert forged.status == 401
    assert "has expired or has already been used" in forged.text

    # An expired state.
    browser, state = start(multi)
    with multi.session_factory() as session:
        session.execute(update(oauth_states).values(expire_at=datetime(2000, 1, 1)))
        session.commit()
    expired = browser.get("/slack/oauth_redirect", code="code-A", state=state)
    assert expired.status == 401
    assert "has expired or has already been used" in expired.text

    assert not multi.calls("oauth.v2.access")  # no code was exchanged
    with multi.session_factory() as session:
        assert installation_count(session) == 0

    # Used once (installed), then again: refused, nothing more saved.
    browser, state = start(multi)
    assert browser.get("/slack/oauth_redirect", code="code-A", state=state).status == 200
    again = browser.get("/slack/oauth_redirect", code="code-A", state=state)
    assert again.status == 401
    assert "has expired or has already been used" in again.text
    assert len(multi.calls("oauth.v2.access")) == 1
    with multi.session_factory() as session:
        assert installation_count(session) == 1


def test_cancelled_and_bad_codes_are_said_plainly(multi: SlackHarness) -> None:
    browser, state = start(multi)
    cancelled = browser.get("/slack/oauth_redirect", error="access_denied", state=state)
    assert "The installation was cancelled in Slack." in cancelled.text

    browser, state = start(multi)
    multi.fake.client_secret = "another-secret"  # Slack refuses the exchange
    refused = browser.get("/slack/oauth_redirect", code="code-X", state=state)
    assert refused.status == 401
    assert "Slack did not accept the installation code" in refused.text
    with multi.session_factory() as session:
        assert installation_count(session) == 0


def test_an_org_wide_enterprise_install_is_refused_plainly_and_not_saved(
    multi: SlackHarness,
) -> None:
    """statusbot serves workspaces: an Enterprise Grid org-wide install has no
    workspace id (its success page told the operator ``--team `` with an empty
    id). It is refused with a page that says what to do instead, and its
    token is not kept."""
    browser, state = start(multi)
    multi.fake.add_oauth_code("code-ORG", team_id="", enterprise_id="E0ORG")
    page = browser.get("/slack/oauth_redirect", code="code-ORG", state=state)
    assert page.status == 400, page.text
    assert "--team" not in page.text and "is now installed" not in page.text
    assert "organisation-wide" in page.text and "each workspace" in page.text
    assert "Nothing was installed or saved." in page.text
    with multi.session_factory() as session:
        assert installation_count(session) == 0
    token = multi.calls("oauth.v2.access")[0].response["access_token"]  # type: ignore[index]
    assert [c.token for c in multi.calls("auth.revoke")] == [token]  # given back to Slack
    # A workspace of the same organisation, installed on its own, is fine.
    browser, state = start(multi)
    multi.fake.add_oauth_code("code-T", team_id="TORG1", enterprise_id="E0ORG")
    done = browser.get("/slack/oauth_redirect", code="code-T", state=state)
    assert done.status == 200 and "statusbot import --team TORG1 FILE" in done.text


def test_only_get_on_the_oauth_paths(multi: SlackHarness) -> None:
    from bot.testing.signer import SignedRequest, post

    response = post(multi.server.url + "/slack/install", SignedRequest(b"", {}))
    assert response.status == 405


def test_two_workspaces_each_job_with_its_own_token(
    multi: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    install(multi, "TA", team_name="Alfa")
    install(multi, "TB", team_name="Beta")
    with multi.session_factory() as session:
        token_a = installed_tokens(session, "TA")[0]
        token_b = installed_tokens(session, "TB")[0]
    assert token_a != token_b
    multi.user("UCA", team_id="TA", name="Cora A")
    multi.user("UOA", team_id="TA", name="Owen A")
    multi.user("UCB", team_id="TB", name="Cora B")
    multi.user("UOB", team_id="TB", name="Owen B")
    with multi.session_factory() as session:
        get = person
        area_a = area_with_owner(
            session, "TA", "Kultur", get(session, "TA", "UOA"), get(session, "TA", "UCA")
        )
        area_b = area_with_owner(
            session, "TB", "Teknik", get(session, "TB", "UOB"), get(session, "TB", "UCB")
        )
        open_for(multi, session, area_b)
        session.commit()
        assert area_a.id != area_b.id

    multi.drain()

    to_b = multi.posted("UOB")
    assert to_b, "B's owner got no prompt"
    assert {c.token for c in to_b} == {token_b}
    assert not multi.posted("UOA")  # nothing was opened in A
    assert not [c for c in multi.calls() if c.token == token_a and c.method != "auth.test"]

    # A's coordinator cannot see or act on B's area; the answer uses A's token.
    response = multi.send(multi.signer_for("TA").command("progress Teknik", user_id="UCA"))
    assert "There is no area called “Teknik”" in response.text
    multi.send(multi.signer_for("TA").app_home_opened(user_id="UCA"))
    home_a = home_text(multi, token_a)
    assert "Kultur" in home_a and "Teknik" not in home_a

    # A workspace without installation: its job fails for good, with a clear
    # log line; the others' jobs go on.
    with multi.session_factory() as session:
        owner_b = get(session, "TB", "UOB")
        now = multi.clock.now()
        orphan = enqueue(
            session, "prompt", {"cycle_id": 1, "person_id": 1}, due_at=now, team_id="TC"
        )
        home_b = enqueue(
            session, "publish_home", {"person_id": owner_b.id}, due_at=now, team_id="TB"
        )
        session.commit()
        orphan_id, home_b_id = orphan.id, home_b.id
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        multi.drain()
    with multi.session_factory() as session:
        failed = session.get(Job, orphan_id)
        assert failed is not None and failed.state == JobState.FAILED
        assert "workspace TC has no Slack installation" in (failed.last_error or "")
        assert session.get(Job, home_b_id).state == JobState.DONE  # type: ignore[union-attr]
        # Nobody is notified about it (there is nobody to tell in TC).
        assert not session.scalars(select(Job).where(Job.kind == "notify_failure")).all()
    assert any("TC has no Slack installation" in r.getMessage() for r in caplog.records)
    assert [c.token for c in multi.calls("views.publish")][-1] == token_b


def test_expiring_tokens_are_refreshed_before_use(multi: SlackHarness) -> None:
    # A rotating token valid for one more minute: due for refresh (2 hours ahead).
    install(multi, "TA", rotate=True, expires_in=60)
    with multi.session_factory() as session:
        first = installed_tokens(session, "TA")[-1]
    multi.fake.expire_token(first)  # any use of it now fails with token_expired
    multi.user("UA1", team_id="TA", name="Alma")

    # A request: Bolt's authorize refreshes first, then serves with the new token.
    multi.send(multi.signer_for("TA").app_home_opened(user_id="UA1"))
    refreshes = [c for c in multi.calls("oauth.v2.access") if c.params.get("grant_type")]
    assert len(refreshes) == 1 and refreshes[0].ok
    assert refreshes[0].params["grant_type"] == "refresh_token"
    assert refreshes[0].params["client_id"] == CLIENT_ID
    second = refreshes[0].response["access_token"]  # type: ignore[index]
    assert second != first
    assert "not registered" not in home_text(multi, second)
    with multi.session_factory() as session:
        assert installed_tokens(session, "TA")[-1] == second

    # A job: refreshed again (the new token expires soon, too), then sent.
    multi.fake.expire_token(second)
    with multi.session_factory() as session:
        alma = person(session, "TA", "UA1")
        enqueue(
            session, "publish_home", {"person_id": alma.id}, due_at=multi.clock.now(), team_id="TA"
        )
        session.commit()
    multi.drain()
    refreshes = [c for c in multi.calls("oauth.v2.access") if c.params.get("grant_type")]
    assert len(refreshes) == 2
    third = refreshes[1].response["access_token"]  # type: ignore[index]
    assert multi.calls("views.publish")[-1].token == third
    assert not [
        c for c in multi.calls() if c.response and c.response.get("error") == "token_expired"
    ]
    with multi.session_factory() as session:
        assert installed_tokens(session, "TA")[-1] == third
        assert all(j.state == JobState.DONE for j in session.scalars(select(Job)))


def test_tokens_far_from_expiry_are_not_refreshed(multi: SlackHarness) -> None:
    install(multi, "TA", rotate=True, expires_in=12 * 3600)
    multi.user("UA1", team_id="TA", name="Alma")
    multi.send(multi.signer_for("TA").app_home_opened(user_id="UA1"))
    assert [c.params.get("grant_type") for c in multi.calls("oauth.v2.access")] == [None]
    assert multi.calls("views.publish")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every host name looked up and TCP connection opened (host, port)."""
    opened: list[tuple[str, int]] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            opened.append((str(address[0]), int(address[1])))
        return real_connect(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        opened.append((str(host), int(port or 0)))  # type: ignore[call-overload]
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield opened


GOV_AUTHORIZE = "https://slack-gov.com/oauth/v2/authorize"


def test_govslack_nothing_goes_to_slack_com(
    db_url: str,
    session_factory: sessionmaker[Session],
    connections: list[tuple[str, int]],
) -> None:
    """SLACK_API_URL (here the fake) and SLACK_OAUTH_AUTHORIZE_URL changed: the
    install, token exchange, refresh, requests and jobs use only those."""
    settings = {**OAUTH_SETTINGS, "SLACK_OAUTH_AUTHORIZE_URL": GOV_AUTHORIZE}
    with SlackHarness(session_factory, database_url=db_url, settings=settings) as gov:
        browser, state = start(gov)
        assert authorize_link(browser.pages[-1]).startswith(GOV_AUTHORIZE + "?")
        gov.fake.add_oauth_code("code-G", team_id="TG", rotate=True, expires_in=60)
        done = browser.get("/slack/oauth_redirect", code="code-G", state=state)
        assert done.status == 200
        gov.user("UG1", team_id="TG", name="Gina")
        gov.send(gov.signer_for("TG").app_home_opened(user_id="UG1"))  # refreshes
        with gov.session_factory() as session:
            gina = person(session, "TG", "UG1")
            now = gov.clock.now()
            enqueue(session, "publish_home", {"person_id": gina.id}, due_at=now, team_id="TG")
            session.commit()
        gov.drain()

        methods = [c.method for c in gov.calls()]
        assert methods.count("oauth.v2.access") == 3  # exchange, two refreshes
        assert methods.count("views.publish") == 2
        for page in browser.pages:
            assert page.status < 500
            assert "slack.com" not in page.text
            assert all("slack.com" not in v for v in page.headers.values())
        allowed = {gov.fake.port, gov.server.port, 0}  # 0: binding the local servers
        if not db_url.startswith("sqlite"):
            allowed.add(5432)
        assert connections
        for host, port in connections:
            assert host == "127.0.0.1" and port in allowed, (host, port)


def test_the_install_pages_speak_danish() -> None:
    from slack_bolt.oauth.callback_options import FailureArgs, SuccessArgs
    from slack_sdk.oauth.installation_store import Installation

    from bot import oauth_pages

    def fail(reason: str, locale: str) -> str:
        args = FailureArgs(
            request=None,  # type: ignore[arg-type]
            reason=reason,
            suggested_status_code=401,
            settings=None,  # type: ignore[arg-type]
            default=None,  # type: ignore[arg-type]
        )
        return str(oauth_pages.failure(args, locale).body)

    installed = Installation(app_id="A1", team_id="TA", team_name="Alfa", user_id="U1")
    ok = SuccessArgs(request=None, installation=installed, settings=None, default=None)  # type: ignore[arg-type]
    pages = {
        locale: [
            oauth_pages.install_page("https://x.test/authorize", locale),
            str(oauth_pages.success(ok, locale).body),
            *(fail(reason, locale) for reason in [*oauth_pages._REASONS, "something_else"]),
        ]
        for locale in ("en", "da")
    }
    for english, danish in zip(pages["en"], pages["da"], strict=True):
        assert english != danish
        for english_words in ("Nothing was installed", "Start again", "has expired", "Add to"):
            assert english_words not in danish, (english_words, danish)
    assert "Intet blev installeret eller gemt." in pages["da"][2]
