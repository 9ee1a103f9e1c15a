"""Which Slack statuses read like a leave (only ever a suggestion)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delivery.absence import leave_status

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
LATER = int(datetime(2027, 3, 12, 17, tzinfo=UTC).timestamp())


def test_leave_like_statuses() -> None:
    assert leave_status({"status_text": "Ferie", "status_expiration": LATER}, NOW) == (
        "Ferie",
        datetime.fromtimestamp(LATER, UTC),
    )
    assert leave_status({"status_text": "On vacation"}, NOW) == ("On vacation", None)
    assert leave_status({"status_emoji": ":palm_tree:"}, NOW) == (":palm_tree:", None)
    assert leave_status({"status_text": "🌴 væk"}, NOW) is not None


def test_other_and_expired_statuses_are_not_a_leave() -> None:
    assert leave_status({"status_text": "In a meeting", "status_emoji": ":calendar:"}, NOW) is None
    assert leave_status({"status_text": "Ferieplanlægning med teamet"}, NOW) is None
    assert leave_status({}, NOW) is None
    expired = int(datetime(2027, 2, 1, tzinfo=UTC).timestamp())
    assert leave_status({"status_text": "Ferie", "status_expiration": expired}, NOW) is None
