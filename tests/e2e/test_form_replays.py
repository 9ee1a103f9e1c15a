"""Every form that changes something is stored once per submission: the same
``view_submission`` (same view id and hash) delivered again — one after the
other, or two copies at the same moment — changes nothing more and sends no
second message (:mod:`handlers.submissions`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from review_e2e_helpers import (
    answer_all,
    click,
    cycle_of,
    entries,
    input_value,
    open_now,
    reply_text,
    seed,
    select_values,
    send_back_form,
    text_values,
)
from sqlalchemy import func, select

from bot.blocks import ids
from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from bot.testing.signer import SignedRequest
from storage.models import AuditEvent, Job, ReviewRequest, Revision


def _count(slack: SlackHarness, model: Any, *where: Any) -> int:
    with slack.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _audits(slack: SlackHarness, action: str) -> int:
    return _count(slack, AuditEvent, AuditEvent.action == action)


def _messages(slack: SlackHarness) -> int:
    return len(slack.calls("chat.postMessage")) + len(slack.calls("chat.postEphemeral"))


def _twice(slack: SlackHarness, request: SignedRequest, *, at_once: bool) -> None:
    if at_once:
        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(lambda _: slack.send(request, wait=False), range(2)))
        slack.executor.wait_idle()
        slack.apply_answers()
    else:
        responses = [slack.send(request), slack.send(request)]
    for response in responses:
        assert response.status == 200
        assert "errors" not in reply_text(response), reply_text(response)


# One send-back stored, audited once; the owner and the delegate told once,
# the coordinator once: (requests, audit events, messages sent).
SENT_BACK_ONCE = (1, 1, 3)


def _send_back_twice(slack: SlackHarness, *, at_once: bool) -> tuple[int, int, tuple[int, ...]]:
    """Deliver one send-back form twice: the cycle, the entry sent back, and
    what it did (as :data:`SENT_BACK_ONCE`)."""
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    first = entries(slack, cycle_id)[0]
    view, values = send_back_form(slack, [first.id], "Hvornår starter enheden?")
    before = _messages(slack)
    _twice(slack, slack.signer.view_submission(view, user_id="UC", values=values), at_once=at_once)
    effects = (
        _count(slack, ReviewRequest),
        _audits(slack, "review.send_back"),
        _messages(slack) - before,
    )
    return cycle_id, first.id, effects


def test_send_back_form_delivered_twice_sends_back_once(slack: SlackHarness) -> None:
    *_, effects = _send_back_twice(slack, at_once=False)
    assert effects == SENT_BACK_ONCE


def test_send_back_form_delivered_twice_at_once_sends_back_once(slack: SlackHarness) -> None:
    *_, effects = _send_back_twice(slack, at_once=True)
    assert effects == SENT_BACK_ONCE


def test_owner_revision_edit_and_reopen_forms_delivered_twice_act_once(
    slack: SlackHarness,
) -> None:
    cycle_id, entry_id, effects = _send_back_twice(slack, at_once=False)
    assert effects == SENT_BACK_ONCE

    # The owner's revision after the send-back.
    click(slack, "U1", rb.UPDATE)
    modal = slack.last_view()
    assert modal is not None
    before = _count(slack, Revision, Revision.entry_id == entry_id)
    request = slack.signer.view_submission(
        modal, user_id="U1", values=text_values("Enheden starter 1. april.", "in_progress")
    )
    _twice(slack, request, at_once=True)
    assert _count(slack, Revision, Revision.entry_id == entry_id) == before + 1

    # The coordinator's edit (picked in the first step, then the text form).
    slack.advance(timedelta(minutes=1))  # a compile job per coordinator and minute
    slack.command("compile", user="UC")
    slack.drain()
    click(slack, "UC", rb.EDIT)
    pick = slack.last_view()
    assert pick is not None
    step = slack.submit(
        pick, user="UC", values=select_values(rb.ENTRIES_BLOCK, [str(entry_id)], multi=False)
    )
    edit = {**step.json()["view"], "id": "VEDIT0001", "hash": "1.edit"}
    before = _count(slack, Revision, Revision.entry_id == entry_id)
    request = slack.signer.view_submission(
        edit, user_id="UC", values=text_values("Enheden starter 2. april.", "in_progress")
    )
    _twice(slack, request, at_once=False)
    assert _count(slack, Revision, Revision.entry_id == entry_id) == before + 1
    assert _audits(slack, "review.edit") == 1

    # Approve, then reopen with a reason.
    slack.advance(timedelta(minutes=1))
    slack.command("compile", user="UC")
    slack.drain()
    draft = cycle_of(slack, cycle_id).draft_number
    slack.action(rb.APPROVE, user="UC", value=rb.Ref(cycle_id, draft).encode())
    assert cycle_of(slack, cycle_id).state == "approved"
    slack.action(rb.REOPEN, user="UC", value=rb.Ref(cycle_id).encode())
    reopen = slack.last_view()
    assert reopen is not None and reopen["callback_id"] == rb.REOPEN_VIEW
    request = slack.signer.view_submission(
        reopen, user_id="UC", values=input_value(rb.REASON_BLOCK, "En rettelse.")
    )
    _twice(slack, request, at_once=False)
    assert cycle_of(slack, cycle_id).state == "collecting"
    assert _audits(slack, "cycle.reopen") + _audits(slack, "review.reopen") == 1


def test_delegate_form_delivered_twice_delegates_once(slack: SlackHarness) -> None:
    world = seed(slack)
    open_now(slack, world)
    slack.drain()
    click(slack, "U1", ids.DELEGATE)
    view = slack.last_view()
    assert view is not None and view["callback_id"] == ids.DELEGATE_VIEW
    picked = {"type": "users_select", "selected_user": "U2"}
    values = {ids.DELEGATE_BLOCK: {ids.DELEGATE_ACTION: picked}}
    prompts = _count(slack, Job, Job.kind == "prompt")
    _twice(slack, slack.signer.view_submission(view, user_id="U1", values=values), at_once=False)
    assert _audits(slack, "initiative.delegate") == 1
    slack.advance(timedelta(seconds=1))
    slack.drain()
    assert _count(slack, Job, Job.kind == "prompt") == prompts + 1  # U2's, once
    told = [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == "U1"]
    assert len([c for c in told if "U2" in str(c.params)]) == 1  # the owner is told once
