"""Recurring rounds through the real app and scheduler against the fake Slack:
the notice comes exactly a week before the opening, the round opens by itself
once (also with two schedulers racing), and the coordinators skip, postpone
or open it now with the notice's buttons; the Schedule modal from the area
settings."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from review_e2e_helpers import button, click, dm, dumped, input_value, seed
from sqlalchemy import select, update

from bot.blocks import review as rb
from bot.blocks import schedule as sb
from bot.blocks.check import problems
from bot.scheduler import Scheduler
from bot.testing.harness import SlackHarness
from bot.workflow import schedules
from bot.workflow.actor import Actor
from storage.models import (
    AreaSchedule,
    AuditEvent,
    Cycle,
    Job,
    JobState,
    RoundState,
    ScheduledRound,
)

ZONE = ZoneInfo("Europe/Copenhagen")
AS_OF = date(2024, 4, 30)
OPENS = date(2024, 4, 16)  # 14 days before
OPENING = datetime(2024, 4, 16, 8, 0, tzinfo=ZONE).astimezone(UTC)
NOTICE = OPENING - timedelta(days=7)


def scheduled(slack: SlackHarness, *, as_of: str = "04-30,10-31") -> int:
    world = seed(slack)
    with slack.session_factory() as session:
        schedules.set_schedule(
            session,
            area_id=world.area_id,
            spec=schedules.parse_schedule(
                as_of=as_of, open_before="14d", answer_days=10, remind="3d,1d"
            ),
            actor=Actor.cli(),
            now=slack.clock.now(),
            zone=ZONE,
        )
        session.commit()
    return world.area_id


def notices(slack: SlackHarness, user: str) -> list[dict]:
    return [m for m in dm(slack, user) if button(m, sb.SKIP) is not None]


def cycles(slack: SlackHarness) -> list[Cycle]:
    with slack.session_factory() as session:
        found = list(session.scalars(select(Cycle).order_by(Cycle.id)))
        session.expunge_all()
        return found


def round_row(slack: SlackHarness, as_of: date = AS_OF) -> ScheduledRound:
    with slack.session_factory() as session:
        row = session.scalar(select(ScheduledRound).where(ScheduledRound.as_of == as_of))
        assert row is not None
        session.expunge(row)
        return row


def test_notice_exactly_a_week_before_then_the_round_opens_by_itself(slack: SlackHarness) -> None:
    scheduled(slack)
    slack.clock.set(NOTICE - timedelta(seconds=1))
    slack.tick()
    assert notices(slack, "UC") == []
    slack.clock.set(NOTICE)
    slack.tick()
    for coordinator in ("UC", "UC2"):
        (notice,) = notices(slack, coordinator)
        assert problems(notice) == []
        text = dumped(notice)
        assert "April 30, 2024" in text and "April 16, 2024" in text
        assert "April 30, 2024 at 23:59" in text  # 10 working days after the 16th
        assert "2 owners about 3 initiatives" in text
        assert "Nobody is registered as away" in text
        for action in (sb.OPEN_NOW, sb.POSTPONE, sb.SKIP):
            assert button(notice, action) is not None
    assert cycles(slack) == []

    slack.clock.set(OPENING - timedelta(seconds=1))
    slack.tick()
    assert cycles(slack) == []
    slack.clock.set(OPENING)
    slack.tick()
    (cycle,) = cycles(slack)
    assert cycle.as_of == AS_OF and cycle.reminder_offsets == "3d,1d"
    assert cycle.deadline == datetime(2024, 4, 30, 23, 59, tzinfo=ZONE)
    assert round_row(slack).state == RoundState.OPENED
    slack.drain()
    assert any("Ny visitationsenhed" in dumped(m) for m in dm(slack, "U1"))  # the prompt
    assert round_row(slack, date(2024, 10, 31)).state == RoundState.PLANNED  # the next one


def test_two_schedulers_racing_open_the_round_once(slack: SlackHarness) -> None:
    scheduled(slack)
    slack.clock.set(OPENING)
    workers = [Scheduler(slack.deps, worker_id=f"racer-{n}", resolve_emails=False) for n in (1, 2)]
    start = threading.Barrier(len(workers))
    results = []

    def race(worker: Scheduler) -> None:
        start.wait()
        results.append(worker.tick(kinds=[schedules.OPEN_KIND]))

    threads = [threading.Thread(target=race, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.claimed for r in results) == 1 and sum(r.done for r in results) == 1
    assert len(cycles(slack)) == 1
    # Later ticks of both find nothing to open again.
    slack.clock.set(OPENING + timedelta(hours=1))
    for worker in workers:
        worker.tick(kinds=[schedules.OPEN_KIND])
    assert len(cycles(slack)) == 1
    with slack.session_factory() as session:
        prompts = session.scalars(select(Job).where(Job.kind == "prompt")).all()
        assert len(prompts) == 3  # one each for two owners and a delegate, not two each


def test_skip_from_the_notice_is_confirmed_audited_and_shown(slack: SlackHarness) -> None:
    area_id = scheduled(slack)
    slack.clock.set(NOTICE)
    slack.tick()
    element = button(notices(slack, "UC")[0], sb.SKIP)
    assert element is not None and element["confirm"]["confirm"]["text"] == "Skip"
    assert click(slack, "UC", sb.SKIP, as_user="U1").status == 200  # an owner may not
    assert round_row(slack).state == RoundState.PLANNED
    assert click(slack, "UC", sb.SKIP).status == 200
    row = round_row(slack)
    assert row.state == RoundState.SKIPPED and row.decided_by == "Kim Coordinator"
    replies = dumped(slack.ephemerals("UC"))
    assert "Skipped the round of Socialområdet as of April 30, 2024" in replies
    assert "October 17, 2024" in replies  # the next opening
    (settled,) = [m for m in dm(slack, "UC") if "Skipped the round" in dumped(m)]
    assert button(settled, sb.SKIP) is None  # the clicked notice lost its buttons
    assert len(notices(slack, "UC2")) == 1  # the other coordinator's stays; it now says so:
    assert click(slack, "UC2", sb.SKIP).status == 200
    assert "no longer planned" in dumped(slack.ephemerals("UC2"))
    slack.clock.set(OPENING + timedelta(hours=1))
    slack.drain()
    assert cycles(slack) == []
    with slack.session_factory() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.skip"))
        shown = [r.state for r in schedules.decided_rounds(session, area_id)]
        assert shown == [RoundState.SKIPPED]


def test_postpone_from_the_notice_moves_the_opening(slack: SlackHarness) -> None:
    scheduled(slack)
    slack.clock.set(NOTICE)
    slack.tick()
    assert click(slack, "UC", sb.POSTPONE).status == 200
    view = slack.last_view()
    assert view is not None and view["callback_id"] == sb.POSTPONE_VIEW
    assert problems(view, "modal") == []

    def chosen(day: str) -> dict:
        return {sb.OPENS_ON_BLOCK: {sb.VALUE: {"type": "datepicker", "selected_date": day}}}

    bad = slack.submit(view, user="UC", values=chosen("2024-04-15"))
    assert bad.json()["response_action"] == "errors"
    assert "2024-04-16" in bad.json()["errors"][sb.OPENS_ON_BLOCK]
    assert round_row(slack).opens_on == OPENS
    ok = slack.submit(view, user="UC", values=chosen("2024-04-23"))
    assert ok.status == 200 and ok.text in ("", "{}")
    row = round_row(slack)
    assert (row.state, row.opens_on) == (RoundState.POSTPONED, date(2024, 4, 23))

    slack.clock.set(OPENING + timedelta(hours=1))
    slack.tick()
    assert cycles(slack) == []  # the old opening day passes quietly
    slack.clock.set(OPENING + timedelta(days=7))
    slack.tick()
    (cycle,) = cycles(slack)
    # 10 working days after 23 April: 24-26, 29, 30 April, 1-3, 6, 7 May.
    assert cycle.deadline == datetime(2024, 5, 7, 23, 59, tzinfo=ZONE)
    with slack.session_factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.postpone"))
        assert event is not None and event.detail["opens_on"] == "2024-04-23"


def test_open_now_opens_once_with_the_announced_deadline(slack: SlackHarness) -> None:
    scheduled(slack)
    slack.clock.set(NOTICE)
    slack.tick()
    assert click(slack, "UC", sb.OPEN_NOW).status == 200
    (cycle,) = cycles(slack)
    assert cycle.deadline == datetime(2024, 4, 30, 23, 59, tzinfo=ZONE)
    assert "is open (cycle" in dumped(slack.ephemerals("UC"))
    assert click(slack, "UC2", sb.OPEN_NOW).status == 200  # the other coordinator, too late
    assert "no longer planned" in dumped(slack.ephemerals("UC2"))
    slack.clock.set(OPENING)
    slack.drain()
    assert len(cycles(slack)) == 1


def test_schedule_modal_from_the_area_settings(slack: SlackHarness) -> None:
    world = seed(slack)
    slack.user("UC", name="Kim Coordinator", locale="da-DK")
    assert slack.command("settings", user="UC").status == 200
    settings = slack.last_view()
    assert settings is not None and settings["callback_id"] == rb.SETTINGS_VIEW
    element = button(settings, sb.EDIT)
    assert element is not None

    def open_schedule() -> dict:
        response = slack.action(
            element["action_id"],
            user="UC",
            value=element["value"],
            view={"id": "VSETTINGS", "type": "modal", "callback_id": rb.SETTINGS_VIEW},
        )
        assert response.status == 200
        view = slack.last_view()
        assert view is not None and view["callback_id"] == sb.SCHEDULE_VIEW
        return view

    view = open_schedule()
    assert problems(view, "modal") == [] and "Faste runder" in dumped(view)

    def values(as_of: str, before: str = "14d", days: str = "10") -> dict:
        return {
            **input_value(sb.AS_OF_BLOCK, as_of),
            **input_value(sb.OPEN_BEFORE_BLOCK, before),
            **input_value(sb.ANSWER_DAYS_BLOCK, days),
        }

    bad = slack.submit(view, user="UC", values=values("03-31,02-30"))
    assert bad.json()["response_action"] == "errors"
    assert "“02-30”" in bad.json()["errors"][sb.AS_OF_BLOCK]
    bad = slack.submit(view, user="UC", values=values("03-31", days="0"))
    assert sb.ANSWER_DAYS_BLOCK in bad.json()["errors"]
    refused = slack.submit(view, user="U1", values=values("03-31"))  # an owner
    assert refused.json()["response_action"] == "errors"
    with slack.session_factory() as session:
        assert session.scalar(select(AreaSchedule)) is None
    ok = slack.submit(view, user="UC", values=values("03-31,09-30"))
    assert ok.status == 200 and ok.text in ("", "{}")
    with slack.session_factory() as session:
        stored = session.scalar(select(AreaSchedule))
        assert stored is not None and stored.area_id == world.area_id
        assert (stored.as_of_dates, stored.open_before_days, stored.answer_days) == (
            "03-31,09-30",
            14,
            10,
        )
        opening = session.scalar(select(Job).where(Job.kind == schedules.OPEN_KIND))
        assert opening is not None and opening.state == JobState.PENDING
    # Opened again, it shows the schedule; a change keeps the title set on the
    # command line (the form has no field for it).
    with slack.session_factory() as session:
        session.execute(update(AreaSchedule).values(title="Halvårsstatus"))
        session.commit()
    view = open_schedule()
    assert "03-31,09-30" in dumped(view) and "Næste runde: åbner" in dumped(view)
    assert slack.submit(view, user="UC", values=values("03-31,09-30", days="12")).status == 200
    with slack.session_factory() as session:
        stored = session.scalar(select(AreaSchedule))
        assert stored is not None and (stored.answer_days, stored.title) == (12, "Halvårsstatus")
    # All fields emptied removes it.
    view = open_schedule()
    cleared = slack.submit(view, user="UC", values=values("", "", ""))
    assert cleared.status == 200
    with slack.session_factory() as session:
        assert session.scalar(select(AreaSchedule)) is None
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule.clear"))
