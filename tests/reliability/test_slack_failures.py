"""Slack failing under the real handlers: 429 storms with Retry-After, 5xx,
timeouts and connection resets on chat.postMessage, views.open and the file
upload — work is delayed, never lost, never doubled; a recipient that can never
be reached is reported to the coordinator once and blocks nobody. And Slack's
duplicate deliveries (event retries, the same submission twice, double clicks)
have one effect each.

(tests/runtime/test_scheduler.py covers the scheduler with a throw-away job
kind; these use the real prompt, compile and modal paths.)
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from bot.blocks import ids
from bot.testing.harness import SlackHarness
from storage.models import AuditEvent, Job, JobState, Revision
from tests.e2e.review_e2e_helpers import files_named
from tests.e2e.review_e2e_helpers import open_now as open_review_cycle
from tests.e2e.review_e2e_helpers import seed as seed_review
from tests.reliability.rel_world import (
    answer_text,
    assert_answers_exactly_once,
    assert_prompts_exactly_once,
    open_now,
    seed,
    status_values,
    update_view,
)


def test_prompts_through_429_storms_5xx_timeouts_and_resets(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=30)
    open_now(slack.session_factory, world, now=slack.clock.now())
    fake = slack.fake
    fake.fail("chat.postMessage", status=429, retry_after=20, times=25)  # a storm
    fake.fail("chat.postMessage", status=500, times=9)
    fake.fail("chat.postMessage", status=503, times=3, channel=world.managers[3])
    fake.fail("chat.postMessage", reset=True, times=4)
    fake.fail("chat.postMessage", delay=6.0, times=1, channel=world.managers[7])  # client times out
    start = slack.clock.now()
    slack.drain(within=timedelta(hours=3))
    assert_prompts_exactly_once(slack.session_factory, fake, world)
    failed = Counter(c.status for c in fake.calls_to("chat.postMessage") if not c.ok)
    assert failed[429] == 25 and failed[500] + failed[503] == 12
    assert slack.clock.now() - start >= timedelta(seconds=20)  # the Retry-After was honoured


def test_unreachable_recipient_reported_once_and_blocks_nobody(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=6)
    ghost = world.managers[2]
    slack.fake.users[ghost].deleted = True  # Slack: user_disabled / channel_not_found
    slack.fake.fail(
        "chat.postMessage", error="cannot_dm_bot", times=None, channel=world.managers[4]
    )
    open_now(slack.session_factory, world, now=slack.clock.now(), remind=[timedelta(days=3)])
    slack.drain(within=timedelta(days=12))  # prompts, then the reminder round
    reached = [u for u in world.managers if u not in (ghost, world.managers[4])]
    counts = Counter(str(c.response["channel"]) for c in slack.fake.posted())
    for user in reached:
        assert counts[slack.fake.dm_channel(user)] == 2, user  # prompt + reminder, once each
    notices = slack.fake.posted("UCOORD")
    text = " ".join(str(c.params.get("text")) for c in notices)
    # One notice per unreachable person for the prompt; the reminder round does not repeat it.
    assert text.count(f"Person {ghost}") == 1 and text.count(f"Person {world.managers[4]}") == 1
    with slack.session_factory() as session:
        failed = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.FAILED))
        stuck = session.scalar(
            select(func.count(Job.id)).where(
                Job.state.in_([JobState.PENDING, JobState.CLAIMED]), Job.kind != "digest"
            )
        )
    assert failed >= 2
    assert stuck == 0


def test_views_open_failures_do_not_store_or_double(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()
    manager = world.managers[0]
    value = ids.EntryRef(cycle_id, world.entry_of[manager]).encode()
    slack.fake.fail("views.open", status=429, retry_after=1, times=1)
    slack.fake.fail("views.open", reset=True, times=1)
    slack.fake.fail("views.open", status=500, times=1)
    response = slack.action(
        ids.action_id(ids.UPDATE, world.entry_of[manager]), user=manager, value=value
    )
    assert response.status == 200
    opened = slack.fake.calls_to("views.open", ok=True)
    # The client retries inside the trigger's three seconds, or gives up; never two modals.
    assert len(opened) <= 1
    with slack.session_factory() as session:
        assert session.scalar(select(func.count(Revision.id))) == 0


def test_compile_upload_survives_upload_failures(slack: SlackHarness) -> None:
    world = seed_review(slack)
    open_review_cycle(slack, world)
    slack.drain()
    slack.fake.fail("files.getUploadURLExternal", status=500, times=3)
    slack.fake.fail("files.completeUploadExternal", status=429, retry_after=5, times=2)
    response = slack.command("compile", user="UC")
    assert response.status == 200
    slack.drain(within=timedelta(hours=2))
    assert len(files_named(slack, "draft-1.docx")) == 1
    assert len(files_named(slack, "draft-1.html")) == 1


# ------------------------------------------------------------- duplicates


def test_same_submission_twice_and_concurrently_is_stored_once(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    manager = world.managers[0]
    text = answer_text(manager)
    request = slack.signer.view_submission(
        update_view(cycle_id, world.entry_of[manager]), user_id=manager, values=status_values(text)
    )
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(slack.send, [request] * 4))
    assert [r.status for r in responses] == [200] * 4
    assert all(r.text in ("", "{}") for r in responses), [r.text for r in responses]
    assert slack.send(request).text in ("", "{}")
    assert_answers_exactly_once(slack.session_factory, world, {manager: text})
    with slack.session_factory() as session:
        assert session.scalar(select(func.count(Revision.id))) == 1


def test_double_click_on_no_change_has_one_effect(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=2)
    cycle_id = open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()
    manager = world.managers[1]
    entry_id = world.entry_of[manager]
    value = ids.EntryRef(cycle_id, entry_id).encode()
    clicks = [
        slack.signer.block_action(ids.action_id(ids.CARRY, entry_id), user_id=manager, value=value)
        for _ in range(3)
    ]
    with ThreadPoolExecutor(3) as pool:
        assert {r.status for r in pool.map(slack.send, clicks)} == {200}
    with slack.session_factory() as session:
        revisions = session.scalar(
            select(func.count(Revision.id)).where(Revision.entry_id == entry_id)
        )
        audits = session.scalar(select(func.count(AuditEvent.id)))
    assert revisions == 1, f"{revisions} revisions for one answer"
    assert audits is not None


def test_event_delivered_three_times_is_handled_once(slack: SlackHarness) -> None:
    world = seed(slack.session_factory, slack.fake, managers=1)
    open_now(slack.session_factory, world, now=slack.clock.now())
    slack.drain()
    manager = world.managers[0]
    prompt_ts = str(slack.fake.posted(manager)[0].response["ts"])
    effects = []
    for retry in (None, 1, 2):
        before = len(list(slack.fake.iter_calls()))
        request = slack.signer.message_im(
            "Alt kører efter planen.",
            user_id=manager,
            thread_ts=prompt_ts,
            event_id="EvSAME000001",
            retry_num=retry,
        )
        assert slack.send(request).status == 200
        effects.append([c.method for c in list(slack.fake.iter_calls())[before:]])
    assert effects[0], "the first delivery was not handled"
    assert effects[1:] == [[], []], effects
    with slack.session_factory() as session:
        stored = session.scalar(select(func.count(AuditEvent.id)))
    request = slack.signer.message_im(
        "Alt kører efter planen.",
        user_id=manager,
        thread_ts=prompt_ts,
        event_id="EvSAME000001",
        retry_num=3,
    )
    slack.send(request)
    with slack.session_factory() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == stored
