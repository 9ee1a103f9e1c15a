"""Owners on leave, through the real app and the fake Slack: the stand-in gets
the prompt and the reminders as a delegation that says why, the away owner
gets nothing until they are back; with no stand-in the coordinator is told and
nobody reminds the absent person; a Slack status that reads like a leave is
only a suggestion to the coordinator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.blocks import ids
from bot.blocks.absence import AWAY_OPEN, AWAY_VIEW
from bot.testing.harness import SlackHarness
from storage.models import Absence, AuditEvent, Initiative
from tests.e2e.managers_helpers import dm_messages, dumped, entry_of, find_button, reply_text, seed


def open_cycle(slack: SlackHarness) -> None:
    # Monday 2024-03-04 09:00 CET; deadline Friday 12:00; reminders Tue and Thu 12:00.
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-03-08 12:00 3d,1d', user="UC")
    assert "is open" in reply_text(response)


def texts_to(slack: SlackHarness, user: str) -> list[str]:
    return [dumped(m) for _ts, m in dm_messages(slack, user)]


def at(day: int, hour: int) -> datetime:
    """March 2024, Copenhagen winter time (UTC+1)."""
    return datetime(2024, 3, day, hour - 1, tzinfo=UTC)


def test_stand_in_gets_prompt_and_reminders_and_the_owner_resumes_when_back(
    slack: SlackHarness,
) -> None:
    world = seed(slack)
    struct, _read, _health, intra = world.initiatives.values()
    # Anna (U1) is away Monday to Wednesday; Dorte (U4) stands in.
    response = slack.command("away U1 2024-03-04 2024-03-06 <@U4|dorte>", user="UC")
    assert "away until" in reply_text(response) and "U4" in reply_text(response)
    open_cycle(slack)
    slack.drain()

    assert dm_messages(slack, "U1") == []  # nothing to the away owner
    dorte = " ".join(texts_to(slack, "U4"))
    assert "<@U1> is away until" in dorte and "stand-in" in dorte  # says why
    for initiative in (struct, intra):  # her prompt holds Anna's items, with their buttons
        find_button(slack, "U4", ids.UPDATE, entry_of(slack.session_factory, initiative).id)
    with slack.session_factory() as session:
        assert session.get(Initiative, struct).delegate_id == world.dorte.id
        reasons = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "initiative.delegate")
        )
        assert [d["reason"] for d in reasons] == ["absence", "absence"]

    # Tuesday 12:00 reminder: Dorte is reminded of Anna's items, Anna is not.
    before = len(dm_messages(slack, "U4"))
    slack.drain(within=at(5, 13) - slack.clock.now())
    assert dm_messages(slack, "U1") == []
    assert len(dm_messages(slack, "U4")) == before + 1
    assert "Reminder" in texts_to(slack, "U4")[-1]

    # Thursday: Anna is back before the deadline. The stand-in's delegation
    # ends, Anna gets her prompt in working hours and Thursday's reminder.
    slack.drain(within=at(7, 13) - slack.clock.now())
    anna = texts_to(slack, "U1")
    assert len(anna) == 2 and "Reminder" in anna[1]
    find_button(slack, "U1", ids.UPDATE, entry_of(slack.session_factory, struct).id)
    back = [j for j in slack.jobs("prompt") if ":back:" in (j.dedupe_key or "")]
    assert [j.due_at for j in back] == [at(7, 8)]  # 08:00 on her first day back
    with slack.session_factory() as session:
        assert session.get(Initiative, struct).delegate_id is None
        assert session.get(Initiative, intra).delegate_id is None


def test_no_stand_in_tells_the_coordinator_and_never_reminds_the_absent(
    slack: SlackHarness,
) -> None:
    seed(slack)
    # Bo (U2) records his own leave, past the deadline, with no stand-in.
    response = slack.command("away 2024-03-04 2024-03-15", user="U2")
    assert "ingen stedfortræder" in reply_text(response)  # Bo's Slack is in Danish
    open_cycle(slack)
    slack.drain(within=timedelta(days=5))  # the whole round and the digest

    assert dm_messages(slack, "U2") == []  # no prompt, no reminder, ever
    coordinator = texts_to(slack, "UC")
    notice = next(t for t in coordinator if "with no stand-in" in t)
    assert "Læsebånd i 4. klasse" in notice and "nobody will be reminded" in notice
    digest = next(t for t in coordinator if "Deadline passed" in t)
    assert "<@U2> — away until" in digest and "(no stand-in)" in digest
    progress = reply_text(slack.command("progress", user="UC"))
    assert "<@U2>: 0 answered, 1 missing — away until" in progress
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Absence)) == 1


def test_progress_shows_who_is_away(slack: SlackHarness) -> None:
    seed(slack)
    open_cycle(slack)
    slack.command("away <@U3> 2024-03-05 2024-03-20 <@U4>", user="UC")
    slack.advance(timedelta(days=1))
    progress = reply_text(slack.command("progress", user="UC"))
    assert "away until" in progress and "stand-in: <@U4>" in progress


def test_bad_leaves_are_refused_and_change_nothing(slack: SlackHarness) -> None:
    seed(slack)
    refusals = {
        "away 2024-03-10 2024-03-04": "ends",
        "away 2024-03-04 2024-03-10 <@U1>": "own stand-in",
        "away <@U9> 2024-03-04 2024-03-10": "known",
        "away 2024-03-04": "Usage",
        "away 2024-02-30 2024-03-10": "not a date",
    }
    for text, expected in refusals.items():
        answer = reply_text(slack.command(text, user="U1"))
        assert expected in answer, (text, answer)
    # Bo may not record a leave for Anna; the coordinator may.
    refused = reply_text(slack.command("away <@U1> 2024-03-04 2024-03-05", user="U2"))
    assert refused.startswith("Kun Anna Andersen selv")  # in Bo's language
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Absence)) == 0
        assert not session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.away")
        )


def test_slack_status_is_only_a_suggestion(slack: SlackHarness) -> None:
    seed(slack)
    until = int(datetime(2024, 3, 15, 17, tzinfo=UTC).timestamp())
    slack.fake.users["U3"].status_text = "Ferie"
    slack.fake.users["U3"].status_emoji = ":palm_tree:"
    slack.fake.users["U3"].status_expiration = until
    open_cycle(slack)
    slack.drain()
    assert len(dm_messages(slack, "U3")) == 1  # still prompted: nothing acts on a status
    suggestion = " ".join(texts_to(slack, "UC"))
    assert "<@U3>'s Slack status says" in suggestion and "Ferie" in suggestion
    assert date(2024, 3, 15).strftime("%B") in suggestion or "15" in suggestion
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Absence)) == 0


def test_app_home_button_records_a_leave_and_the_form_refuses_bad_dates(
    slack: SlackHarness,
) -> None:
    seed(slack)
    slack.app_home_opened(user="U2")
    slack.drain()
    home = dumped(slack.calls("views.publish")[-1].params)
    assert AWAY_OPEN in home
    slack.action(AWAY_OPEN, user="U2", value="away")
    view = slack.last_view()
    assert view is not None and view["callback_id"] == AWAY_VIEW
    assert "away_person" not in dumped(view)  # only coordinators set it for others

    def values(first: str, last: str, stand_in: str | None) -> dict:
        return {
            "away_from": {"from": {"type": "datepicker", "selected_date": first}},
            "away_to": {"to": {"type": "datepicker", "selected_date": last}},
            "away_stand_in": {"stand_in": {"type": "users_select", "selected_user": stand_in}},
        }

    bad = slack.submit(view, user="U2", values=values("2024-03-10", "2024-03-05", "U4")).json()
    assert bad["response_action"] == "errors" and "før det begynder" in bad["errors"]["away_to"]
    own = slack.submit(view, user="U2", values=values("2024-03-05", "2024-03-08", "U2")).json()
    assert "sin egen stedfortræder" in own["errors"]["away_stand_in"]
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Absence)) == 0
    good = slack.submit(view, user="U2", values=values("2024-03-04", "2024-03-08", "U4"))
    assert good.status == 200 and good.text in ("", "{}")
    slack.drain()
    home = dumped(slack.calls("views.publish")[-1].params)
    assert "Du er væk til og med" in home and "<@U4>" in home


def test_cancelling_a_coming_leave_changes_nothing_for_the_round(slack: SlackHarness) -> None:
    seed(slack)
    open_cycle(slack)
    slack.drain()
    assert len(dm_messages(slack, "U1")) == 1  # Anna's prompt
    slack.command("away 2024-03-06 2024-03-07 <@U4>", user="U1")
    assert "Cancelled" in reply_text(slack.command("away cancel", user="U1"))
    slack.drain()
    assert len(dm_messages(slack, "U1")) == 1  # no extra reminder for a leave never begun
    assert dm_messages(slack, "U4") == []
