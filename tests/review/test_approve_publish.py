import hashlib
from datetime import date, timedelta

import pytest
from review_world import DEADLINE, NOW, answer, answer_all, entries_of, open_default
from sqlalchemy import select

from bot.errors import InvalidInput, InvalidState
from bot.review import (
    MissingAnswers,
    StaleDraft,
    approve,
    compile_draft,
    publish,
    reopen,
    send_back,
)
from bot.review import documents as documents_module
from bot.review.documents import approved_documents, verify
from bot.workflow.actor import Actor
from bot.workflow.entries import submit_update
from storage.models import Approval, AuditEvent, CycleState, DocumentKind, Job
from storage.richtext import StatusText

AFTER = DEADLINE + timedelta(hours=2)


def test_one_approval_freezes_and_snapshots(session, world, cycle, monkeypatch):
    monkeypatch.setattr(documents_module, "pdf_available", lambda: True)
    answer_all(session, world, cycle)
    result = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    session.commit()
    assert result.approved and result.changed
    assert result.approvers == ["Karin Coordinator"] and result.needed == 1
    assert cycle.state == CycleState.APPROVED and cycle.approved_at == NOW
    formats = sorted(d.format for d in result.documents)
    assert formats == ["docx", "html", "pdf"]
    assert all(d.kind == DocumentKind.APPROVED for d in result.documents)
    stored = {d.format: d for d in approved_documents(session, cycle.id)}
    for fmt, doc in stored.items():
        assert verify(doc), fmt
        assert doc.sha256 == hashlib.sha256(doc.content).hexdigest()
    assert stored["pdf"].content.startswith(b"%PDF")
    assert "DRAFT" not in stored["html"].content.decode()

    # Frozen: owners can no longer change their answers.
    with pytest.raises(InvalidState):
        submit_update(
            session,
            entry_id=entries_of(session, cycle)[0].id,
            actor=Actor.of(world.owner_a),
            status=StatusText.from_markup("Too late"),
            phase=None,
            now=NOW,
        )
    session.rollback()
    # A second click changes nothing and returns the same snapshot.
    again = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    assert again.approved and not again.changed
    assert {d.id for d in again.documents} == {d.id for d in stored.values()}
    assert session.scalar(select(Approval.id).where(Approval.id > 1)) is None
    assert [d.sha256 for d in approved_documents(session, cycle.id)] == [
        d.sha256 for d in again.documents
    ]


def test_two_approvals_needed(session, world, cycle):
    world.area.approvals_required = 2
    answer_all(session, world, cycle)
    first = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    session.commit()
    assert not first.approved and first.changed and first.waiting_for == 1
    assert cycle.state == CycleState.COLLECTING
    assert first.documents == []

    repeat = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    session.commit()
    assert not repeat.approved and not repeat.changed and repeat.waiting_for == 1

    second = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator2), now=NOW)
    session.commit()
    assert second.approved and second.changed
    assert second.approvers == ["Karin Coordinator", "Kim Coordinator"]
    assert cycle.state == CycleState.APPROVED
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "review.approve").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["final"] for e in events] == [False, True]


def test_two_approvals_capped_by_the_people_who_can_approve(session, world):
    # The other area has a single coordinator and the admin: two is possible.
    world.other_area.approvals_required = 2
    session.commit()
    from bot.review import approvals_needed
    from storage.models import Cycle

    c = Cycle(area_id=world.other_area.id, as_of=date(2026, 3, 1), deadline=DEADLINE)
    session.add(c)
    session.flush()
    assert approvals_needed(session, c) == 2
    world.area.approvals_required = 1
    assert approvals_needed(session, open_default(session, world)) == 1


def test_approve_with_missing_needs_confirmation_before_the_deadline(session, world, cycle):
    e = entries_of(session, cycle)
    answer(session, e[0], world.owner_a, "Svar.")
    with pytest.raises(MissingAnswers) as info:
        approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    assert info.value.missing == ["Ny mødestruktur", "Kompetenceudvikling", "Fælles faglig metode"]
    session.rollback()
    assert cycle.state == CycleState.COLLECTING
    assert session.scalar(select(Approval.id)) is None

    result = approve(
        session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW, with_missing=True
    )
    assert result.approved and result.with_missing
    assert result.missing == info.value.missing
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.approve"))
    assert event.detail["with_missing"] is True
    assert session.scalar(select(Approval.with_missing)) is True


