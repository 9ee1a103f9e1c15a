import hashlib
from datetime import timedelta

import pytest
from docx import Document as DocxDocument
from review_world import DEADLINE, NOW, answer, entries_of
from sqlalchemy import select

from bot.errors import InvalidState
from bot.review import compile_draft, is_draft_stale
from bot.workflow.actor import Actor
from bot.workflow.cycles import close_cycle
from bot.workflow.entries import carry_forward
from storage.models import AuditEvent, Document, DocumentKind


def _docx_text(content: bytes) -> str:
    import io

    doc = DocxDocument(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_compile_while_collecting_is_a_labelled_preview(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[0], world.owner_a, "Fagchefen er ansat pr. 1. marts.")
    result = compile_draft(
        session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW, report_locale="en"
    )
    session.commit()

    assert result.preview is True
    assert result.draft_number == 1 and cycle.draft_number == 1
    assert result.label == "DRAFT 1 — 1 of 4 answered"
    by_track = {t.name: t for t in result.summary.tracks}
    assert (by_track["Organisering"].answered, by_track["Organisering"].missing) == (1, 1)
    assert (by_track["Faglighed"].answered, by_track["Faglighed"].missing) == (0, 2)
    assert [m.title for m in result.summary.missing] == [
        "Ny mødestruktur",
        "Kompetenceudvikling",
        "Fælles faglig metode",
    ]
    assert result.summary.missing[0].owners == ("Anne Owner", "Dorte Delegate")

    stored = session.scalars(select(Document).order_by(Document.id)).all()
    assert [(d.kind, d.format, d.draft_number) for d in stored] == [
        (DocumentKind.DRAFT, "docx", 1),
        (DocumentKind.DRAFT, "html", 1),
    ]
    for doc in stored:
        assert doc.sha256 == hashlib.sha256(doc.content).hexdigest()
    html = stored[1].content.decode()
    assert "DRAFT 1 — 1 of 4 answered" in html
    assert "Fagchefen er ansat pr. 1. marts." in html
    assert "DRAFT 1 — 1 of 4 answered" in _docx_text(stored[0].content)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.compile"))
    assert event.actor_id == world.coordinator.id
    assert event.detail["draft_number"] == 1 and event.detail["missing"] == 3


def test_compile_after_the_deadline_is_not_a_preview(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[2], world.owner_b, "Kurser er planlagt.")
    compile_draft(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    later = DEADLINE + timedelta(hours=1)
    close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=later)
    result = compile_draft(
        session, cycle_id=cycle.id, actor=Actor.of(world.admin), now=later, report_locale="da"
    )
    assert result.preview is False
    assert result.draft_number == 2
    assert result.label == "DRAFT 2"
    assert result.summary.total.answered == 1
    assert result.summary.total.missing == 3
    html = next(d for d in result.documents if d.format == "html").content.decode()
    assert "UDKAST 2" in html


def test_summary_counts_carried_forward_and_changed(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[0], world.owner_a, "Ny tekst.")
    result = compile_draft(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW)
    # First cycle of the area: nothing to compare with, nothing is "changed".
    assert result.summary.total.changed == 0
    assert result.summary.total.carried_forward == 0
    with pytest.raises(Exception):  # noqa: B017 - no earlier status to carry forward
        carry_forward(session, entry_id=e[1].id, actor=Actor.of(world.owner_a), now=NOW)


def test_draft_goes_stale_when_an_answer_changes(session, world, cycle):
    e = entries_of(session, cycle)
    compile_draft(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW)
    session.commit()
    assert not is_draft_stale(session, cycle)
    answer(session, e[0], world.owner_a, "Nyt.", at=NOW + timedelta(minutes=5))
    assert is_draft_stale(session, cycle)
    compile_draft(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW + timedelta(minutes=6))
    assert not is_draft_stale(session, cycle)


def test_compile_refused_once_approved(session, world, cycle):
    from bot.review import approve

    approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=DEADLINE + timedelta(hours=1))
    with pytest.raises(InvalidState):
        compile_draft(session, cycle_id=cycle.id, actor=Actor.cli(), now=DEADLINE)
