"""The answer form in a real browser (Debian's Chromium through chromium-driver,
driven by Selenium) against the real server: open the link, edit, preview (the
change red and underlined), submit, see the receipt; the revision is stored,
counted, and the report shows it. Skipped only where Chromium is absent and
CI is not "true"."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.browser import chromium, press, system_chromium
from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink
from bot.web.links import LINK_PATH
from bot.workflow.cycles import progress
from reports import build_document, render
from storage.models import Entry, EntrySource
from tests.web.web_world import NOW, World, build_world


@pytest.fixture
def browser() -> Iterator[Any]:
    if system_chromium() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the browser test cannot run in CI: chromium/chromium-driver missing")
        pytest.skip("chromium and chromium-driver are not installed")
    with chromium() as driver:
        yield driver


@pytest.fixture
def served(db_url: str, session_factory: sessionmaker[Session]) -> Iterator[SlackHarness]:
    with SlackHarness(
        session_factory, database_url=db_url, start=NOW + timedelta(hours=1)
    ) as harness:
        yield harness


def edit(driver: Any, element_id: str, text: str) -> None:
    box = driver.find_element("id", element_id)
    box.clear()
    box.send_keys(text)


def test_an_owner_answers_in_a_real_browser(
    browser: Any, served: SlackHarness, session: Session
) -> None:
    world: World = build_world(session, locale="en")
    first, shared, third = world.entries
    browser.get(f"{served.server.url}/answer/{world.token}")
    assert browser.find_element("tag name", "h1").text == "Your status for Socialområdet"
    # a phone's width, and nothing wider than it
    assert browser.execute_script("return window.innerWidth") == 390
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    prefilled = browser.find_element("id", f"status-{first.id}").get_property("value")
    assert prefilled == "Fagchefen er **ansat** pr. 1. februar."

    edit(browser, f"status-{first.id}", "Fagchefen er **ansat** pr. 1. marts.")
    browser.find_element("css selector", f"#phase-{first.id} option[value=completed]").click()
    browser.find_element("css selector", f"input[name=choice-{shared.id}][value=same]").click()
    browser.find_element("css selector", f"input[name=choice-{third.id}][value=later]").click()
    press(browser, "button[value=preview]")

    heading = browser.find_element("id", "preview-heading")
    assert heading.text == "Preview"
    changed = browser.find_element("css selector", ".preview ins.chg")
    assert changed.text == "marts."
    assert changed.value_of_css_property("color") == "rgba(176, 0, 0, 1)"  # red
    assert "underline" in changed.value_of_css_property("text-decoration-line")
    # the preview stored nothing, and the form kept the edit
    session.expire_all()
    assert session.get(Entry, first.id).source == EntrySource.PENDING  # type: ignore[union-attr]
    kept = browser.find_element("id", f"status-{first.id}").get_property("value")
    assert kept == "Fagchefen er **ansat** pr. 1. marts."

    press(browser, "button[value=submit]")
    assert browser.find_element("tag name", "h1").text == "Thank you, your answers are saved"
    assert browser.current_url.endswith("/receipt?saved=2")
    assert "2 answers were saved just now." in browser.page_source

    session.expire_all()
    stored = session.get(Entry, first.id)
    assert stored is not None and stored.source == EntrySource.ANSWER
    assert stored.status is not None and stored.status.to_markup() == (
        "Fagchefen er **ansat** pr. 1. marts."
    )
    assert stored.phase == "completed"
    counted = progress(session, world.cycle.id)
    assert counted.answered == 2
    report = render(build_document(session, world.cycle.id, locale="en"), "html").decode()
    assert '<ins class="chg">marts.</ins>' in report


PUBLIC_URL = "https://status.kommune.example"


def test_the_mailed_link_opens_the_form_and_the_answer_is_stored(
    browser: Any, db_url: str, session_factory: sessionmaker[Session], session: Session
) -> None:
    """A real SMTP server (aiosmtpd) receives the prompt; the browser opens its
    link (served here instead of behind the public URL's proxy), in Danish."""
    settings = {
        "STATUSBOT_SMTP_URL": "",
        "STATUSBOT_MAIL_FROM": "Statusbot <status@kommune.example>",
        "STATUSBOT_PUBLIC_URL": PUBLIC_URL,
    }
    with MailSink() as sink:
        settings["STATUSBOT_SMTP_URL"] = sink.url
        with SlackHarness(
            session_factory,
            database_url=db_url,
            start=NOW + timedelta(hours=1),
            settings=settings,
        ) as served:
            world = build_world(session, locale="da")
            served.drain()
            mails = sink.to("eva@example.org")
            assert len(mails) == 1
            text = mails[0].get_body(("plain",)).get_content()
            link = text[text.index(PUBLIC_URL + LINK_PATH) :].split()[0]
            browser.get(served.server.url + link.removeprefix(PUBLIC_URL))
            assert browser.find_element("tag name", "h1").text == "Din status for Socialområdet"
            first = world.entries[0]
            edit(browser, f"status-{first.id}", "Fagchefen er *tiltrådt*.")
            for other in world.entries[1:]:
                browser.find_element(
                    "css selector", f"input[name=choice-{other.id}][value=later]"
                ).click()
            press(browser, "button[value=submit]")
            assert browser.find_element("tag name", "h1").text == "Tak, dine svar er gemt"
            session.expire_all()
            stored = session.get(Entry, first.id)
            assert stored is not None and stored.status is not None
            assert stored.status.to_markup() == "Fagchefen er *tiltrådt*."
            assert stored.answered_by_id == world.owner.id
