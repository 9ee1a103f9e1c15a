from datetime import timedelta

import pytest
from review_world import NOW, answer, answer_all, entries_of
from sqlalchemy import select

from bot.errors import Conflict, InvalidInput, InvalidState
from bot.review import compile_draft, coordinator_edit, send_back
from bot.review.changes import Change
from bot.workflow.actor import Actor
from storage.models import (
    AuditEvent,
    CycleState,
    EntrySource,
    ReviewRequest,
    Revision,
    RevisionReason,
)
from storage.richtext import StatusText


def test_send_back_then_owner_revises_and_recompile_shows_it(session, world, cycle):
    answer_all(session, world, cycle)
    first = compile_draft(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    session.commit()
    e = entries_of(session, cycle)

    result = send_back(
        session,
        cycle_id=cycle.id,
        entry_ids=[e[1].id, e[2].id],
        comment="Tilføj gerne datoen for opstart.",
        actor=Actor.of(world.coordinator),
        now=NOW + timedelta(minutes=1),
        draft_number=first.draft_number,
    )
    session.commit()
    assert cycle.state == CycleState.IN_REVIEW
    assert cycle.draft_stale is True
    assert [i.initiative_title for i in result.items] == ["Ny mødestruktur", "Kompetenceudvikling"]
    assert {p.label for p in result.items[0].recipients} == {"Anne Owner", "Dorte Delegate"}
    assert [p.label for p in result.items[1].recipients] == ["Bo Owner"]
    requests = session.scalars(select(ReviewRequest).order_by(ReviewRequest.id)).all()
    assert [(r.entry_id, r.comment, r.resolved_at) for r in requests] == [
        (e[1].id, "Tilføj gerne datoen for opstart.", None),
        (e[2].id, "Tilføj gerne datoen for opstart.", None),
    ]

    # The delegate revises while the cycle is in review.
    answer(session, e[1], world.delegate, "Opstart 1. april.", at=NOW + timedelta(minutes=5))
    second = compile_draft(
        session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW + timedelta(hours=1)
    )
    session.commit()
    assert second.draft_number == 2 and cycle.draft_stale is False
    html = next(d for d in second.documents if d.format == "html").content.decode()
    assert "Opstart 1. april." in html
    assert second.summary.open_requests == 1
    resolved = session.get(ReviewRequest, requests[0].id)
    assert resolved.resolved_at is not None
    assert session.get(ReviewRequest, requests[1].id).resolved_at is None
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.send_back"))
    assert audit.detail["entry_ids"] == [e[1].id, e[2].id]


@pytest.mark.parametrize(
    ("entry_ids", "comment", "field"),
    [([], "ok", "entries"), (None, "   ", "comment"), (None, "x" * 3001, "comment")],
)
def test_send_back_bad_input_changes_nothing(session, world, cycle, entry_ids, comment, field):
    e = entries_of(session, cycle)
    ids = [e[0].id] if entry_ids is None else entry_ids
    with pytest.raises(InvalidInput) as info:
        send_back(
            session, cycle_id=cycle.id, entry_ids=ids, comment=comment, actor=Actor.cli(), now=NOW
        )
    assert info.value.field == field
    session.rollback()
    assert cycle.state == CycleState.COLLECTING
    assert session.scalar(select(ReviewRequest.id)) is None


def test_send_back_rejects_entries_of_another_cycle(session, world, cycle):
    with pytest.raises(InvalidInput):
        send_back(
            session, cycle_id=cycle.id, entry_ids=[999], comment="?", actor=Actor.cli(), now=NOW
        )


def test_coordinator_edit_is_a_revision_with_audit_and_changes(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[0], world.owner_a, "Fagchefen starter 1. marts.\n\n- Introforløb planlagt")
    result = coordinator_edit(
        session,
        entry_id=e[0].id,
        status=StatusText.from_markup("Fagchefen starter 15. marts.\n\n- Introforløb planlagt"),
        phase="completed",
        actor=Actor.of(world.coordinator),
        now=NOW + timedelta(hours=1),
        expected_version=e[0].version,
    )
    session.commit()
    assert result.changed
    assert result.changes == (Change("removed", "1."), Change("added", "15."))
    assert (result.phase_before, result.phase_after) == ("in_progress", "completed")
    assert [p.label for p in result.recipients] == ["Anne Owner"]
    entry = e[0]
    assert entry.source == EntrySource.COORDINATOR
    assert entry.answered_by_id == world.owner_a.id  # the owner still answered it
    revisions = session.scalars(
        select(Revision).where(Revision.entry_id == entry.id).order_by(Revision.number)
    ).all()
    assert [(r.number, r.reason, r.author_id) for r in revisions] == [
        (1, RevisionReason.ANSWER, world.owner_a.id),
        (2, RevisionReason.COORDINATOR_EDIT, world.coordinator.id),
    ]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.edit"))
    assert event.actor_label == "Karin Coordinator"
    assert event.detail["added"] == ["15."] and event.detail["removed"] == ["1."]
    assert event.detail["entry_id"] == entry.id


def test_edit_that_changes_nothing_stores_nothing(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[0], world.owner_a, "Uændret.")
    result = coordinator_edit(
        session,
        entry_id=e[0].id,
        status=StatusText.from_markup("Uændret."),
        phase=None,
        actor=Actor.of(world.admin),
        now=NOW,
    )
    assert not result.changed
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "review.edit")) is None


def test_edit_with_an_old_version_conflicts(session, world, cycle):
    e = entries_of(session, cycle)
    old_version = e[0].version
    answer(session, e[0], world.owner_a, "Ny.")
    with pytest.raises(Conflict):
        coordinator_edit(
            session,
            entry_id=e[0].id,
            status=StatusText.from_markup("Rettet."),
            phase=None,
            actor=Actor.of(world.coordinator),
            now=NOW,
            expected_version=old_version,
        )


def test_edit_rejects_empty_text_and_unknown_phase(session, world, cycle):
    e = entries_of(session, cycle)
    for status, phase, field in [
        (StatusText(), None, "status"),
        (StatusText.from_markup("ok"), "bogus", "phase"),
    ]:
        with pytest.raises(InvalidInput) as info:
            coordinator_edit(
                session, entry_id=e[0].id, status=status, phase=phase, actor=Actor.cli(), now=NOW
            )
        assert info.value.field == field


def test_edit_refused_after_approval(session, world, cycle):
    from bot.review import approve

    answer_all(session, world, cycle)
    approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW)
    with pytest.raises(InvalidState):
        coordinator_edit(
            session,
            entry_id=entries_of(session, cycle)[0].id,
            status=StatusText.from_markup("Sent."),
            phase=None,
            actor=Actor.cli(),
            now=NOW,
        )