def test_after_the_deadline_missing_answers_need_no_confirmation(session, world, cycle):
    result = approve(session, cycle_id=cycle.id, actor=Actor.of(world.admin), now=AFTER)
    assert result.approved and not result.with_missing
    assert len(result.missing) == 4


def test_stale_draft_buttons_are_refused(session, world, cycle):
    answer_all(session, world, cycle)
    actor = Actor.of(world.coordinator)
    compile_draft(session, cycle_id=cycle.id, actor=actor, now=NOW)
    compile_draft(session, cycle_id=cycle.id, actor=actor, now=NOW)
    for action in (
        lambda: approve(session, cycle_id=cycle.id, actor=actor, now=NOW, draft_number=1),
        lambda: send_back(
            session,
            cycle_id=cycle.id,
            entry_ids=[entries_of(session, cycle)[0].id],
            comment="x",
            actor=actor,
            now=NOW,
            draft_number=1,
        ),
    ):
        with pytest.raises(StaleDraft) as info:
            action()
        assert info.value.current_draft == 2
        assert "Draft 1 is out of date: draft 2 is the latest" in info.value.message
    # After a send-back, draft 2 no longer shows the answers either.
    send_back(
        session,
        cycle_id=cycle.id,
        entry_ids=[entries_of(session, cycle)[0].id],
        comment="Ret venligst.",
        actor=actor,
        now=NOW,
        draft_number=2,
    )
    with pytest.raises(StaleDraft):
        approve(session, cycle_id=cycle.id, actor=actor, now=NOW, draft_number=2)
    assert cycle.state == CycleState.IN_REVIEW
    result = compile_draft(session, cycle_id=cycle.id, actor=actor, now=NOW)
    assert approve(
        session, cycle_id=cycle.id, actor=actor, now=NOW, draft_number=result.draft_number
    ).approved


def test_an_approval_counts_for_its_draft_only(session, world, cycle):
    world.area.approvals_required = 2
    answer_all(session, world, cycle)
    karin, kim = Actor.of(world.coordinator), Actor.of(world.coordinator2)
    first = compile_draft(session, cycle_id=cycle.id, actor=karin, now=NOW)
    approve(session, cycle_id=cycle.id, actor=karin, now=NOW, draft_number=first.draft_number)
    # Kim edits a text and compiles draft 2: Karin has not seen it.
    answer(
        session, entries_of(session, cycle)[0], world.owner_a, "Ny tekst efter Karins godkendelse."
    )
    second = compile_draft(session, cycle_id=cycle.id, actor=kim, now=NOW)
    assert second.draft_number == first.draft_number + 1
    kims = approve(session, cycle_id=cycle.id, actor=kim, now=NOW, draft_number=second.draft_number)
    assert not kims.approved and kims.approvers == ["Kim Coordinator"] and kims.waiting_for == 1
    assert cycle.state != CycleState.APPROVED
    karins = approve(
        session, cycle_id=cycle.id, actor=karin, now=NOW, draft_number=second.draft_number
    )
    assert karins.approved and karins.changed
    drafts = session.scalars(select(Approval.draft_number).order_by(Approval.id)).all()
    assert drafts == [first.draft_number, second.draft_number, second.draft_number]


