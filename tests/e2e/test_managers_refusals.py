"""Forged, stale and unauthorized requests are refused with an ephemeral reason
and store nothing; bad modal input comes back as field errors; the free-text
path; App Home; `/status` sub-commands; reminders shifted into working time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.blocks import ids
from bot.testing.harness import SlackHarness
from bot.testing.signer import post
from bot.workflow.actor import Actor
from bot.workflow.cycles import close_cycle
from storage.models import EntrySource, Job, Revision
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


def opened(slack: SlackHarness, remind: str = "3d,1d") -> None:
    response = slack.command(f'open "Børn og Unge" 2024-03-01 2024-03-08T12:00 {remind}', user="UC")
    assert "is open" in reply_text(response)
    slack.drain()


def revisions(slack: SlackHarness) -> int:
    with slack.session_factory() as session:
        return session.scalar(select(func.count(Revision.id))) or 0


def test_forged_and_unauthorized_buttons_are_refused(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    anna_entry = entry_of(slack.session_factory, world.initiatives["Ny dagtilbudsstruktur"])
    bo_entry = entry_of(slack.session_factory, world.initiatives["Læsebånd i 4. klasse"])
    views_before = len(slack.calls("views.open"))

    # Bo forges Anna's entry into his own No change button.
    forged = ids.EntryRef(anna_entry.cycle_id, anna_entry.id).encode()
    assert click(slack, "U2", ids.CARRY, bo_entry.id, value=forged).status == 200
    assert "ikke ansvarlig" in slack.ephemerals("U2")[-1]["text"]  # Bo reads Danish
    # ... and into Update and Delegate.
    click(slack, "U2", ids.UPDATE, bo_entry.id, value=forged)
    click(slack, "U2", ids.DELEGATE, bo_entry.id, value=forged)
    assert "Kun den ansvarlige" in slack.ephemerals("U2")[-1]["text"]
    # A value whose cycle does not match the entry, and garbage.
    click(slack, "U2", ids.CARRY, bo_entry.id, value=f"c999:e{bo_entry.id}")
    assert "hører ikke til" in slack.ephemerals("U2")[-1]["text"]
    click(slack, "U2", ids.CARRY, bo_entry.id, value="<script>")
    assert "hører ikke til" in slack.ephemerals("U2")[-1]["text"]
    # Someone unknown to statusbot.
    slack.user("U9", name="Stranger", in_db=False)
    click(slack, "U1", ids.CARRY, anna_entry.id, as_user="U9")
    assert "not registered" in slack.ephemerals("U9")[-1]["text"]

    assert len(slack.calls("views.open")) == views_before
    assert revisions(slack) == 0
    assert entry_of(slack.session_factory, anna_entry.initiative_id).source == EntrySource.PENDING

    # A forged modal submission naming Anna's entry is refused in the modal.
    click(slack, "U2", ids.UPDATE, bo_entry.id)
    view = dict(slack.last_view() or {})
    view["private_metadata"] = ids.dump_metadata(e=anna_entry.id, c=anna_entry.cycle_id, n=2)
    response = slack.submit(view, user="U2", values=text_values(["Mit svar"]))
    body = response.json()
    assert body["response_action"] == "errors" and "status_0" in body["errors"]
    assert revisions(slack) == 0

    # An unsigned request never reaches a listener.
    request = slack.signer.block_action(ids.action_id(ids.CARRY, bo_entry.id), user_id="U2")
    request.headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert post(slack.events_url, request).status == 401


def test_stale_button_from_a_closed_cycle(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    entry = entry_of(slack.session_factory, world.initiatives["Læsebånd i 4. klasse"])
    with slack.session_factory() as session:
        close_cycle(session, cycle_id=entry.cycle_id, actor=Actor.cli(), now=slack.clock.now())
        session.commit()
    click(slack, "U2", ids.CARRY, entry.id)
    assert "ikke længere tager imod svar" in slack.ephemerals("U2")[-1]["text"]
    click(slack, "U2", ids.UPDATE, entry.id)
    assert "ikke længere tager imod svar" in slack.ephemerals("U2")[-1]["text"]
    assert revisions(slack) == 0


def test_modal_validation_errors_keep_the_modal_open(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    entry = entry_of(slack.session_factory, world.initiatives["Ny dagtilbudsstruktur"])
    click(slack, "U1", ids.UPDATE, entry.id)
    view = slack.last_view()

    empty = slack.submit(view, user="U1", values=text_values(["  ", ""])).json()
    assert empty["response_action"] == "errors" and "No change" in empty["errors"]["status_0"]
    too_long = slack.submit(view, user="U1", values=text_values(["x" * 3001, "ok"])).json()
    assert too_long["errors"] == {"status_0": "At most 3000 characters here."}
    bullets = "\n".join(["- a"] * 600)  # 600 bullet items: more than a status may hold
    huge = slack.submit(view, user="U1", values=text_values([bullets])).json()
    assert "too long for one status" in huge["errors"]["status_0"]
    assert revisions(slack) == 0

    # Long texts are fine when they fit: several boxes become one status (longer
    # than the rich text box holds, so editing it again shows the plain boxes).
    long_parts = [("Afsnit med tekst. " * 160).strip() for _ in range(5)]
    assert slack.submit(view, user="U1", values=text_values(long_parts)).status == 200
    saved = entry_of(slack.session_factory, entry.initiative_id)
    assert len(saved.status.blocks) == 5 and len(saved.status.plain) > 12_000
    slack.drain()  # the prompt refresh (queued with the answer) shows the Edit button

    # "Add another text box" updates the modal, keeping what was typed.
    click(slack, "U1", ids.EDIT, entry.id)
    view = slack.last_view()
    count = sum(1 for b in view["blocks"] if b.get("block_id", "").startswith("status_"))
    state = {"values": text_values(["typed"])}
    slack.action(ids.MODAL_ADD_BOX, user="U1", value=str(entry.id), view={**view, "state": state})
    grown = slack.last_view()
    boxes = [b for b in grown["blocks"] if b.get("block_id", "").startswith("status_")]
    assert len(boxes) == count + 1 and boxes[0]["element"]["initial_value"] == "typed"


def test_free_text_reply_in_the_prompt_thread(slack: SlackHarness) -> None:
    world = seed(slack)
    opened(slack)
    (bo_ts, _prompt) = dm_messages(slack, "U2")[0]
    # Bo has one open initiative: the bot asks to confirm.
    slack.message_im("Vi er &lt;godt&gt; i gang &amp; på sporet.", user="U2", thread_ts=bo_ts)
    question = dm_messages(slack, "U2")[-1][1]
    assert question.get("thread_ts") == bo_ts and "Gem dit svar" in dumped(question)
    entry = entry_of(slack.session_factory, world.initiatives["Læsebånd i 4. klasse"])
    # Anna cannot store Bo's reply.
    _ts, value = find_button(slack, "U2", ids.FREETEXT_STORE, entry.id)
    slack.action(ids.action_id(ids.FREETEXT_STORE, entry.id), user="U1", value=value)
    assert "reply of yours" in slack.ephemerals("U1")[-1]["text"]
    assert revisions(slack) == 0
    click(slack, "U2", ids.FREETEXT_STORE, entry.id)
    saved = entry_of(slack.session_factory, entry.initiative_id)
    assert saved.status.plain == "Vi er <godt> i gang & på sporet."
    assert "Gemt som status" in dumped(dm_messages(slack, "U2")[-1][1])
    slack.drain()  # the queued prompt refresh
    find_button(slack, "U2", ids.EDIT, entry.id)  # the prompt shows it answered
    # Pressing again (or a double click) stores nothing more.
    slack.action(ids.action_id(ids.FREETEXT_STORE, entry.id), user="U2", value=value)
    assert revisions(slack) == 1

    # Anna has two open initiatives: the bot asks which one.
    (anna_ts, _prompt) = dm_messages(slack, "U1")[0]
    slack.message_im("Alt kører efter planen.", user="U1", thread_ts=anna_ts)
    assert "Which initiative" in dumped(dm_messages(slack, "U1")[-1][1])
    intra = entry_of(slack.session_factory, world.initiatives["Digital forældreintra"])
    click(slack, "U1", ids.FREETEXT_STORE, intra.id)
    assert entry_of(slack.session_factory, intra.initiative_id).status.plain == (
        "Alt kører efter planen."
    )


def test_commands_and_app_home(slack: SlackHarness) -> None:
    world = seed(slack)
    help_text = reply_text(slack.command("help", user="U1"))
    assert "/status my" in help_text and "/status open" in help_text
    assert "compile a draft of the report" in help_text
    # Sub-commands from other components are translated from their own catalogs.
    danish_help = reply_text(slack.command("help", user="U2"))
    assert "/status compile" in danish_help
    assert "compile a draft of the report" not in danish_help
    # Managers may not open cycles or see progress.
    refused = reply_text(slack.command('open "Børn og Unge" 2024-03-01 2024-03-08', user="U1"))
    assert "Only coordinators" in refused
    assert "Only coordinators" in reply_text(slack.command("progress", user="U1"))
    assert "Usage" in reply_text(slack.command("open Børn", user="UC"))
    assert "no area called" in reply_text(
        slack.command("open Nope 2024-03-01 2024-03-08", user="UC")
    )
    assert "I don't know" in reply_text(slack.command("frobnicate", user="U1"))
    with slack.session_factory() as session:
        assert session.scalar(select(func.count(Job.id))) == 0

    opened(slack)
    mine = reply_text(slack.command("my", user="U1"))
    assert "2 open" in mine and ids.UPDATE in mine
    progress = reply_text(slack.command("progress", user="UC"))
    assert "0 of 4 answered" in progress and "<@U1>" in progress

    slack.app_home_opened(user="U1")
    home = slack.fake.home_views["U1"]
    assert "Ny dagtilbudsstruktur" in dumped(home) and ids.CARRY in dumped(home)
    # A button in App Home works the same and the Home tab is republished.
    entry = entry_of(slack.session_factory, world.initiatives["Digital forældreintra"])
    value = ids.EntryRef(entry.cycle_id, entry.id).encode()
    slack.action(ids.action_id(ids.CARRY, entry.id), user="U1", value=value, view=home)
    assert entry_of(slack.session_factory, entry.initiative_id).source == "carry_forward"
    assert [j.state for j in slack.jobs("publish_home")] == ["pending"]  # queued before the ack
    slack.drain()
    assert ids.action_id(ids.EDIT, entry.id) in dumped(slack.fake.home_views["U1"])
    slack.app_home_opened(user="U4")  # no initiatives
    assert "Nothing to answer" in dumped(slack.fake.home_views["U4"])


def test_reminders_shifted_out_of_weekend_and_easter(slack: SlackHarness) -> None:
    seed(slack)
    # Wednesday 27 March 2024, 09:00 CET; deadline Wednesday 3 April 12:00 CEST.
    slack.clock.set(datetime(2024, 3, 27, 8, 0, tzinfo=UTC))
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-04-03T12:00 4d,1d', user="UC")
    assert "is open" in reply_text(response)
    slack.drain()
    # The 4d round is due Saturday 30 March 12:00: Easter weekend and Easter
    # Monday are skipped, the reminders go Tuesday 2 April 08:00.
    slack.drain(within=timedelta(days=3, hours=4))
    due = {job.payload["offset_seconds"]: job.due_at for job in slack.jobs("reminder")}
    assert due[4 * 86400] == datetime(2024, 4, 2, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert all(job.state == "pending" for job in slack.jobs("reminder"))
    slack.drain(within=timedelta(days=4))
    reminded = [job for job in slack.jobs("reminder") if job.payload["offset_seconds"] == 345600]
    assert {job.state for job in reminded} == {"done"} and len(reminded) == 3
    assert all(job.done_at == datetime(2024, 4, 2, 6, 0, tzinfo=UTC) for job in reminded)


def test_reminder_that_cannot_be_shifted_before_the_deadline_goes_as_planned(
    slack: SlackHarness,
) -> None:
    seed(slack)
    slack.clock.set(datetime(2024, 3, 25, 8, 0, tzinfo=UTC))  # Monday before Easter
    # Deadline Saturday 30 March 12:00; 1d before is Good Friday 12:00 — a holiday,
    # and the next working morning (Tuesday) is after the deadline.
    slack.command('open "Børn og Unge" 2024-03-01 2024-03-30T12:00 1d', user="UC")
    slack.drain(within=timedelta(days=4, hours=4))
    jobs = list(slack.jobs("reminder"))
    assert jobs and all(job.due_at == datetime(2024, 3, 29, 11, 0, tzinfo=UTC) for job in jobs)
    assert all(job.state == "done" for job in jobs)


def test_a_status_longer_than_the_form_can_show_is_refused_in_the_form(
    slack: SlackHarness,
) -> None:
    """Issue 14.7: 100 full boxes were accepted, and the edit form then showed 90
    of them (saving dropped the rest). Such a text is refused, nothing stored;
    what is accepted is shown in full when edited."""
    world = seed(slack)
    opened(slack)
    entry = entry_of(slack.session_factory, world.initiatives["Ny dagtilbudsstruktur"])
    click(slack, "U1", ids.UPDATE, entry.id)
    view = slack.last_view()
    assert view is not None
    before = revisions(slack)
    hundred = [f"Afsnit {n}. " + "x" * 2980 for n in range(100)]
    response = slack.submit(view, user="U1", values=text_values(hundred, "in_progress"))
    assert "errors" in reply_text(response) and "120" in reply_text(response)
    assert revisions(slack) == before
    assert not entry_of(slack.session_factory, world.initiatives["Ny dagtilbudsstruktur"]).answered

    # Forty full boxes are fine, and the edit form shows all forty again.
    forty = hundred[:40]
    response = slack.submit(view, user="U1", values=text_values(forty, "in_progress"))
    assert response.status == 200 and "errors" not in reply_text(response)
    assert revisions(slack) == before + 1
    slack.drain()  # the prompt shows the answer, with Edit
    click(slack, "U1", ids.EDIT, entry.id)
    shown = initial_parts(slack.last_view() or {})
    assert [p for p in shown if p] == forty
