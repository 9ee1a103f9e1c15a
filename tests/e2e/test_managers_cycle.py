"""A full cycle through POST /slack/events: one manager answers, one carries
forward, one delegates; reminders only to the missing; the digest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.check import problems
from bot.testing.harness import SlackHarness
from storage.models import AuditEvent, Cycle, EntrySource, Initiative, Job, PromptMessage, Revision
from tests.e2e.managers_helpers import (
    click,
    dm_messages,
    dumped,
    entry_of,
    find_button,
    initial_parts,
    reply_text,
    seed,
    text_values,
)


def open_cycle(slack: SlackHarness, remind: str = "3d,1d") -> str:
    # Opened Monday 2024-03-04 09:00 CET; deadline Friday 12:00.
    response = slack.command(f'open "Børn og Unge" 2024-03-01 2024-03-08 12:00 {remind}', user="UC")
    assert response.status == 200
    return reply_text(response)


def test_full_cycle_answer_carry_forward_delegate(slack: SlackHarness) -> None:
    world = seed(slack)
    titles = list(world.initiatives)
    i_struct, i_read, i_health, i_intra = (world.initiatives[t] for t in titles)

    assert "is open for Børn og Unge" in open_cycle(slack)
    slack.drain()

    # One prompt per manager, listing all of their initiatives, nothing for others.
    for user, mine in (("U1", [i_struct, i_intra]), ("U2", [i_read]), ("U3", [i_health])):
        messages = dm_messages(slack, user)
        assert len(messages) == 1, user
        for initiative in mine:
            find_button(slack, user, ids.UPDATE, entry_of(slack.session_factory, initiative).id)
        assert problems(messages[0][1]) == []
    assert dm_messages(slack, "U4") == [] and dm_messages(slack, "UC") == []
    anna_prompt = dumped(dm_messages(slack, "U1")[0][1])
    assert "Spor 1: Læring" in anna_prompt and "Spor 2: Sundhed" in anna_prompt
    assert "Analysen er færdig." in anna_prompt  # previous status, abridged
    assert "March 8, 2024 at 12:00 CET" in anna_prompt  # deadline in Anna's zone and language
    bo_prompt = dumped(dm_messages(slack, "U2")[0][1])
    assert "8. marts 2024 kl. 12.00" in bo_prompt  # Bo's Slack locale is Danish
    carl_prompt = dumped(dm_messages(slack, "U3")[0][1])
    assert "<!channel>" not in carl_prompt and "&lt;!channel&gt; &amp;" in carl_prompt

    # Anna: Update opens the modal prefilled with last time's text.
    struct = entry_of(slack.session_factory, i_struct)
    click(slack, "U1", ids.UPDATE, struct.id)
    view = slack.last_view()
    assert view is not None and problems(view, "modal") == []
    assert initial_parts(view)[0] == "Analysen er færdig.\n\n- Høring i maj\n- Beslutning i juni"
    response = slack.submit(
        view,
        user="U1",
        values=text_values(["Høringen er afsluttet.\n\n- Beslutning i juni"], "in_progress", "ok"),
    )
    assert response.status == 200 and response.text in ("", "{}")
    struct = entry_of(slack.session_factory, i_struct)
    assert struct.source == EntrySource.ANSWER and struct.note == "ok"
    assert struct.status.to_markup() == "Høringen er afsluttet.\n\n- Beslutning i juni"
    # The refresh was queued with the answer, before the acknowledgement; the
    # scheduler runs it after. Then the prompt is updated in place: ✅ and an
    # Edit button for that initiative.
    assert [j.state for j in slack.jobs("refresh_prompts")] == ["pending"]
    slack.drain()
    assert [j.state for j in slack.jobs("refresh_prompts")] == ["done"]
    find_button(slack, "U1", ids.EDIT, struct.id)
    assert len(dm_messages(slack, "U1")) == 1
    assert "✅" in dumped(dm_messages(slack, "U1")[0][1])

    # Anna revises before the deadline: a second revision is stored.
    click(slack, "U1", ids.EDIT, struct.id)
    view = slack.last_view()
    assert initial_parts(view)[0].startswith("Høringen er afsluttet.")
    slack.submit(view, user="U1", values=text_values(["Beslutning truffet."], "completed"))
    with slack.session_factory() as session:
        numbers = session.scalars(select(Revision.number).where(Revision.entry_id == struct.id))
        assert sorted(numbers) == [1, 2]
    # Her second initiative: no change.
    intra = entry_of(slack.session_factory, i_intra)
    click(slack, "U1", ids.CARRY, intra.id)
    intra = entry_of(slack.session_factory, i_intra)
    assert intra.source == EntrySource.CARRY_FORWARD
    assert intra.status.plain == "Udbud er sendt."

    # Bo: no change.
    read = entry_of(slack.session_factory, i_read)
    click(slack, "U2", ids.CARRY, read.id)
    assert entry_of(slack.session_factory, i_read).source == EntrySource.CARRY_FORWARD

    # Carl delegates to Dorte.
    health = entry_of(slack.session_factory, i_health)
    click(slack, "U3", ids.DELEGATE, health.id)
    view = slack.last_view()
    assert view["callback_id"] == ids.DELEGATE_VIEW
    values = {"delegate": {"user": {"type": "users_select", "selected_user": "U4"}}}
    assert slack.submit(view, user="U3", values=values).status == 200
    with slack.session_factory() as session:
        initiative = session.get(Initiative, i_health)
        assert initiative.delegate_id == world.dorte.id
        assert (
            session.scalar(
                select(AuditEvent).where(AuditEvent.action == "initiative.delegate")
            ).detail["delegate"]
            == "U4"
        )
    assert any("U4" in dumped(m) for _ts, m in dm_messages(slack, "U3"))  # the owner is told
    slack.drain()
    dorte = dumped([m for _ts, m in dm_messages(slack, "U4")])
    assert "asked you to give the status" in dorte and "Delegated to you by <@U3>" in dorte
    find_button(slack, "U4", ids.UPDATE, health.id)
    try:
        find_button(slack, "U4", ids.DELEGATE, health.id)
        raise AssertionError("a delegate must not delegate further")
    except AssertionError as exc:
        assert "no entry.delegate" in str(exc)

    # Tuesday 12:00 (deadline − 3d): only Carl and Dorte still miss something.
    before = {u: len(dm_messages(slack, u)) for u in ("U1", "U2", "U3", "U4")}
    slack.drain(within=timedelta(days=1, hours=3))
    after = {u: len(dm_messages(slack, u)) for u in ("U1", "U2", "U3", "U4")}
    assert after["U1"] == before["U1"] and after["U2"] == before["U2"]
    assert after["U3"] == before["U3"] + 1 and after["U4"] == before["U4"] + 1
    reminder = dumped(dm_messages(slack, "U3")[-1][1])
    assert "Reminder" in reminder and "Sundhedsplejens" in reminder
    assert "Analysen" not in reminder and "Læsebånd" not in reminder

    # Dorte answers; both her prompt and Carl's are updated.
    click(slack, "U4", ids.UPDATE, health.id)
    slack.submit(slack.last_view(), user="U4", values=text_values(["Pilot udvidet."]))
    health = entry_of(slack.session_factory, i_health)
    assert health.source == EntrySource.ANSWER and health.answered_by_id == world.dorte.id
    slack.drain()
    find_button(slack, "U3", ids.EDIT, health.id)
    find_button(slack, "U4", ids.EDIT, health.id)

    # Thursday (deadline − 1d): nobody is missing anything, nobody is reminded.
    before = {u: len(dm_messages(slack, u)) for u in ("U1", "U2", "U3", "U4")}
    slack.drain(within=timedelta(days=4))
    assert {u: len(dm_messages(slack, u)) for u in before} == before
    # The deadline passed: one digest to the coordinator, everyone answered.
    digest = dm_messages(slack, "UC")
    assert len(digest) == 1
    text = dumped(digest[0][1])
    assert "4 of 4" in text and ids.REMIND_NOW not in text

    # After the deadline an answer can no longer be revised by its owner.
    slack.advance(timedelta(minutes=1))
    click(slack, "U1", ids.EDIT, struct.id)
    assert "deadline has passed" in slack.ephemerals("U1")[-1]["text"]


def test_restarted_prompt_job_does_not_post_twice(slack: SlackHarness) -> None:
    seed(slack)
    open_cycle(slack)
    slack.drain()
    with slack.session_factory() as session:
        job = session.scalars(select(Job).where(Job.kind == "prompt")).first()
        job.state = "pending"  # as if the lease ran out after Slack accepted
        session.commit()
    posted = len(slack.calls("chat.postMessage"))
    slack.drain()
    assert len(slack.calls("chat.postMessage")) == posted
    with slack.session_factory() as session:
        assert len(session.scalars(select(PromptMessage)).all()) == 3


def test_remind_now_and_digest_with_missing(slack: SlackHarness) -> None:
    world = seed(slack)
    open_cycle(slack, remind="")
    slack.drain()
    slack.drain(within=timedelta(days=5))  # to the deadline: digest
    digest = dm_messages(slack, "UC")
    assert len(digest) == 1
    text = dumped(digest[0][1])
    assert "0 of 4" in text and "<@U1>" in text and ids.REMIND_NOW in text
    with slack.session_factory() as session:
        cycle = session.scalars(select(Cycle).where(Cycle.is_baseline.is_(False))).one()
        assert cycle.digest_sent_at is not None
    value = ids.encode_cycle(cycle.id)

    # A manager cannot press it.
    slack.action(ids.REMIND_NOW, user="U1", value=value)
    assert "coordinators" in slack.ephemerals("U1")[-1]["text"]
    before = {u: len(dm_messages(slack, u)) for u in ("U1", "U2", "U3")}
    slack.drain()
    assert {u: len(dm_messages(slack, u)) for u in before} == before

    # The coordinator can; everyone missing something gets one reminder.
    slack.action(ids.REMIND_NOW, user="UC", value=value)
    assert "3 people" in slack.ephemerals("UC")[-1]["text"]
    slack.drain()
    assert {u: len(dm_messages(slack, u)) for u in before} == {u: n + 1 for u, n in before.items()}
    assert world.kim.slack_user_id == "UC"
