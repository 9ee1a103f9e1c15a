"""A rewritten plan (Iværksættelse) is marked word by word like a status, and
an initiative's description is printed under its title (issue 11)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from docx import Document
from sqlalchemy.orm import Session

from bot.registry.rounds import reach_rounds, snapshot
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from reports import build_document, render
from storage.models import Area, CycleState, Initiative, Track

NOW = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def _cycle(session: Session, area: Area, as_of: date, now: datetime):  # type: ignore[no-untyped-def]
    return open_cycle(
        session, area_id=area.id, as_of=as_of, deadline=now + timedelta(days=10), remind=[],
        title=None, actor=Actor.cli(), now=now,
    )  # fmt: skip


def test_plan_changes_are_marked_and_the_description_printed(session: Session) -> None:
    area = Area(name="Socialområdet", key="socialområdet")
    session.add(area)
    session.flush()
    track = Track(area_id=area.id, name="Økonomi og styring", key="økonomi og styring")
    session.add(track)
    session.flush()
    initiative = Initiative(
        area_id=area.id, track_id=track.id, title="Ny budgetmodel", key="ny budgetmodel",
        plan="Analysen gennemføres i 1. halvår 2025\nBeslutning i udvalget",
        description="Modellen skal afspejle aktiviteten.",
    )  # fmt: skip
    session.add(initiative)
    session.flush()
    first = _cycle(session, area, date(2025, 1, 31), NOW)
    first.state = CycleState.APPROVED
    session.flush()

    old = snapshot(initiative)
    initiative.plan = "Analysen gennemføres i 2. halvår 2025\nBeslutning i udvalget"
    reach_rounds(session, {initiative.id: old}, actor=Actor.cli(), now=NOW)
    later = NOW + timedelta(days=180)
    second = _cycle(session, area, date(2025, 7, 31), later)
    session.commit()

    (row,) = build_document(session, second.id).rows
    assert [s.text for b in row.plan_blocks for s in b.segments if s.changed] == ["2."]
    assert [b.text for b in row.plan_blocks] == [
        "Analysen gennemføres i 2. halvår 2025",
        "Beslutning i udvalget",
    ]
    assert row.flags.changed and not row.flags.new
    assert row.description == ("Modellen skal afspejle aktiviteten.",)
    # The first cycle still reports the plan it had.
    (old_row,) = build_document(session, first.id).rows
    assert old_row.plan.startswith("Analysen gennemføres i 1. halvår")

    document = build_document(session, second.id)
    html = render(document, "html").decode()
    assert '<ins class="chg">2.</ins> halvår 2025' in html
    assert '<p class="description">Modellen skal afspejle aktiviteten.</p>' in html
    markdown = render(document, "md").decode()
    assert "<ins>2.</ins> halvår 2025" in markdown
    assert "Modellen skal afspejle aktiviteten." in markdown
    word = Document(io.BytesIO(render(document, "docx")))
    cells = word.tables[0].rows[1].cells
    assert [p.text for p in cells[1].paragraphs] == [
        "Ny budgetmodel",
        "Modellen skal afspejle aktiviteten.",
    ]
    red = [r.text for p in cells[2].paragraphs for r in p.runs if r.font.color.rgb is not None]
    assert red == ["2."]
