"""Buttons from an older draft, and double clicks that must act once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from review_e2e_helpers import answer_all, button, click, cycle_of, dumped, open_now, seed
from sqlalchemy import func, select

from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from storage.models import Approval, AuditEvent, CycleState, Job


def test_old_draft_button_offers_the_new_draft(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    slack.advance(timedelta(minutes=2))  # the same minute's compile is de-duplicated
    slack.command("compile", user="UC")
    slack.drain()
    assert cycle_of(slack, cycle_id).draft_number == 2

    for action_id in (rb.SEND_BACK, rb.EDIT, rb.APPROVE):
        opened = len(slack.calls("views.open"))
        slack.action(action_id, user="UC", value=rb.Ref(cycle_id, 1).encode())
        notice = slack.ephemerals("UC")[-1]
        assert "Draft 1 is out of date: draft 2 is the latest" in dumped(notice), action_id
        offer = button(notice, rb.RESEND)
        assert offer is not None and offer["value"] == rb.Ref(cycle_id, 2).encode()
        assert len(slack.calls("views.open")) == opened
    assert cycle_of(slack, cycle_id).state == CycleState.COLLECTING

    uploads = len(slack.fake.files)
    slack.action(rb.RESEND, user="UC", value=offer["value"])
    names = sorted(f["name"] for f in list(slack.fake.files.values())[uploads:])
    assert names == [
        "status-socialomraadet-2024-03-01-draft-2.docx",
        "status-socialomraadet-2024-03-01-draft-2.html",
    ]


def _click(slack: SlackHarness, action_id: str, value: str):  # type: ignore[no-untyped-def]
    return slack.send(slack.signer.block_action(action_id, user_id="UC", value=value), wait=False)


def _concurrently(slack: SlackHarness, send, times: int = 2) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(times) as pool:
        for response in pool.map(lambda _: send(), range(times)):
            assert response.status == 200
    slack.executor.wait_idle()


def test_double_clicks_on_approve_and_publish_act_once(slack: SlackHarness) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    value = rb.Ref(cycle_id, 1).encode()
    _concurrently(slack, lambda: _click(slack, rb.APPROVE, value))
    assert cycle_of(slack, cycle_id).state == CycleState.APPROVED
    with slack.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Approval)) == 1
        approvals = session.scalar(
            select(func.count()).where(AuditEvent.action == "review.approve")
        )
        assert approvals == 1

    publish = rb.Ref(cycle_id).encode()
    _concurrently(slack, lambda: _click(slack, rb.PUBLISH, publish))
    with slack.session_factory() as session:
        jobs = session.scalar(select(func.count()).select_from(Job).where(Job.kind == "publish"))
        events = session.scalar(select(func.count()).where(AuditEvent.action == "review.publish"))
    assert (jobs, events) == (1, 1)
    slack.drain()
    posts = [f for f in slack.fake.files.values() if f.get("channels") == ["CREPORTS01"]]
    assert sorted(f["name"].rsplit(".", 1)[1] for f in posts) == ["docx", "pdf"]  # one post
    click(slack, "UC", rb.PUBLISH)
    assert "already published" in dumped(slack.ephemerals("UC")[-1])
