"""Issue 14.4: names and titles from imports and people never reach Slack as
markup. An area, its track, the initiatives and the people are named with
Slack's control sequences; a whole cycle then runs through the real app —
prompts, a delegation, a thread reply, reminders, an unreachable owner, the
digest, drafts, a send-back and the revision, a coordinator's edit, two
approvals, publishing, thanks, App Home, refusals and `/status` answers — and
every text Slack would read as mrkdwn in the fake Slack's recorded calls (the
top-level ``text``, ``initial_comment`` and every ``mrkdwn`` object) and in the
slash commands' answers is checked: no mention, no link, no bare ``&``.

The one place that escapes a message's text is :func:`bot.blocks.text.slack_text`
(through :func:`bot.blocks.kit.message`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import Area, Cycle, Entry, Initiative, PromptMessage, Role, RoleGrant, Track
from tests.e2e.review_e2e_helpers import (
    dm,
    input_value,
    last_button,
    select_values,
    text_values,
)

HOSTILE = "<!here> & <!channel> <@U123> <https://evil|x>"
AREA = f"Område {HOSTILE}"
TRACK = f"Spor {HOSTILE}"
TITLES = [f"Tiltag A {HOSTILE}", f"Tiltag B {HOSTILE}", f"Tiltag C {HOSTILE}"]
NAMES = {
    "U1": f"Anna {HOSTILE}",
    "U2": f"Bo {HOSTILE}",
    "UC": f"Kim {HOSTILE}",
    "UC2": f"Karen {HOSTILE}",
    "UG": f"Ghost {HOSTILE}",
}
CHANNEL = "CREPORTS01"
# What Slack would act on: a special mention, a user mention or a link that
# came from the hostile names, and an ``&`` that is not one of the three escapes.
RAW = re.compile(r"<!here>|<!channel>|<@U123>|<https://evil|&(?!amp;|lt;|gt;)")


def _mrkdwn_texts(value: Any, key: str = "") -> Iterator[str]:
    """Every string Slack reads as mrkdwn in a call's parameters."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "text", "link"):
            # Shown as typed: Slack parses no mentions or links in plain text, nor
            # in a rich text element's text (mentions there are elements of their own).
            return
        for k, v in value.items():
            if k in ("text", "initial_comment") and isinstance(v, str):
                yield v
            elif k in ("blocks", "view", "attachments") and isinstance(v, str):
                yield from _mrkdwn_texts(json.loads(v), k)
            else:
                yield from _mrkdwn_texts(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn_texts(item, key)


def _unescaped(slack: SlackHarness, extra: list[Any]) -> list[str]:
    found = []
    for call in slack.calls():
        for text in _mrkdwn_texts(call.params):
            if RAW.search(text):
                found.append(f"{call.method}: {text[:300]}")
    for response in extra:
        for text in _mrkdwn_texts(response):
            if RAW.search(text):
                found.append(f"response: {text[:300]}")
    return found


def _answer(response: Any) -> Any:
    """A slash command's answer (JSON, or the text of an empty acknowledgement)."""
    try:
        return response.json()
    except ValueError:
        return {"text": response.text}


def _seed(slack: SlackHarness) -> dict[str, int]:
    people = {}
    for user, name in NAMES.items():
        person = slack.user(user, name=name, email=f"{user.lower()}@example.dk")
        assert person is not None
        people[user] = person.id
    slack.fake.users["UG"].deleted = True  # unreachable: the coordinators are told
    with slack.session_factory() as session:
        area = Area(
            name=AREA,
            key=AREA.casefold(),
            report_channel=CHANNEL,
            approvals_required=2,
            default_reminders="",
        )
        session.add(area)
        session.flush()
        track = Track(area_id=area.id, name=TRACK, key=TRACK.casefold(), position=0)
        session.add(track)
        session.flush()
        for position, (title, owner) in enumerate(zip(TITLES, ("U1", "U1", "UG"), strict=True)):
            session.add(
                Initiative(
                    area_id=area.id,
                    track_id=track.id,
                    title=title,
                    key=title.casefold(),
                    position=position,
                    owner_id=people[owner],
                )
            )
        session.add_all(
            [
                RoleGrant(person_id=people[u], role=Role.COORDINATOR, area_id=area.id)
                for u in ("UC", "UC2")
            ]
        )
        session.commit()
        cycle = open_cycle(
            session,
            area_id=area.id,
            as_of=date(2024, 3, 1),
            deadline=slack.clock.now() + timedelta(days=3),
            remind=[timedelta(days=1)],
            title=None,
            actor=Actor.cli(),
            now=slack.clock.now(),
        )
        session.commit()
        entries = {
            e.initiative.title: e.id
            for e in session.scalars(select(Entry).where(Entry.cycle_id == cycle.id))
        }
        return {"cycle": cycle.id, "area": area.id, **entries}


def _entry_button(slack: SlackHarness, user: str, kind: str, entry_id: int) -> dict[str, Any]:
    wanted = ids.action_id(kind, entry_id)
    for message in reversed(dm(slack, user)):
        for block in message.get("blocks", []):
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                if element.get("action_id") == wanted:
                    return {"ts": message["ts"], "value": element["value"], "action_id": wanted}
    raise AssertionError(f"no {wanted} for {user}")


def _press(slack: SlackHarness, user: str, found: dict[str, Any], as_user: str | None = None):  # type: ignore[no-untyped-def]
    return slack.action(
        found["action_id"],
        user=as_user or user,
        value=found["value"],
        message={"type": "message", "ts": found["ts"], "text": ""},
        channel_id=slack.fake.dm_channel(user),
    )


def test_every_message_kind_escapes_hostile_names(slack: SlackHarness) -> None:
    world = _seed(slack)
    cycle_id = world["cycle"]
    a, b = world[TITLES[0]], world[TITLES[1]]
    responses: list[Any] = []
    slack.drain()  # prompts; the unreachable owner's notice to the coordinators

    # Delegation (the owner's notice, the delegate's prompt).
    _press(slack, "U1", _entry_button(slack, "U1", ids.DELEGATE, b))
    view = slack.last_view()
    assert view is not None and view["callback_id"] == ids.DELEGATE_VIEW
    colleague = {"type": "users_select", "selected_user": "U2"}
    picked = {ids.DELEGATE_BLOCK: {ids.DELEGATE_ACTION: colleague}}
    slack.submit(view, user="U1", values=picked)
    slack.drain()
    # A thread reply to the prompt: "save as the status of …?" (several open items).
    with slack.session_factory() as session:
        prompt_ts = session.scalar(
            select(PromptMessage.ts).where(PromptMessage.channel == slack.fake.dm_channel("U1"))
        )
    slack.message_im(f"Svar {HOSTILE}", user="U1", thread_ts=prompt_ts)
    # A refusal naming the title: Bo presses Anna's Update for the other item.
    _press(slack, "U1", _entry_button(slack, "U1", ids.UPDATE, a), as_user="U2")
    # The update form, the answer, the refreshed prompt.
    _press(slack, "U1", _entry_button(slack, "U1", ids.UPDATE, a))
    update = slack.last_view()
    assert update is not None
    slack.submit(update, user="U1", values=text_values(f"Status {HOSTILE}", "in_progress"))
    slack.drain()
    slack.app_home_opened(user="U1")
    responses.append(_answer(slack.command("my", user="U2")))

    # Reminders, the deadline, the digest, `/status progress`.
    slack.advance(timedelta(days=2, hours=1))
    slack.drain(within=timedelta(days=2))
    responses.append(_answer(slack.command("progress", user="UC")))

    # A draft, a send-back, the owner's revision, the coordinator's edit.
    responses.append(_answer(slack.command("compile", user="UC")))
    slack.drain()
    _msg, value = last_button(slack, "UC", rb.SEND_BACK)
    slack.action(rb.SEND_BACK, user="UC", value=value)
    send_back = slack.last_view()
    assert send_back is not None
    slack.submit(
        send_back,
        user="UC",
        values={
            **select_values(rb.ENTRIES_BLOCK, [str(a)]),
            **input_value(rb.COMMENT_BLOCK, f"Mere {HOSTILE}"),
        },
    )
    _msg, value = last_button(slack, "U1", rb.UPDATE)
    slack.action(rb.UPDATE, user="U1", value=value)
    revision = slack.last_view()
    assert revision is not None
    slack.submit(revision, user="U1", values=text_values(f"Revideret {HOSTILE}", "completed"))
    slack.advance(timedelta(minutes=1))
    slack.command("compile", user="UC")
    slack.drain()
    _msg, value = last_button(slack, "UC", rb.EDIT)
    slack.action(rb.EDIT, user="UC", value=value)
    pick = slack.last_view()
    assert pick is not None
    step = slack.submit(
        pick, user="UC", values=select_values(rb.ENTRIES_BLOCK, [str(a)], multi=False)
    )
    slack.submit(
        step.json()["view"],
        user="UC",
        values=text_values(f"Rettet {HOSTILE}", "completed", note=f"Fordi {HOSTILE}"),
    )

    # Two approvals (waiting, the second coordinator asked, approved), publishing.
    slack.advance(timedelta(minutes=1))
    slack.command("compile", user="UC")
    slack.drain()
    with slack.session_factory() as session:
        draft = session.get(Cycle, cycle_id).draft_number  # type: ignore[union-attr]
    slack.action(rb.APPROVE, user="UC", value=rb.Ref(cycle_id, draft).encode())
    _msg, value = last_button(slack, "UC2", rb.APPROVE)  # the second coordinator is asked
    slack.action(rb.APPROVE, user="UC2", value=value)
    slack.app_home_opened(user="UC")
    responses.append(_answer(slack.command(f"publish {AREA}", user="UC2")))
    slack.advance(timedelta(minutes=1))
    slack.drain()

    # Every kind went out (so the check below saw them all).
    texts = " ".join(
        str(c.params.get("text", ""))
        for c in slack.calls()
        if c.method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
    )
    for expected in (
        "Status report",  # prompt
        "delegated",  # the owner's delegation notice
        "Reminder",
        "Deadline passed",  # digest
        "cannot reach",  # unreachable owner
        "Draft",
        "sent",  # send-back
        "revised",
        "edited",
        "waiting for",
        "second coordinator",
        "approved by",
        "Thank you",
    ):
        assert expected in texts, expected
    uploads = slack.calls("files.completeUploadExternal")
    comments = [c.params.get("initial_comment") for c in uploads]
    assert any(c and "published" in c for c in comments)
    assert [c for c in slack.calls("chat.postEphemeral") if "responsible" in str(c.params)]
    assert slack.calls("views.publish")

    assert _unescaped(slack, responses) == []
    # And the escaped names are there: nothing was dropped instead of escaped.
    assert "&lt;!here&gt; &amp; &lt;!channel&gt;" in texts
    assert any(c and "&lt;!here&gt;" in c for c in comments)
