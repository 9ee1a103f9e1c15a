"""The committee's Slack surfaces as pure builders, and the words the prompt
quotes: Danish and English, escaping, Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.check import problems
from bot.blocks.model import CycleHeader, ItemView, PromptView, Viewer
from bot.blocks.prompt import prompt_messages
from bot.committee import blocks as cb
from bot.committee.flowback import AskedAbout, CommitteeNotice, abridge, words_about
from bot.committee.settings import CommitteeView
from bot.delivery.surfaces import texts
from storage.models import Initiative

HEADER = CycleHeader(7, "Socialområdet", None, date(2024, 9, 1), datetime(2024, 9, 20, tzinfo=UTC))
NOTICE = CommitteeNotice(
    committee="Social- & Sundhedsudvalget",
    meeting_date=date(2024, 4, 10),
    text="Udvalget tog status til efterretning. Udvalget vil høre om <Ny metode> næste gang.",
    abridged="Udvalget tog status til efterretning. Udvalget vil høre om <Ny metode> næste gang.",
    asked=(AskedAbout(2, "Ny metode", "Udvalget vil høre om <Ny metode> næste gang."),),
)


def items() -> list[ItemView]:
    return [
        ItemView(entry_id=1, cycle_id=7, track="Organisering", title="Ny enhed"),
        ItemView(
            entry_id=2,
            cycle_id=7,
            track="Organisering",
            title="Ny metode",
            committee_asks=NOTICE.words_for(2),
        ),
    ]


@pytest.mark.parametrize(
    ("locale", "lead", "flag"),
    [
        (
            "da",
            "Social- &amp; Sundhedsudvalget besluttede den 10. april 2024",
            "Udvalget spørger til dette: »",
        ),
        (
            "en",
            "Social- &amp; Sundhedsudvalget decided on April 10, 2024",
            "The committee asks about this: “",
        ),
    ],
)
def test_prompt_shows_the_decision_above_the_initiatives(locale, lead, flag):
    viewer = Viewer(locale, ZoneInfo("Europe/Copenhagen"))
    view = PromptView(HEADER, "Anna", items(), committee=NOTICE)
    [message] = prompt_messages(view, viewer, texts(locale))
    assert problems(message) == []
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert lead in text
    assert "&lt;Ny metode&gt;" in text and "<Ny metode>" not in text
    assert text.index(lead) < text.index("Ny enhed")
    assert text.count(flag) == 1  # only the initiative the decision asks about
    assert text.index(flag) > text.index("*Ny metode*")
    without = prompt_messages(PromptView(HEADER, "Anna", items()[:1]), viewer, texts(locale))[0]
    assert "decided" not in json.dumps(without) and "besluttede" not in json.dumps(without)


def test_words_about_quotes_the_sentence_naming_the_initiative():
    initiative = Initiative(title="Ny budgetmodel for Hjemmeplejen", nr="SUN-13")
    text = (
        "Udvalget tog status til efterretning. Udvalget ønsker en særlig opfølgning på ny "
        "budgetmodel for Hjemmeplejen. Sygefraværet drøftes i juni."
    )
    assert words_about(text, initiative) == (
        "Udvalget ønsker en særlig opfølgning på ny budgetmodel for Hjemmeplejen."
    )
    by_key = "Status taget til efterretning. Se SUN-13 igen!"
    assert words_about(by_key, initiative) == "Se SUN-13 igen!"
    unnamed = "Udvalget tog status til efterretning. " * 20
    assert words_about(unnamed, initiative) == abridge(unnamed, 300)
    assert len(words_about(unnamed, initiative)) <= 300


@pytest.mark.parametrize("locale", ["da", "en"])
def test_forms_fit_slacks_limits(locale):
    initiatives = [(i, f"Tiltag nummer {i} med en meget lang titel " * 3) for i in range(130)]
    decision = cb.decision_modal(7, "Socialområdet", initiatives, locale, existing=date(2024, 4, 1))
    assert problems(decision, "modal") == []
    asks = next(b for b in decision["blocks"] if b.get("block_id") == cb.ASKS_BLOCK)
    assert len(asks["element"]["options"]) == cb.MAX_OPTIONS
    package = cb.package_modal(7, "Socialområdet", None, locale)
    assert problems(package, "modal") == []
    settings = {"blocks": cb.settings_inputs(CommitteeView(1, background="x" * 4000), locale)}
    assert problems(settings, "modal") == []
    ids = {b.get("block_id") for b in settings["blocks"]}
    # A text longer than Slack's box is not offered for editing (saving would cut it).
    assert cb.SETTING_BLOCKS["background"] not in ids
    assert cb.SETTING_BLOCKS["economy"] in ids
    assert cb.read_settings_inputs({}) == {}
