"""Events API retries (X-Slack-Retry-Num) and duplicate deliveries: one effect each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.testing.harness import SlackHarness


def _count_reactions(slack: SlackHarness, *, fail_first: int = 0) -> list[str]:
    seen: list[str] = []
    failures = {"left": fail_first}

    @slack.app.event("reaction_added")
    def on_reaction(event, ack) -> None:  # type: ignore[no-untyped-def]
        ack()
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("handler broke")
        seen.append(event["reaction"])

    return seen


def test_same_event_three_times_has_one_effect(slack: SlackHarness) -> None:
    seen = _count_reactions(slack)
    event = {"type": "reaction_added", "user": "U1", "reaction": "thumbsup"}
    first = slack.signer.event(event, event_id="Ev1")
    assert slack.send(first).status == 200
    for retry in (1, 2, 3):
        again = slack.signer.event(event, event_id="Ev1", retry_num=retry)
        assert again.headers["X-Slack-Retry-Num"] == str(retry)
        assert slack.send(again).status == 200
    assert seen == ["thumbsup"]


def test_distinct_events_are_each_handled(slack: SlackHarness) -> None:
    seen = _count_reactions(slack)
    for n in range(3):
        slack.event({"type": "reaction_added", "user": "U1", "reaction": f"r{n}"})
    assert seen == ["r0", "r1", "r2"]


def test_concurrent_duplicates_have_one_effect(slack: SlackHarness) -> None:
    seen = _count_reactions(slack)
    requests = [
        slack.signer.event(
            {"type": "reaction_added", "user": "U1", "reaction": "x"},
            event_id="EvSame",
            retry_num=n or None,
        )
        for n in range(6)
    ]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(slack.send, requests))
    assert all(status.status == 200 for status in statuses)
    assert seen == ["x"]


def test_a_failed_delivery_is_processed_when_slack_retries(slack: SlackHarness) -> None:
    seen = _count_reactions(slack, fail_first=1)
    event = {"type": "reaction_added", "user": "U1", "reaction": "tada"}
    first = slack.send(slack.signer.event(event, event_id="EvF"))
    assert first.status == 500  # Slack will retry this delivery
    assert "Traceback" not in first.text
    retry = slack.send(slack.signer.event(event, event_id="EvF", retry_num=1))
    assert retry.status == 200
    assert seen == ["tada"]
    # …and the retry after that is a duplicate again.
    slack.send(slack.signer.event(event, event_id="EvF", retry_num=2))
    assert seen == ["tada"]