def test_reopen_starts_a_new_round(session, world, cycle):
    world.area.approvals_required = 2
    answer_all(session, world, cycle)
    approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator2), now=NOW)
    assert cycle.state == CycleState.APPROVED
    with pytest.raises(InvalidInput):
        reopen(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), reason=" ", now=NOW)

    reopen(
        session,
        cycle_id=cycle.id,
        actor=Actor.of(world.coordinator),
        reason="Forkert dato i teksten",
        now=NOW,
    )
    session.commit()
    assert cycle.state == CycleState.COLLECTING and cycle.reopen_count == 1
    assert cycle.approved_at is None and cycle.draft_stale
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.reopen"))
    assert event.actor_id == world.coordinator.id
    assert event.detail["reason"] == "Forkert dato i teksten"
    # Owners may answer again; earlier approvals do not count in the new round.
    answer(session, entries_of(session, cycle)[0], world.owner_a, "Rettet dato.")
    again = approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    assert again.changed and not again.approved and again.waiting_for == 1
    final = approve(session, cycle_id=cycle.id, actor=Actor.of(world.admin), now=NOW)
    assert final.approved
    html = next(d for d in approved_documents(session, cycle.id) if d.format == "html")
    assert "Rettet dato." in html.content.decode()


def test_reopen_with_a_new_deadline(session, world, cycle):
    approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=AFTER)
    with pytest.raises(InvalidInput):
        reopen(session, cycle_id=cycle.id, actor=Actor.cli(), reason="x", now=AFTER, deadline=NOW)
    reopen(
        session,
        cycle_id=cycle.id,
        actor=Actor.cli(),
        reason="Mangler svar",
        now=AFTER,
        deadline=AFTER + timedelta(days=2),
    )
    assert cycle.deadline == AFTER + timedelta(days=2)


def test_publish_posts_once_and_refuses_unapproved(session, world, cycle):
    answer_all(session, world, cycle)
    with pytest.raises(InvalidState):
        publish(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    approve(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=NOW)
    result = publish(session, cycle_id=cycle.id, actor=Actor.of(world.coordinator), now=AFTER)
    session.commit()
    assert result.changed
    assert cycle.state == CycleState.PUBLISHED and cycle.published_at == AFTER
    pub = result.publication
    assert pub.channel == "CREPORTS1"
    assert [d.format for d in pub.documents] == ["docx"]
    assert (pub.answered, pub.total) == (4, 4)
    assert [p.label for p in pub.contributors] == ["Anne Owner", "Bo Owner"]
    again = publish(session, cycle_id=cycle.id, actor=Actor.of(world.admin), now=AFTER)
    session.commit()
    assert not again.changed
    jobs = session.scalars(select(Job).where(Job.kind == "publish")).all()
    assert [(j.payload["cycle_id"], j.due_at) for j in jobs] == [(cycle.id, AFTER)]
    assert (
        len(session.scalars(select(AuditEvent).where(AuditEvent.action == "review.publish")).all())
        == 1
    )
    with pytest.raises(InvalidState):
        reopen(session, cycle_id=cycle.id, actor=Actor.cli(), reason="x", now=AFTER)


def test_publish_needs_a_report_channel(session, world, cycle):
    world.area.report_channel = None
    approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=AFTER)
    with pytest.raises(InvalidState) as info:
        publish(session, cycle_id=cycle.id, actor=Actor.cli(), now=AFTER, locale="en")
    assert "report channel" in info.value.message
    assert cycle.state == CycleState.APPROVED


def test_next_cycle_marks_changes_against_the_published_one(session, world, cycle):
    answer_all(session, world, cycle, prefix="Gammel status")
    approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW)
    publish(session, cycle_id=cycle.id, actor=Actor.cli(), now=NOW)
    session.commit()

    later = AFTER + timedelta(days=150)
    nxt = open_default(
        session, world, as_of=date(2026, 9, 1), deadline=later + timedelta(days=7), now=later
    )
    e = entries_of(session, nxt)
    answer(session, e[0], world.owner_a, "Ny status for Ansættelse af fagchef.", at=later)
    answer(session, e[1], world.owner_a, "Gammel status for Ny mødestruktur.", at=later)
    result = compile_draft(session, cycle_id=nxt.id, actor=Actor.cli(), now=later)
    assert result.summary.total.changed == 1
    html = next(d for d in result.documents if d.format == "html").content.decode()
    # Only the changed word is red; the unchanged answer is plain.
    assert '<ins class="chg">Ny</ins>' in html
    assert html.count('<ins class="chg">') == 1
    assert html.count('class="changed"') == 1
