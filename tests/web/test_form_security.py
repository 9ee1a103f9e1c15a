"""The answer form's guards: CSRF, unknown/revoked links, the guess limit,
approval, two windows, and the security headers."""

from __future__ import annotations

import hmac
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from bot.runtime import Deps
from bot.web import links
from bot.web.app import AnswerForm
from bot.web.csrf import Check, CsrfTokens
from bot.web.links import issue_link, revoke_links
from bot.web.ratelimit import GuessLimiter
from storage.models import CycleState, Entry, Revision
from tests.web.web_world import World, form_fields


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Revision)) or 0)


def _submit(world: World, page: str, text: str, **extra: str) -> dict[str, str]:
    entry = world.entries[0]
    data = form_fields(page)
    data.update(
        {
            "action": "submit",
            f"choice-{entry.id}": "update",
            f"status-{entry.id}": text,
            f"choice-{world.entries[1].id}": "later",
            f"choice-{world.entries[2].id}": "later",
        }
    )
    data.update(extra)
    return data


def test_a_post_without_a_valid_csrf_field_is_refused_and_stores_nothing(
    client: Client, world: World, session: Session
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    good = _submit(world, page, "Ny tekst")
    missing = {k: v for k, v in good.items() if k != "csrf"}
    assert client.post(f"/answer/{world.token}", data=missing).status_code == 403
    forged = {**good, "csrf": good["csrf"][:-2] + "xx"}
    assert client.post(f"/answer/{world.token}", data=forged).status_code == 403
    # a real token, but for another person's link
    other = issue_link(session, person_id=world.slacker.id, cycle_id=world.cycle.id)
    session.commit()
    theirs = form_fields(client.get(f"/answer/{other}").get_data(as_text=True))["csrf"]
    stolen = {**good, "csrf": theirs}
    assert client.post(f"/answer/{world.token}", data=stolen).status_code == 403
    assert _count(session) == 0
    # and the page's own token works
    assert client.post(f"/answer/{world.token}", data=good).status_code == 303
    assert _count(session) == 1


def test_an_old_csrf_token_brings_the_form_back_with_the_text_kept() -> None:
    now = [1_000_000.0]
    tokens = CsrfTokens(b"k" * 32, max_age=60, clock=lambda: now[0])
    value = tokens.issue("7")
    assert tokens.check(value, "7") is Check.OK
    assert tokens.check(value, "8") is Check.MISSING
    assert CsrfTokens(b"j" * 32).check(value, "7") is Check.MISSING  # another key
    now[0] += 61
    assert tokens.check(value, "7") is Check.EXPIRED
    assert tokens.check(None, "7") is Check.MISSING


def test_unknown_and_revoked_links_get_the_same_404_page(
    client: Client, world: World, session: Session
) -> None:
    unknown = client.get("/answer/" + "A" * 43)
    malformed = client.get("/answer/not%20a%20token")
    revoke_links(session, person_id=world.owner.id, cycle_id=None, reason="test")
    session.commit()
    revoked = client.get(f"/answer/{world.token}")
    posted = client.post(f"/answer/{world.token}", data={"csrf": "x"})
    assert {r.status_code for r in (unknown, malformed, revoked, posted)} == {404}
    bodies = {r.get_data() for r in (unknown, malformed, revoked, posted)}
    assert len(bodies) == 1  # nothing tells a revoked link from a wrong one
    assert _count(session) == 0


def test_the_token_check_is_constant_time(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(links.hmac, "compare_digest", spy)
    assert client.get("/answer/" + "B" * 43).status_code == 404
    assert client.get(f"/answer/{world.token}").status_code == 200
    assert len(compared) == 2  # the deciding comparison, for unknown and known tokens alike


def test_token_guesses_are_limited_per_client_address(world: World, deps: Deps) -> None:
    limiter = GuessLimiter(limit=5, window=600)
    client = Client(AnswerForm(deps, limiter=limiter))
    here = {"REMOTE_ADDR": "198.51.100.7"}
    for n in range(5):
        assert client.get(f"/answer/{'C' * 42}{n}", environ_overrides=here).status_code == 404
    blocked = client.get("/answer/" + "D" * 43, environ_overrides=here)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # the right link too (a different answer would confirm a guess) …
    assert client.get(f"/answer/{world.token}", environ_overrides=here).status_code == 429
    # … but only from that address
    there = {"REMOTE_ADDR": "198.51.100.8"}
    assert client.get(f"/answer/{world.token}", environ_overrides=there).status_code == 200


def test_behind_a_local_proxy_the_forwarded_address_is_counted(world: World, deps: Deps) -> None:
    client = Client(AnswerForm(deps, limiter=GuessLimiter(limit=2, window=600)))
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):  # the client's own X-Forwarded-For entries are not believed
        headers = {"X-Forwarded-For": "10.9.9.9, 203.0.113.5"}
        response = client.get("/answer/" + "E" * 43, environ_overrides=proxied, headers=headers)
        assert response.status_code == 404
    other = {"X-Forwarded-For": "10.9.9.9, 203.0.113.6"}
    assert (
        client.get(f"/answer/{world.token}", environ_overrides=proxied, headers=other).status_code
        == 200
    )
    mine = {"X-Forwarded-For": "203.0.113.5"}
    assert (
        client.get(f"/answer/{world.token}", environ_overrides=proxied, headers=mine).status_code
        == 429
    )


def test_the_guess_limiter_forgets_after_its_window_and_keeps_memory_bounded() -> None:
    now = [0.0]
    limiter = GuessLimiter(limit=2, window=10, max_clients=100, clock=lambda: now[0])
    limiter.failed("a")
    limiter.failed("a")
    assert limiter.retry_after("a") == 11
    now[0] = 10.5
    assert limiter.retry_after("a") == 0
    for n in range(1000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100  # the least recently seen are forgotten


def test_a_submission_after_approval_is_refused_with_a_clear_page(
    client: Client, world: World, session: Session
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    world.cycle.state = CycleState.APPROVED
    session.commit()
    response = client.post(f"/answer/{world.token}", data=_submit(world, page, "For sent svar"))
    assert response.status_code == 409
    shown = response.get_data(as_text=True)
    assert "Runden er lukket" in shown
    assert "Intet blev gemt." in shown
    assert "For sent svar" in shown  # the text is not lost
    assert _count(session) == 0
    closed = client.get(f"/answer/{world.token}")
    assert closed.status_code == 200 and "Runden er lukket" in closed.get_data(as_text=True)
    assert "<textarea" not in closed.get_data(as_text=True)


def test_two_windows_answering_the_same_item_store_both_revisions_in_order(
    client: Client, world: World, session: Session
) -> None:
    first_tab = client.get(f"/answer/{world.token}").get_data(as_text=True)
    second_tab = client.get(f"/answer/{world.token}").get_data(as_text=True)
    one = client.post(f"/answer/{world.token}", data=_submit(world, first_tab, "Fra vindue et"))
    two = client.post(f"/answer/{world.token}", data=_submit(world, second_tab, "Fra vindue to"))
    assert one.status_code == two.status_code == 303
    assert "newer" not in one.headers["Location"]
    assert two.headers["Location"].endswith("&newer=1")
    receipt = client.get(two.headers["Location"]).get_data(as_text=True)
    assert "afløste et svar" in receipt
    texts = session.scalars(
        select(Revision).where(Revision.entry_id == world.entries[0].id).order_by(Revision.number)
    ).all()
    assert [(r.number, r.status.plain if r.status else "") for r in texts] == [
        (1, "Fra vindue et"),
        (2, "Fra vindue to"),
    ]


def test_two_windows_submitting_at_the_same_moment_lose_nothing(
    app: AnswerForm, world: World, session: Session
) -> None:
    pages = [Client(app).get(f"/answer/{world.token}").get_data(as_text=True) for _ in range(4)]
    results: list[int] = []

    def post(n: int) -> None:
        data = _submit(world, pages[n], f"Samtidig tekst {n}")
        results.append(Client(app).post(f"/answer/{world.token}", data=data).status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * 4
    stored = session.scalars(
        select(Revision.status).where(Revision.entry_id == world.entries[0].id)
    ).all()
    assert sorted(s.plain for s in stored if s) == [f"Samtidig tekst {n}" for n in range(4)]


def test_after_the_deadline_an_answered_item_is_shown_but_not_editable(
    client: Client, world: World, session: Session, deps: Deps
) -> None:
    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    assert (
        client.post(f"/answer/{world.token}", data=_submit(world, page, "Svar")).status_code == 303
    )
    deps.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    late = client.get(f"/answer/{world.token}").get_data(as_text=True)
    first = world.entries[0].id
    assert f'name="status-{first}"' not in late
    assert "Fristen er overskredet" in late
    # a forged field for it is ignored; nothing more is stored
    data = _submit(world, late, "Efter fristen")
    client.post(f"/answer/{world.token}", data=data)
    session.expire_all()
    entry = session.get(Entry, first)
    assert entry is not None and entry.status is not None and entry.status.plain == "Svar"


@pytest.mark.parametrize("path", ["/answer/{token}", "/answer/{token}/receipt", "/answer/x"])
def test_every_page_carries_the_security_headers(client: Client, world: World, path: str) -> None:
    response = client.get(path.format(token=world.token))
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    assert "style-src 'sha256-" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "<script" not in response.get_data(as_text=True)


def test_the_inline_stylesheet_is_the_one_the_policy_allows(client: Client, world: World) -> None:
    import base64
    import hashlib
    import re

    response = client.get(f"/answer/{world.token}")
    css = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_a_busy_database_keeps_the_typed_text(
    client: Client, world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    import bot.web.app

    def busy(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    page = client.get(f"/answer/{world.token}").get_data(as_text=True)
    monkeypatch.setattr(bot.web.app, "store_answers", busy)
    response = client.post(f"/answer/{world.token}", data=_submit(world, page, "Mine ord"))
    assert response.status_code == 503
    shown = response.get_data(as_text=True)
    assert "Mine ord" in shown and "intet blev gemt" in shown
    assert _count(session) == 0
