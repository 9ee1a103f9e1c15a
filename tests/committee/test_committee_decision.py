"""``statusbot committee decision`` / ``committee show``, and the next item quoting it."""

from __future__ import annotations

import json
import zipfile
from datetime import date

from sqlalchemy import select

from bot.committee.decisions import decision_of
from storage.models import AuditEvent, CommitteeDecision
from tests.committee.committee_world import approved_cycle

DECISION = (
    "Udvalget tog status til efterretning. Udvalget ønsker en særskilt status på "
    "Kompetenceudvikling til næste møde."
)


def test_decision_is_recorded_audited_and_shown(cli, approved, session, tmp_path):
    (tmp_path / "d.txt").write_text(DECISION + "\n")
    result = cli(
        "committee", "decision", "--cycle", approved.id, "--meeting", "2026-04-14",
        "--text-file", tmp_path / "d.txt",
        "--absent", "Tina Nicolajsen (FOA)", "--absent", "Pia Christensen (DSR)",
        "--asks-about", "Kompetenceudvikling",
    )  # fmt: skip
    assert "2026-04-14" in result.stdout
    decision = decision_of(session, approved.id)
    assert decision.text == DECISION and decision.meeting_date == date(2026, 4, 14)
    assert decision.absent == ["Tina Nicolajsen (FOA)", "Pia Christensen (DSR)"]
    kompetence = next(
        i for i in approved.area.tracks[1].initiatives if i.title == "Kompetenceudvikling"
    )
    assert decision.asks_about == [kompetence.id]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "committee.decision")
    ).one()
    assert event.cycle_id == approved.id and event.detail["asks_about"] == [kompetence.id]

    shown = cli("committee", "show", "--cycle", approved.id).stdout
    for text in ("2026-04-14", "særskilt status", "Pia Christensen (DSR)", "Kompetenceudvikling"):
        assert text in shown


def test_second_decision_needs_replace_and_keeps_the_first(cli, approved, session, tmp_path):
    (tmp_path / "d.txt").write_text(DECISION)
    (tmp_path / "d2.txt").write_text("Udvalget drøftede status.")
    args = ("committee", "decision", "--cycle", approved.id, "--meeting", "2026-04-14")
    cli(*args, "--text-file", tmp_path / "d.txt")
    refused = cli(*args, "--text-file", tmp_path / "d2.txt", code=1)
    assert "--replace" in refused.stderr
    assert decision_of(session, approved.id).text == DECISION
    cli(*args, "--text-file", tmp_path / "d2.txt", "--replace")
    session.expire_all()
    assert decision_of(session, approved.id).text == "Udvalget drøftede status."
    rows = session.scalars(select(CommitteeDecision).order_by(CommitteeDecision.id)).all()
    assert [r.text for r in rows] == [DECISION, "Udvalget drøftede status."]
    assert rows[0].replaced_at is not None
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.action == "committee.decision.replace"))
        .one()
        .detail["replaced"]
        == rows[0].id
    )


def test_bad_decisions_are_refused_and_nothing_recorded(cli, approved, session, tmp_path):
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "d.txt").write_text(DECISION)
    base = ("committee", "decision", "--cycle", approved.id)
    empty = cli(*base, "--meeting", "2026-04-14", "--text-file", tmp_path / "empty.txt", code=1)
    assert "statusbot: The decision text is empty." in empty.stderr
    early = cli(*base, "--meeting", "2026-02-01", "--text-file", tmp_path / "d.txt", code=1)
    assert "2026-02-01" in early.stderr and "as-of" in early.stderr
    unknown = cli(
        "committee", "decision", "--cycle", 999, "--meeting", "2026-04-14",
        "--text-file", tmp_path / "d.txt", code=1,
    )  # fmt: skip
    assert "999" in unknown.stderr
    stray = cli(
        *base,
        "--meeting",
        "2026-04-14",
        "--text-file",
        tmp_path / "d.txt",
        "--asks-about",
        "Nothing like it",
        code=1,
    )
    assert "Nothing like it" in stray.stderr
    assert session.scalars(select(CommitteeDecision)).all() == []
    assert "No committee decision" in cli("committee", "show", "--cycle", approved.id).stdout


def test_the_next_item_quotes_the_previous_decision(cli, session, world, tmp_path, monkeypatch):
    first = approved_cycle(session, world)
    (tmp_path / "d.txt").write_text(DECISION)
    cli(
        "committee",
        "decision",
        "--cycle",
        first.id,
        "--meeting",
        "2026-04-14",
        "--text-file",
        tmp_path / "d.txt",
    )
    second = approved_cycle(
        session, world, as_of=date(2026, 9, 30), at=first.deadline.replace(month=10)
    )
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    cli("committee", "item", "--cycle", second.id, "--meeting", "2026-11-04", "-o", "item.zip")
    manifest = json.loads(zipfile.ZipFile(tmp_path / "item.zip").read("manifest.json"))
    case = manifest["sections"]["sagsfremstilling"].split("\n\n")
    assert case[-1] == f"På mødet den 14. april 2026 besluttede udvalget: »{DECISION}«"
    # The first cycle's own item has no earlier decision to quote.
    cli("committee", "item", "--cycle", first.id, "--meeting", "2026-04-14", "-o", "first.zip")
    first_case = json.loads(zipfile.ZipFile(tmp_path / "first.zip").read("manifest.json"))
    assert "besluttede udvalget" not in first_case["sections"]["sagsfremstilling"]
