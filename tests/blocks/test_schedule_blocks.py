"""The recurring rounds' Slack texts exist in Danish, and the notice and
modals are valid Block Kit in both languages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_file

import bot
from bot.blocks import kit
from bot.blocks import schedule as sb
from bot.blocks.check import problems
from bot.blocks.model import Viewer
from tests.catalog_check import assert_danish

ROOT = Path(bot.__file__).parent
PO = ROOT / "locale/da/LC_MESSAGES/schedule.po"
MO = ROOT / "locale/da/LC_MESSAGES/schedule.mo"
SOURCES = (ROOT / "blocks/schedule.py", ROOT.parent / "handlers/schedule.py")


def test_every_schedule_text_has_danish() -> None:
    messages = {
        message
        for path in SOURCES
        for _line, message, _comments, _ctx in extract_from_file(
            "python", str(path), keywords={"_": None}
        )
    }
    assert len(messages) > 30
    assert_danish(messages, PO, MO)


def notice(away: tuple[str, ...], locale: str) -> dict:
    viewer = Viewer(locale=locale, tz=ZoneInfo("Europe/Copenhagen"))
    view = sb.NoticeView(
        area_id=7,
        area="Børn & Unge <intern>",
        as_of=date(2027, 3, 31),
        opens_on=date(2027, 3, 17),
        deadline_text=kit.fmt_datetime(datetime(2027, 4, 5, 21, 59, tzinfo=UTC), viewer.tz, locale),
        initiatives=12,
        owners=5,
        away=away,
    )
    return sb.notice_message(view, viewer, sb.texts(locale))


@pytest.mark.parametrize("locale", ["da", "en"])
def test_notice_names_the_round_the_people_away_and_offers_the_three_choices(locale: str) -> None:
    message = notice(("Anna Holm", "Bo <Berg>"), locale)
    assert problems(message) == []
    text = json.dumps(message, ensure_ascii=False)
    assert "Børn &amp; Unge &lt;intern&gt;" in text and "Bo &lt;Berg&gt;" in text
    assert (
        "5 ansvarlige om 12 tiltag" if locale == "da" else "5 owners about 12 initiatives"
    ) in text
    assert ("5. april 2027" if locale == "da" else "April 5, 2027") in text
    ids = [e["action_id"] for e in message["blocks"][-1]["elements"]]
    assert ids == [f"{kind}:a7:2027-03-31" for kind in (sb.OPEN_NOW, sb.POSTPONE, sb.SKIP)]
    assert "confirm" in message["blocks"][-1]["elements"][2]
    assert sb.decode_ref("a7:2027-03-31") == sb.RoundRef(7, date(2027, 3, 31))
    assert sb.decode_ref("a7:2027-02-30") is None and sb.decode_ref(["a7"]) is None


def test_notice_without_anyone_away_says_so() -> None:
    assert "Nobody is registered as away" in json.dumps(notice((), "en"))


def test_modals_are_valid() -> None:
    _ = sb.texts("da")
    viewer = Viewer(locale="da", tz=ZoneInfo("Europe/Copenhagen"))
    postpone = sb.postpone_modal(
        sb.RoundRef(7, date(2027, 3, 31)), "Område", date(2027, 3, 17), _, viewer
    )
    assert problems(postpone, "modal") == []
    assert postpone["blocks"][1]["element"]["initial_date"] == "2027-03-24"
    form = sb.ScheduleForm(7, "Område", "03-31,09-30", "14d", "10", "3d,1d", "Næste runde: …")
    modal = sb.schedule_modal(form, _)
    assert problems(modal, "modal") == []
    initial = [b["element"].get("initial_value") for b in modal["blocks"] if b["type"] == "input"]
    assert initial == ["03-31,09-30", "14d", "10", "3d,1d"]
