"""Every text of the e-mails (renderer and templates) exists in Danish, and
the Danish mail reads in Danish."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.extract import extract_from_dir

import bot
from bot.blocks.model import CycleHeader, ItemView, PromptView, Viewer
from bot.delivery.message import MessageKind, OwnerMessage
from bot.mail.render import render_mail
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/mail.po"
MO = ROOT / "locale/da/LC_MESSAGES/mail.mo"
METHODS = [("**.py", "python"), ("**.j2", "jinja2.ext:babel_extract")]


def test_every_mail_text_has_danish() -> None:
    messages = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / "mail",
            method_map=METHODS,
            options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    assert len(messages) >= 9
    assert_danish(messages, PO, MO)


def message(locale: str, kind: MessageKind) -> OwnerMessage:
    header = CycleHeader(
        1, "Børn og Unge", None, date(2026, 3, 1), datetime(2026, 3, 20, 11, tzinfo=UTC)
    )
    items = [
        ItemView(
            entry_id=1, cycle_id=1, track="Ledelse", title="Ny struktur", previous="Besluttet."
        )
    ]
    return OwnerMessage(
        kind, PromptView(header, "Lene", items), Viewer(locale, ZoneInfo("Europe/Copenhagen")), 1
    )


def test_the_mail_speaks_the_recipients_language() -> None:
    da = render_mail(message("da", MessageKind.PROMPT), "https://x/answer/t")
    assert (
        da.subject
        == "Statusrapport Børn og Unge: svar venligst senest 20. marts 2026 kl. 12.00 CET"
    )
    assert "pr. 1. marts 2026" in da.text and "Sidst: Besluttet." in da.text
    assert 'lang="da"' in da.html
    en = render_mail(message("en", MessageKind.REMINDER), "https://x/answer/t")
    assert en.subject == "Reminder: status report Børn og Unge due March 20, 2026 at 12:00 CET"
    assert "Still missing from you: 1" in en.text and 'lang="en"' in en.html


def test_the_mail_shows_the_committees_decision_and_question_like_the_slack_prompt() -> None:
    from dataclasses import replace

    from bot.committee.flowback import AskedAbout, CommitteeNotice

    notice = CommitteeNotice(
        committee="Social- og <Sundhedsudvalget>",
        meeting_date=date(2026, 1, 14),
        text="Udvalget tog status til efterretning. Udvalget ønsker en status på Ny struktur.",
        abridged="Udvalget tog status til efterretning. Udvalget ønsker en status på Ny struktur.",
        asked=(AskedAbout(1, "Ny struktur", "Udvalget ønsker en status på Ny struktur."),),
    )
    plain = message("da", MessageKind.PROMPT)
    item = replace(plain.view.items[0], committee_asks=notice.words_for(1))
    asked = replace(plain, view=replace(plain.view, items=[item], committee=notice))
    mail = render_mail(asked, "https://x/answer/t")
    lead = "Social- og <Sundhedsudvalget> besluttede den 14. januar 2026"
    assert lead in mail.text and "Udvalget tog status til efterretning." in mail.text
    assert "Udvalget spørger til dette: »Udvalget ønsker en status på Ny struktur.«" in mail.text
    assert "&lt;Sundhedsudvalget&gt;" in mail.html and "<Sundhedsudvalget>" not in mail.html
    assert "<blockquote" in mail.html
    assert "besluttede" not in render_mail(plain, "https://x/answer/t").text
