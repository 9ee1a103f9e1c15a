"""Who may press the coordinators' buttons and commands: the area's
coordinators and admins. Owners, delegates, coordinators of another area,
registered strangers and unknown Slack users get an ephemeral refusal and
nothing changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from review_e2e_helpers import (
    AREA,
    answer_all,
    click,
    cycle_of,
    dm,
    dumped,
    entries,
    files_named,
    open_now,
    reply_text,
    seed,
    send_back_form,
    text_values,
)
from sqlalchemy import func, select

from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from storage.models import AuditEvent, Document, Job, Revision

REFUSED = ["U1", "UD", "UO", "US", "UX"]  # owner, delegate, other area, stranger, unknown


def _snapshot(slack: SlackHarness, cycle_id: int) -> tuple[Any, ...]:
    with slack.session_factory() as session:
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (AuditEvent, Job, Document)
        )
    cycle = cycle_of(slack, cycle_id)
    opened = len(slack.calls("views.open"))
    uploads = len(slack.fake.files)
    return counts, cycle.state, cycle.draft_number, cycle.version, opened, uploads


def _buttons(cycle_id: int, area_id: int) -> list[tuple[str, str]]:
    c, d = rb.Ref(cycle_id).encode(), rb.Ref(cycle_id, 1).encode()
    return [
        (rb.COMPILE, c),
        (rb.RESEND, d),
        (rb.APPROVE, d),
        (rb.APPROVE_MISSING, c),
        (rb.SEND_BACK, d),
        (rb.EDIT, d),
        (rb.REMIND, c),
        (rb.PUBLISH, c),
        (rb.REOPEN, c),
        (rb.DOWNLOAD, c),
        (rb.SETTINGS, str(area_id)),
    ]


COMMANDS = ["compile", "approve", "publish", "reopen", "settings"]


@pytest.mark.parametrize("user", REFUSED)
def test_everyone_else_is_refused_and_nothing_changes(slack: SlackHarness, user: str) -> None:
    world = seed(slack)
    slack.user("UX", name="Unknown", in_db=False)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    slack.command("compile", user="UC")
    slack.drain()
    before = _snapshot(slack, cycle_id)

    for action_id, value in _buttons(cycle_id, world.area_id):
        count = len(slack.ephemerals(user))
        response = slack.action(action_id, user=user, value=value)
        assert response.status == 200, action_id
        assert len(slack.ephemerals(user)) == count + 1, action_id
        assert _snapshot(slack, cycle_id) == before, action_id
    for name in COMMANDS:
        response = slack.command(f"{name} {AREA}", user=user)
        assert response.status == 200
        text = reply_text(response)
        assert "coordinator" in text.lower() or "registered" in text, (name, text)
        assert _snapshot(slack, cycle_id) == before, name
    # Nobody else heard about it.
    assert not [m for m in dm(slack, "U2") if "sent" in dumped(m).lower()]


@pytest.mark.parametrize("user", ["UC", "UA"])
def test_coordinator_and_admin_may_do_everything(slack: SlackHarness, user: str) -> None:
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    area = f" {AREA}" if user == "UA" else ""  # an admin names the area

    assert "Compiling" in reply_text(slack.command(f"compile{area}", user=user))
    slack.drain()
    assert len(files_named(slack, "draft-1.docx")) == 1
    d, c = rb.Ref(cycle_id, 1).encode(), rb.Ref(cycle_id).encode()
    for action_id in (rb.SEND_BACK, rb.EDIT):
        opened = len(slack.calls("views.open"))
        slack.action(action_id, user=user, value=d)
        assert len(slack.calls("views.open")) == opened + 1, action_id
    slack.action(rb.REMIND, user=user, value=c)
    assert "Everyone has answered" in dumped(slack.ephemerals(user)[-1])
    slack.action(rb.SETTINGS, user=user, value=str(world.area_id))
    assert slack.last_view()["callback_id"] == rb.SETTINGS_VIEW
    slack.action(rb.APPROVE, user=user, value=d)
    assert cycle_of(slack, cycle_id).state == "approved"
    slack.action(rb.DOWNLOAD, user=user, value=c)
    assert len(files_named(slack, "approved.docx")) == 2  # at approval, and downloaded
    slack.action(rb.REOPEN, user=user, value=c)
    assert slack.last_view()["callback_id"] == rb.REOPEN_VIEW
    slack.action(rb.PUBLISH, user=user, value=c)
    assert cycle_of(slack, cycle_id).state == "published"
    slack.advance(timedelta(minutes=1))
    slack.drain()
    assert any(f.get("channels") == ["CREPORTS01"] for f in slack.fake.files.values())


def _revisions(slack: SlackHarness, entry_id: int) -> int:
    with slack.session_factory() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Revision).where(Revision.entry_id == entry_id)
            )
            or 0
        )


def test_send_back_update_only_for_the_entry_sent_back(slack: SlackHarness) -> None:
    """The Update button of a send-back message (opening and saving its form) is
    refused for an entry with no open send-back, also when the owner rewrites the
    button's value or the form's ``private_metadata`` to another of their entries
    after the deadline; the entry that was sent back can still be revised."""
    world = seed(slack)
    cycle_id = open_now(slack, world)
    answer_all(slack, cycle_id)
    sent, other, strangers = (e.id for e in entries(slack, cycle_id))  # U1, U1, U2
    slack.advance(timedelta(days=5))  # past the deadline
    slack.command("compile", user="UC")
    slack.drain()
    view, values = send_back_form(slack, [sent], "Mere om opstarten, tak.")
    assert slack.submit(view, user="UC", values=values).status == 200

    # Opening: the button's value names another entry of the same owner.
    for entry_id, user in ((other, "U1"), (strangers, "U2"), (other, "UD")):
        opened = len(slack.calls("views.open"))
        click(slack, "U1", rb.UPDATE, as_user=user, value=rb.Ref(cycle_id, None, entry_id).encode())
        assert len(slack.calls("views.open")) == opened, (entry_id, user)
        assert slack.ephemerals(user), (entry_id, user)

    # Saving: the real form, with its private_metadata rewritten.
    click(slack, "U1", rb.UPDATE)
    modal = slack.last_view()
    assert modal is not None and modal["callback_id"] == rb.UPDATE_VIEW
    before = _revisions(slack, other)
    forged = {**modal, "private_metadata": rb.Ref(cycle_id, None, other).encode()}
    response = slack.submit(forged, user="U1", values=text_values("Efter fristen.", "completed"))
    assert response.status == 200 and "errors" in reply_text(response)
    assert "not sent back" in reply_text(response)
    assert _revisions(slack, other) == before

    # The entry that was sent back takes the revision.
    before = _revisions(slack, sent)
    response = slack.submit(modal, user="U1", values=text_values("Opstart 1. april.", "completed"))
    assert response.status == 200 and response.text in ("", "{}")
    assert _revisions(slack, sent) == before + 1
