"""The committee through the real Bolt app and the fake Slack: the decision
recorded by a coordinator's form, shown in the next round's prompt (with the
asked-about initiative flagged), listed in the draft summary; the package
uploaded from the App Home; the committee settings in the area settings modal."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks import review as rb
from bot.blocks.check import problems
from bot.committee import blocks as cb
from bot.committee.decisions import decision_of
from bot.review import approve
from bot.testing.harness import SlackHarness
from bot.workflow.actor import Actor
from storage.models import CommitteeSettings, Person
from tests.e2e.review_e2e_helpers import (
    answer,
    answer_all,
    click_home,
    dm,
    dumped,
    entries,
    files_named,
    input_value,
    open_now,
    seed,
    select_values,
)

DECISION = (
    "Udvalget tog status til efterretning. Udvalget beder om en særlig status på "
    "Fælles faglig metode til næste møde."
)


def meeting(day: str) -> dict[str, Any]:
    return {cb.MEETING_BLOCK: {cb.VALUE: {"type": "datepicker", "selected_date": day}}}


def approved_first_round(slack: SlackHarness) -> tuple[Any, int]:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    with slack.session_factory() as session:
        coordinator = session.scalar(select(Person).where(Person.slack_user_id == "UC"))
        approve(
            session,
            cycle_id=cycle_id,
            actor=Actor.of(coordinator),
            now=slack.clock.now(),
            with_missing=True,
        )
        session.commit()
    return world, cycle_id


def home_of(slack: SlackHarness, user: str) -> dict[str, Any]:
    slack.app_home_opened(user=user)
    return slack.fake.home_views[user]


def test_decision_flows_into_the_next_round(slack: SlackHarness) -> None:
    world, first = approved_first_round(slack)
    home = home_of(slack, "UC")
    assert f'"value": "{first}"' in dumped(home) and cb.DECISION_ACTION in dumped(home)
    assert "no committee decision recorded yet" in dumped(home)

    # A stranger's click is refused, visibly.
    click_home(slack, "US", cb.DECISION_ACTION, str(first))
    assert any("Only the coordinators of" in dumped(m) for m in dm(slack, "US"))

    click_home(slack, "UC", cb.DECISION_ACTION, str(first))
    form = slack.last_view()
    assert form is not None and form["callback_id"] == cb.DECISION_VIEW
    assert problems(form, "modal") == []
    asked = entries(slack, first)[1]  # "Fælles faglig metode", owned by U1
    values = {
        **meeting("2024-04-10"),
        **input_value(cb.TEXT_BLOCK, DECISION),
        **input_value(cb.ABSENT_BLOCK, "Tina Nicolajsen (FOA)\nPia Christensen (DSR)"),
        **select_values(cb.ASKS_BLOCK, [str(asked.initiative_id)]),
    }
    too_early = slack.submit(form, user="UC", values={**values, **meeting("2024-02-01")})
    assert too_early.json()["response_action"] == "errors"
    assert cb.MEETING_BLOCK in too_early.json()["errors"]
    empty = slack.submit(form, user="UC", values={**values, **input_value(cb.TEXT_BLOCK, " ")})
    assert cb.TEXT_BLOCK in empty.json()["errors"]
    ok = slack.submit(form, user="UC", values=values)
    assert ok.status == 200 and ok.text in ("", "{}")
    with slack.session_factory() as session:
        decision = decision_of(session, first)
        assert decision is not None and decision.meeting_date == date(2024, 4, 10)
        assert decision.absent == ["Tina Nicolajsen (FOA)", "Pia Christensen (DSR)"]
        assert decision.asks_about == [asked.initiative_id]
    assert "is recorded for Socialområdet" in dumped(dm(slack, "UC")[-1])

    # The next round: each manager sees the decision above their initiatives.
    second = open_now(slack, world, as_of="2024-09-01")
    slack.drain()
    prompt_u1, prompt_u2 = dm(slack, "U1")[-1], dm(slack, "U2")[-1]
    for prompt in (prompt_u1, prompt_u2):
        assert problems(prompt) == []
        text = dumped(prompt)
        assert "The committee decided on April 10, 2024, about the last report:" in text
        assert "Udvalget tog status til efterretning." in text
        assert text.index("decided on") < text.index(
            "Ny visitationsenhed" if prompt is prompt_u1 else "Rekruttering"
        )
    flag = (
        "The committee asks about this: “Udvalget beder om en særlig status på "
        "Fælles faglig metode til næste møde.”"
    )
    assert flag in dumped(prompt_u1)
    assert "asks about this" not in dumped(prompt_u2)

    # The coordinator's draft summary says whether the asked-about initiative is answered.
    slack.command("compile", user="UC")
    slack.drain()
    summary = dumped(dm(slack, "UC")[-1])
    assert "The committee asked about:" in summary
    assert "⚠️ Fælles faglig metode — no answer yet" in summary
    answer(slack, second, 1, "U1", "Metoden er indført.")
    slack.advance(timedelta(minutes=2))  # a compile within the same minute counts once
    slack.command("compile", user="UC")
    slack.drain()
    assert "✅ Fælles faglig metode — answered" in dumped(dm(slack, "UC")[-1])


def test_second_decision_form_replaces_only_what_its_author_saw(slack: SlackHarness) -> None:
    _world, first = approved_first_round(slack)
    click_home(slack, "UC", cb.DECISION_ACTION, str(first))
    form_uc = slack.last_view()
    click_home(slack, "UC2", cb.DECISION_ACTION, str(first))
    form_uc2 = slack.last_view()
    assert form_uc is not None and form_uc2 is not None and form_uc["id"] != form_uc2["id"]
    slack.submit(
        form_uc, user="UC", values={**meeting("2024-04-10"), **input_value(cb.TEXT_BLOCK, "Først.")}
    )
    # A form opened before that decision was recorded cannot overwrite it.
    refused = slack.submit(
        form_uc2,
        user="UC2",
        values={**meeting("2024-04-11"), **input_value(cb.TEXT_BLOCK, "Anden.")},
    )
    assert "replace it explicitly" in refused.json()["errors"][cb.TEXT_BLOCK]
    with slack.session_factory() as session:
        assert decision_of(session, first).text == "Først."
    # A form that shows the recorded decision replaces it (the old one is kept).
    click_home(slack, "UC2", cb.DECISION_ACTION, str(first))
    form = slack.last_view()
    assert "already recorded" in dumped(form)
    ok = slack.submit(
        form, user="UC2", values={**meeting("2024-04-11"), **input_value(cb.TEXT_BLOCK, "Anden.")}
    )
    assert ok.text in ("", "{}")
    with slack.session_factory() as session:
        assert decision_of(session, first).text == "Anden."


def test_package_is_uploaded_from_the_app_home(slack: SlackHarness) -> None:
    _world, first = approved_first_round(slack)
    click_home(slack, "UC", cb.PACKAGE_ACTION, str(first))
    form = slack.last_view()
    assert form is not None and form["callback_id"] == cb.PACKAGE_VIEW
    assert problems(form, "modal") == []
    early = slack.submit(form, user="UC", values=meeting("2024-01-15"))
    assert cb.MEETING_BLOCK in early.json()["errors"]
    assert files_named(slack, ".zip") == []
    ok = slack.submit(form, user="UC", values=meeting("2024-04-10"))
    assert ok.text in ("", "{}")
    [package] = files_named(slack, ".zip")
    assert package["name"] == "dagsordenspunkt-status-socialomraadet-2024-03-01-2024-04-10.zip"
    assert slack.fake.dm_channel("UC") in package["channels"]
    archive = zipfile.ZipFile(io.BytesIO(package["content"]))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["meeting_date"] == "2024-04-10"
    assert "sagsfremstilling.docx" in archive.namelist()


def test_committee_settings_in_the_area_settings_modal(slack: SlackHarness) -> None:
    world = seed(slack)
    slack.command("settings", user="UC")
    view = slack.last_view()
    assert view is not None and view["callback_id"] == rb.SETTINGS_VIEW
    assert problems(view, "modal") == []
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert set(cb.SETTING_BLOCKS.values()) <= blocks
    approvals = {
        rb.APPROVALS_BLOCK: {rb.VALUE: {"type": "static_select", "selected_option": {"value": "1"}}}
    }
    access = {
        cb.SETTING_BLOCKS["access"]: {
            cb.VALUE: {"type": "static_select", "selected_option": {"value": "closed"}}
        }
    }
    ok = slack.submit(
        view,
        user="UC",
        values={
            **approvals,
            **access,
            **input_value(cb.SETTING_BLOCKS["committee"], "Socialudvalget"),
            **input_value(cb.SETTING_BLOCKS["case_number"], "13/9475"),
            **input_value(cb.SETTING_BLOCKS["economy"], "Ingen merudgifter."),
        },
    )
    assert ok.status == 200 and ok.text in ("", "{}")
    with slack.session_factory() as session:
        row = session.get(CommitteeSettings, world.area_id)
        assert (row.committee, row.case_number, row.access, row.economy) == (
            "Socialudvalget",
            "13/9475",
            "closed",
            "Ingen merudgifter.",
        )
