"""The coordinators' flow through POST /slack/events against the fake Slack:
compile, send back, edit, approve, reopen, publish."""

from __future__ import annotations

from datetime import timedelta

from review_e2e_helpers import (
    CHANNEL,
    answer,
    answer_all,
    button,
    click,
    click_home,
    cycle_of,
    dm,
    dumped,
    entries,
    files_named,
    input_value,
    open_now,
    reply_text,
    seed,
    select_values,
    send_back_form,
    text_values,
)
from sqlalchemy import select

from bot.blocks import review as rb
from bot.blocks.check import problems
from bot.testing.harness import SlackHarness
from storage.models import AuditEvent, CycleState, Document, DocumentKind, Revision, RevisionReason


def test_compile_while_collecting_then_after_the_deadline(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    slack.drain()
    answer(slack, cycle_id, 0, "U1", "Enheden er etableret.")

    response = slack.command("compile", user="UC")
    assert response.status == 200
    assert "Compiling a draft of Socialområdet" in reply_text(response)
    slack.drain()
    messages = dm(slack, "UC")
    summary = messages[-1]
    assert problems(summary) == []
    text = dumped(summary)
    assert "DRAFT 1 — 1 of 3 answered" in text
    assert "Fælles faglig metode" in text and "<@U1>" in text  # missing, with its owner
    for action in (rb.APPROVE, rb.SEND_BACK, rb.EDIT, rb.REMIND):
        assert button(summary, action) is not None, action
    docx, html = files_named(slack, "draft-1.docx"), files_named(slack, "draft-1.html")
    assert len(docx) == 1 and len(html) == 1
    assert slack.fake.dm_channel("UC") in docx[0]["channels"]
    assert b"Enheden er etableret." in html[0]["content"]
    with slack.session_factory() as session:
        stored = session.scalars(select(Document).where(Document.draft_number == 1)).all()
        assert {d.content for d in stored} == {docx[0]["content"], html[0]["content"]}

    # After the deadline, from the App Home: no preview label, draft 2.
    slack.advance(timedelta(days=5))
    click_home(slack, "UC", rb.COMPILE, rb.Ref(cycle_id).encode())
    assert "DRAFT 2" in dumped(dm(slack, "UC")[-1])
    assert "answered" not in dm(slack, "UC")[-1]["blocks"][1]["elements"][0]["text"]
    assert len(files_named(slack, "draft-2.docx")) == 1


def test_send_back_owner_revises_recompile_shows_it(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    first = entries(slack, cycle_id)[0]
    view, values = send_back_form(slack, [first.id], "Hvornår starter enheden?")
    assert problems(view, "modal") == []
    response = slack.submit(view, user="UC", values=values)
    assert response.status == 200 and response.text in ("", "{}")
    assert cycle_of(slack, cycle_id).state == CycleState.IN_REVIEW
    # Owner and delegate both get the comment and an Update button.
    for user in ("U1", "UD"):
        message = dm(slack, user)[-1]
        assert "Hvornår starter enheden?" in dumped(message)
        assert button(message, rb.UPDATE) is not None
    assert not any("Hvornår" in dumped(m) for m in dm(slack, "U2"))

    # The delegate revises through the prefilled modal, although the cycle is in review.
    click(slack, "UD", rb.UPDATE)
    modal = slack.last_view()
    assert modal is not None and modal["callback_id"] == rb.UPDATE_VIEW
    assert "Status 1." in dumped(modal)
    response = slack.submit(
        modal, user="UD", values=text_values("Enheden starter 1. april.", "in_progress")
    )
    assert response.status == 200 and response.text in ("", "{}")
    assert "revised" in dumped(dm(slack, "UC")[-1])

    # The old draft's Approve button is now refused as out of date.
    click(slack, "UC", rb.APPROVE, value=rb.Ref(cycle_id, 1).encode())
    assert "Compile a new draft" in dumped(slack.ephemerals("UC")[-1])
    click(slack, "UC", rb.COMPILE)
    slack.drain()
    assert b"Enheden starter 1. april." in files_named(slack, "draft-2.html")[0]["content"]


def test_coordinator_edit_tells_the_owner_and_is_audited(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    click(slack, "UC", rb.EDIT)
    pick = slack.last_view()
    assert pick is not None and pick["callback_id"] == rb.EDIT_PICK_VIEW
    third = entries(slack, cycle_id)[2]
    response = slack.submit(
        pick, user="UC", values=select_values(rb.ENTRIES_BLOCK, [str(third.id)], multi=False)
    )
    body = response.json()
    assert body["response_action"] == "update"
    form = body["view"]
    assert form["callback_id"] == rb.EDIT_VIEW and "Status 3." in dumped(form)
    assert problems(form, "modal") == []
    response = slack.submit(
        form, user="UC", values=text_values("Status 3 rettet.", None, "Stavefejl")
    )
    assert response.status == 200 and response.text in ("", "{}")
    told = dumped(dm(slack, "U2")[-1])
    assert "Kim Coordinator edited your status" in told and "rettet." in told
    with slack.session_factory() as session:
        revision = session.scalars(
            select(Revision).where(Revision.entry_id == third.id).order_by(Revision.number.desc())
        ).first()
        assert revision.reason == RevisionReason.COORDINATOR_EDIT
        assert revision.author_label == "Kim Coordinator"
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.edit"))
        assert event is not None and event.detail["entry_id"] == third.id


def test_two_approvals_then_publish_and_next_cycle_marks_changes(slack: SlackHarness) -> None:
    world = seed(slack, approvals=2)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id, prefix="Gammel tekst")
    slack.command("compile", user="UC")
    slack.drain()
    click(slack, "UC", rb.APPROVE)
    assert "waiting for 1 more" in dumped(slack.ephemerals("UC")[-1])
    click(slack, "UC", rb.APPROVE)  # a double click changes nothing
    assert "already approved" in dumped(slack.ephemerals("UC")[-1])
    assert cycle_of(slack, cycle_id).state == CycleState.COLLECTING
    # The other coordinator was asked and approves from that message.
    click(slack, "UC2", rb.APPROVE)
    assert cycle_of(slack, cycle_id).state == CycleState.APPROVED
    assert "approved by Kim Coordinator, Karen Coordinator" in dumped(dm(slack, "UC2")[-2])
    approved_docx = files_named(slack, "approved.docx")
    assert len(approved_docx) == 1

    click(slack, "UC2", rb.PUBLISH)
    click(slack, "UC2", rb.PUBLISH)
    assert "already published" in dumped(slack.ephemerals("UC2")[-1])
    slack.drain()
    posted = [f for f in slack.fake.files.values() if CHANNEL in f.get("channels", [])]
    assert [f["name"] for f in posted if f["name"].endswith(".docx")] == [approved_docx[0]["name"]]
    assert posted[0]["content"] == approved_docx[0]["content"]  # byte-identical
    assert "published" in (posted[0]["initial_comment"] or "")
    for user in ("U1", "U2"):
        assert "Thank you" in dumped(dm(slack, user)[-1])
    assert cycle_of(slack, cycle_id).state == CycleState.PUBLISHED

    # The next cycle's draft marks changes against the published report.
    slack.advance(timedelta(days=30))
    nxt = open_now(slack, world, as_of="2024-09-01")
    answer(slack, nxt, 0, "U1", "Ny tekst 1.")
    answer(slack, nxt, 1, "U1", "Gammel tekst 2.")
    slack.command("compile", user="UC")
    slack.drain()
    html = files_named(slack, "2024-09-01-draft-1.html")[0]["content"].decode()
    assert '<ins class="chg">Ny</ins>' in html
    assert html.count('class="changed"') == 1
    assert "1 changed" in dumped(dm(slack, "UC")[-1])


def test_approve_with_missing_needs_confirmation_and_reopen(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer(slack, cycle_id, 0, "U1", "Svar.")
    response = slack.command("approve", user="UC")
    text = reply_text(response)
    assert "2 initiatives have no answer yet" in text
    assert "Fælles faglig metode" in text and rb.APPROVE_MISSING in text
    assert cycle_of(slack, cycle_id).state == CycleState.COLLECTING
    slack.action(rb.APPROVE_MISSING, user="UC", value=rb.Ref(cycle_id).encode())
    assert cycle_of(slack, cycle_id).state == CycleState.APPROVED
    with slack.session_factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.approve"))
        assert event.detail["with_missing"] is True
        assert event.detail["missing"] == [
            "Fælles faglig metode",
            "Rekruttering af socialrådgivere",
        ]
        kinds = {
            d.format
            for d in session.scalars(select(Document).where(Document.kind == DocumentKind.APPROVED))
        }
        assert {"docx", "html"} <= kinds

    slack.command("reopen", user="UC")
    view = slack.last_view()
    assert view is not None and view["callback_id"] == rb.REOPEN_VIEW
    empty = slack.submit(view, user="UC", values=input_value(rb.REASON_BLOCK, " "))
    assert empty.json()["response_action"] == "errors"
    slack.submit(view, user="UC", values=input_value(rb.REASON_BLOCK, "Manglende svar"))
    cycle = cycle_of(slack, cycle_id)
    assert cycle.state == CycleState.COLLECTING and cycle.reopen_count == 1
    with slack.session_factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.reopen"))
        assert event.actor_label == "Kim Coordinator" and event.detail["reason"] == "Manglende svar"
    assert "reopened" in dumped(dm(slack, "UC")[-1])


def test_coordinator_app_home_section(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer(slack, cycle_id, 0, "U1", "Svar.")
    slack.app_home_opened(user="UC")
    home = slack.fake.home_views["UC"]
    assert problems(home, "home") == []
    text = dumped(home)
    assert "Coordinator" in text and "1 of 3 answered (33%)" in text and "days left" in text
    for action in (rb.COMPILE, rb.REMIND, rb.APPROVE, rb.SETTINGS):
        assert action in text
    slack.app_home_opened(user="U2")
    assert rb.COMPILE not in dumped(slack.fake.home_views["U2"])


def test_area_settings_modal_and_danish_draft(slack: SlackHarness) -> None:
    world = seed(slack)
    slack.user("UC", name="Kim Coordinator", locale="da-DK")
    cycle_id = open_now(slack, world)
    response = slack.command("settings", user="UC")
    assert response.status == 200
    view = slack.last_view()
    assert view is not None and view["callback_id"] == rb.SETTINGS_VIEW
    assert "Områdets indstillinger" in dumped(view)
    approvals = {
        rb.APPROVALS_BLOCK: {rb.VALUE: {"type": "static_select", "selected_option": {"value": "2"}}}
    }
    channel = {rb.CHANNEL_BLOCK: {rb.VALUE: {"selected_conversation": "CNEWREPORT"}}}
    bad = slack.submit(
        view,
        user="UC",
        values={**approvals, **channel, **input_value(rb.REMIND_BLOCK, "soon")},
    )
    assert bad.json()["response_action"] == "errors"
    assert rb.REMIND_BLOCK in bad.json()["errors"]
    ok = slack.submit(
        view,
        user="UC",
        values={
            **approvals,
            **channel,
            **input_value(rb.REMIND_BLOCK, "2d"),
            **input_value(rb.INTRO_BLOCK, "Halvårlig status."),
        },
    )
    assert ok.status == 200 and ok.text in ("", "{}")
    with slack.session_factory() as session:
        from storage.models import Area

        area = session.get(Area, world.area_id)
        assert (area.report_channel, area.approvals_required) == ("CNEWREPORT", 2)
        assert (area.default_reminders, area.intro) == ("2d", "Halvårlig status.")
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "area.settings"))

    slack.command("compile", user="UC")
    slack.drain()
    text = dumped(dm(slack, "UC")[-1])
    assert "Udkast 1 for Socialområdet" in text and "0 besvaret" in text
    html = files_named(slack, "draft-1.html")[0]["content"].decode()
    assert "Halvårlig status." in html
    assert cycle_of(slack, cycle_id).draft_number == 1
