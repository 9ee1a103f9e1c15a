"""One initiative's history in Slack: `/status history`, the App Home picker
and the update form's two earlier statuses, through the real app."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.history import HISTORY_PICK, HISTORY_VIEW
from bot.testing.harness import SlackHarness
from storage.models import Area, Role, RoleGrant
from tests.e2e.managers_helpers import dumped, entry_of, find_button, reply_text
from tests.registry.history_world import build


def world(slack: SlackHarness):  # type: ignore[no-untyped-def]
    with slack.session_factory() as session:
        made = build(session)
    slack.user("UOWNER01", name="Anna Andersen")
    kim = slack.user("UC", name="Kim Koordinator")
    slack.user("U9", name="Nosy Neighbour")
    with slack.session_factory() as session:
        area = session.query(Area).filter_by(name="Dagtilbud").one()
        session.add(RoleGrant(person_id=kim.id, role=Role.COORDINATOR, area_id=area.id))
        session.commit()
    return made


def test_status_history_for_owner_and_coordinator_only(slack: SlackHarness) -> None:
    world(slack)
    for user in ("UOWNER01", "UC"):
        text = reply_text(slack.command("history BU-01", user=user))
        assert "History of" in text or "Every approved status" in text, text
        body = slack.command("history ny struktur for dagtilbud", user=user).json()
        shown = dumped(body["blocks"])
        assert shown.index("September 30, 2025") < shown.index("March 31, 2024")  # newest first
        assert "*Beslutning i juni*" in shown  # new since the report before
        assert "~" in shown  # something removed on the way
        assert "No answer in this round" in shown
        assert "Renamed" in shown and "Moved" in shown
    refused = reply_text(slack.command("history BU-01", user="U9"))
    assert "Sorry" in refused and "Beslutning" not in refused
    assert "I know no initiative" in reply_text(slack.command("history XYZ-9", user="UC"))


def test_app_home_picker_opens_the_history(slack: SlackHarness) -> None:
    made = world(slack)
    slack.app_home_opened(user="UOWNER01")
    slack.drain()
    home = slack.calls("views.publish")[-1].params
    assert HISTORY_PICK in dumped(home)
    slack.action(
        HISTORY_PICK,
        user="UOWNER01",
        action_type="static_select",
        selected={"selected_option": {"value": str(made.initiative_id)}},
    )
    view = slack.last_view()
    assert view is not None and view["callback_id"] == HISTORY_VIEW
    assert "*Beslutning i juni*" in dumped(view)


def test_update_form_shows_the_two_latest_approved_statuses(slack: SlackHarness) -> None:
    made = world(slack)
    response = slack.command("open Dagtilbud 2026-03-31 2026-04-10 12:00", user="UC")
    assert "is open" in reply_text(response)
    slack.drain()
    entry = entry_of(slack.session_factory, made.initiative_id)
    _ts, value = find_button(slack, "UOWNER01", ids.UPDATE, entry.id)
    slack.action(ids.action_id(ids.UPDATE, entry.id), user="UOWNER01", value=value,
                 channel_id=slack.fake.dm_channel("UOWNER01"))  # fmt: skip
    form = dumped(slack.last_view())
    assert "Last approved status (as of 2025-09-30)" in form
    assert "The one before (as of 2024-09-30)" in form
