"""The review Block Kit builders as pure functions: limits, escaping, language."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import review as rb
from bot.blocks.check import problems
from bot.blocks.modals import UpdateForm
from bot.blocks.model import Viewer
from bot.review.i18n import gettext_for

EN, DA = gettext_for("en"), gettext_for("da")
VIEWER = Viewer(locale="en", tz=ZoneInfo("Europe/Copenhagen"))


def _summary(n_tracks: int = 2, n_missing: int = 2, n_deleted: int = 1) -> rb.DraftSummary:
    t = rb.TrackCounts("Spor <1> & co", 4, 2, 1, 1, 1)
    return rb.DraftSummary(
        area="Socialområdet",
        cycle_id=7,
        draft_number=3,
        label="DRAFT 3 — 3 of 4 answered",
        preview=True,
        collecting=True,
        tracks=tuple(t for _ in range(n_tracks)),
        total=rb.TrackCounts("", 8, 4, 2, 2, 2),
        missing=tuple(
            rb.MissingLine(f"Tiltag {i} <!channel>", ("U1", "Bo"), (True, False))
            for i in range(n_missing)
        ),
        deleted=tuple(
            rb.DeletedLine(f"T{i}", ((("gammel tekst", True),),)) for i in range(n_deleted)
        ),
        open_requests=1,
    )


@pytest.mark.parametrize("size", [0, 1, 200])
def test_draft_message_fits_slack_limits_and_escapes(size):
    message = rb.draft_message(_summary(n_tracks=size, n_missing=size, n_deleted=size), EN)
    assert problems(message) == []
    text = str(message)
    assert ("<!channel>" not in text and "&lt;!channel&gt;" in text) or size == 0
    assert "Spor &lt;1&gt; &amp; co" in text or size == 0
    actions = message["blocks"][-1]
    assert [e["action_id"].split(":")[0] for e in actions["elements"]] == [
        rb.APPROVE,
        rb.SEND_BACK,
        rb.EDIT,
        rb.REMIND,
    ]
    assert actions["elements"][0]["value"] == "c7:d3"


def test_draft_message_in_danish_lists_missing_and_deleted():
    message = rb.draft_message(_summary(), DA)
    text = str(message)
    assert "Udkast 3 for Socialområdet" in text
    assert "Mangler svar:" in text and "<@U1>, Bo" in text
    assert "Tekst slettet siden seneste rapport" in text and "~gammel tekst~" in text
    assert "Godkend" in text and "Send tilbage …" in text


def test_refs_round_trip_and_reject_garbage():
    for ref in (rb.Ref(1), rb.Ref(2, 3), rb.Ref(4, None, 5), rb.Ref(6, 7, 8)):
        assert rb.decode_ref(ref.encode()) == ref
    for bad in (None, "", "c", "c1:x", "1", "c1:d2:e3:z", "e1"):
        assert rb.decode_ref(bad) is None


def test_modals_fit_and_carry_their_ref():
    choices = [rb.EntryChoice(i, f"Spor {i % 3}", f"Tiltag {i}") for i in range(250)]
    for view in (
        rb.send_back_modal(rb.Ref(1, 2), "Område", choices, EN),
        rb.edit_pick_modal(rb.Ref(1, 2), "Område", choices, EN),
        rb.reopen_modal(rb.Ref(1), "Område", EN),
    ):
        assert problems(view, "modal") == [], view["callback_id"]
        assert view["private_metadata"].startswith("c1")
    form = UpdateForm(9, 1, "Tiltag", "Spor", "Område", "Tekst\n\n- punkt", "in_progress", "x")
    edit = rb.edit_modal(form, rb.Ref(1, 2), EN, EN)
    assert edit["callback_id"] == rb.EDIT_VIEW and edit["private_metadata"] == "c1:d2:e9"
    assert problems(edit, "modal") == []
    assert not [b for b in edit["blocks"] if b["type"] == "actions"]  # no "add a box"
    note = next(b for b in edit["blocks"] if b.get("block_id") == "note")
    assert "initial_value" not in note["element"]
    owner = rb.owner_update_modal(form, rb.Ref(1, None, 9), EN)
    assert owner["callback_id"] == rb.UPDATE_VIEW and owner["private_metadata"] == "c1:e9"


def test_home_section_per_area():
    now = datetime(2024, 3, 4, 8, tzinfo=UTC)
    home = rb.AreaHome(
        area_id=3,
        area="Socialområdet",
        cycle_id=5,
        state="collecting",
        state_label="collecting answers",
        deadline=now + timedelta(days=3, hours=1),
        total=4,
        answered=1,
        owners=(rb.OwnerLine("Anna", "U1", 1, 1), rb.OwnerLine("Bo", None, 0, 2)),
        history=(rb.HistoryLine(2, date(2023, 9, 1), "published", now, True),),
        report_channel="C0123ABCD",
        approvals_required=2,
        default_reminders="3d,1d",
    )
    blocks = rb.home_section([home, rb.AreaHome(area_id=4, area="Tom")], VIEWER, now, EN)
    assert problems({"blocks": blocks}, "home") == []
    text = str(blocks)
    assert "1 of 4 answered (25%)" in text and "3 days left" in text
    assert "<@U1> 1 answered, 1 missing" in text and "Bo 0 answered" in text
    assert "Download 2023-09-01" in text and "<#C0123ABCD>" in text
    assert "No current cycle." in text
    assert rb.home_section([], VIEWER, now, EN) == []
