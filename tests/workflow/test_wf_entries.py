from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from bot.workflow.actor import Actor
from bot.workflow.cycles import close_cycle
from bot.workflow.entries import carry_forward, previous_entry, submit_update
from bot.workflow.messages import message_in, use_locale
from storage.models import CycleState, Entry, EntrySource, Revision, RevisionReason
from storage.richtext import StatusText

TEXT = StatusText.from_markup("Arbejdet er i gang.\n\n- Første møde holdt\n- Plan vedtaget")


def entry_for(cycle, initiative):
    return next(e for e in cycle.entries if e.initiative_id == initiative.id)


def submit(session, entry, person_or_actor, now, **kwargs):
    actor = person_or_actor if isinstance(person_or_actor, Actor) else Actor.of(person_or_actor)
    args = {"status": TEXT, "phase": "in_progress"} | kwargs
    return submit_update(session, entry_id=entry.id, actor=actor, now=now, **args)


def revisions(session, entry):
    return session.scalars(
        select(Revision).where(Revision.entry_id == entry.id).order_by(Revision.number)
    ).all()


def test_owner_answers_and_every_submit_appends_a_revision(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    submit(session, entry, world.owner_a, now, note="Spørg gerne")
    later = now + timedelta(hours=1)
    submit(
        session,
        entry,
        world.owner_a,
        later,
        status=StatusText.from_markup("Færdig."),
        phase="COMPLETED",
    )
    session.commit()
    assert entry.source == EntrySource.ANSWER and entry.answered
    assert entry.status.plain == "Færdig." and entry.phase == "completed"
    assert entry.answered_by_id == world.owner_a.id and entry.answered_at == later
    revs = revisions(session, entry)
    assert [(r.number, r.reason, r.author_id) for r in revs] == [
        (1, RevisionReason.ANSWER, world.owner_a.id),
        (2, RevisionReason.ANSWER, world.owner_a.id),
    ]
    assert revs[0].status == TEXT and revs[0].note == "Spørg gerne"


def test_delegate_answers_as_owner(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[1])
    submit(session, entry, world.delegate, now)
    assert entry.source == EntrySource.ANSWER
    assert revisions(session, entry)[0].reason == RevisionReason.ANSWER


@pytest.mark.parametrize("who", ["coordinator", "admin", "cli"])
def test_coordinator_admin_and_operator_edits(session, world, open_default, now, who):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    actor = Actor.cli() if who == "cli" else Actor.of(getattr(world, who))
    submit(session, entry, actor, now)
    assert entry.source == EntrySource.COORDINATOR
    (rev,) = revisions(session, entry)
    assert rev.reason == RevisionReason.COORDINATOR_EDIT and rev.author_label == actor.label


@pytest.mark.parametrize("who", ["stranger", "other_coordinator", "owner_b", "delegate"])
def test_others_may_not_answer(session, world, open_default, now, who):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])  # owner_a's, no delegate
    with pytest.raises(PermissionDenied):
        submit(session, entry, getattr(world, who), now)
    with pytest.raises(PermissionDenied):
        submit(session, entry, Actor.system(), now)
    assert revisions(session, entry) == [] and entry.source == EntrySource.PENDING


def test_answers_only_while_collecting_or_in_review(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    close_cycle(session, cycle_id=cycle.id, actor=Actor.cli(), now=now)
    with pytest.raises(InvalidState):
        submit(session, entry, world.owner_a, now)
    with pytest.raises(InvalidState):
        carry_forward(session, entry_id=entry.id, actor=Actor.of(world.owner_a), now=now)
    cycle.state = CycleState.IN_REVIEW  # an entry sent back may be revised
    session.flush()
    submit(session, entry, world.owner_a, now)
    for state in (CycleState.APPROVED, CycleState.PUBLISHED):
        cycle.state = state
        session.flush()
        with pytest.raises(InvalidState):
            submit(session, entry, world.owner_a, now)


def test_bad_input(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    with pytest.raises(InvalidInput) as info:
        submit(session, entry, world.owner_a, now, status=StatusText.from_markup("  \n "))
    assert info.value.field == "status"
    with pytest.raises(InvalidInput) as info:
        submit(session, entry, world.owner_a, now, phase="nearly done")
    assert info.value.field == "phase"
    with pytest.raises(InvalidInput) as info:
        submit(session, entry, world.owner_a, now, note="x" * 5000)
    assert info.value.field == "note"
    assert revisions(session, entry) == []


def test_expected_version_mismatch_is_a_conflict(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    version = entry.version
    submit(session, entry, world.owner_a, now, expected_version=version)
    with pytest.raises(Conflict, match="Ansættelse af fagchef"):
        submit(session, entry, world.owner_a, now, expected_version=version)
    assert len(revisions(session, entry)) == 1


def test_concurrent_submits_one_wins_the_other_conflicts(session_factory, world, now):
    from bot.workflow.cycles import open_cycle

    with session_factory() as s:
        cycle = open_cycle(
            s,
            area_id=world.area.id,
            as_of=date(2026, 3, 1),
            deadline=now + timedelta(days=7),
            remind=[],
            title=None,
            actor=Actor.cli(),
            now=now,
        )
        entry_id = entry_for(cycle, world.initiatives[0]).id
        s.commit()

    first, second = session_factory(), session_factory()
    try:
        e1, e2 = first.get(Entry, entry_id), second.get(Entry, entry_id)
        owner1 = Actor.of(first.get(type(world.owner_a), world.owner_a.id))
        owner2 = Actor.of(second.get(type(world.owner_a), world.owner_a.id))
        assert e1.version == e2.version
        submit_update(first, entry_id=entry_id, actor=owner1, status=TEXT, phase=None, now=now)
        first.commit()
        with pytest.raises(Conflict) as info:
            submit_update(
                second,
                entry_id=entry_id,
                actor=owner2,
                status=StatusText.from_markup("Mit svar"),
                phase=None,
                now=now,
            )
        assert "reload" in str(info.value) or "genindlæs" in str(info.value)
        # The loser's session is usable again and sees the winner's text.
        fresh = second.get(Entry, entry_id)
        assert fresh.status == TEXT
    finally:
        first.close()
        second.close()
    with session_factory() as s:
        assert len(s.scalars(select(Revision).where(Revision.entry_id == entry_id)).all()) == 1


def _previous_cycle_with_text(session, world, open_default, now, state):
    old = open_default(as_of=date(2025, 9, 1))
    old_entry = entry_for(old, world.initiatives[0])
    submit(session, old_entry, world.owner_a, now, phase="in_progress")
    old.state = state
    session.flush()
    return old_entry


def test_carry_forward_copies_previous_text(session, world, open_default, now):
    old_entry = _previous_cycle_with_text(session, world, open_default, now, CycleState.PUBLISHED)
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    assert previous_entry(session, entry).id == old_entry.id
    carry_forward(session, entry_id=entry.id, actor=Actor.of(world.owner_a), now=now)
    assert entry.status == TEXT and entry.phase == "in_progress"
    assert entry.carried_forward and entry.source == EntrySource.CARRY_FORWARD
    (rev,) = revisions(session, entry)
    assert rev.reason == RevisionReason.CARRY_FORWARD


def test_carry_forward_without_previous_text(session, world, open_default, now):
    _previous_cycle_with_text(session, world, open_default, now, CycleState.PUBLISHED)
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[2])  # not answered last time
    with pytest.raises(InvalidInput, match="Kompetenceudvikling"):
        carry_forward(session, entry_id=entry.id, actor=Actor.of(world.owner_b), now=now)
    assert revisions(session, entry) == []


def test_previous_entry_prefers_approved_over_later_closed(session, world, open_default, now):
    published = _previous_cycle_with_text(session, world, open_default, now, CycleState.PUBLISHED)
    middle = open_default(as_of=date(2026, 1, 1))
    middle.state = CycleState.CLOSED
    session.flush()
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    assert previous_entry(session, entry).id == published.id
    published.cycle.state = CycleState.COLLECTING  # not finished: fall back to the closed one
    session.flush()
    assert previous_entry(session, entry).cycle_id == middle.id


def test_messages_in_danish_and_english(session, world, open_default, now):
    cycle = open_default()
    entry = entry_for(cycle, world.initiatives[0])
    with use_locale("en"), pytest.raises(PermissionDenied) as english:
        submit(session, entry, world.stranger, now)
    with use_locale("da"), pytest.raises(PermissionDenied) as danish:
        submit(session, entry, world.stranger, now)
    assert english.value.message.startswith("Only the initiative's owner")
    assert "Ansættelse af fagchef" in danish.value.message
    assert danish.value.message != english.value.message
    assert message_in(danish.value, "en") == english.value.message


def test_simultaneous_submits_in_threads(session_factory, world, now):
    """Two requests at the same moment: exactly one is stored, the other conflicts."""
    import threading

    from bot.workflow.cycles import open_cycle
    from storage.models import Person

    with session_factory() as s:
        cycle = open_cycle(
            s,
            area_id=world.area.id,
            as_of=date(2026, 3, 1),
            deadline=now + timedelta(days=7),
            remind=[],
            title=None,
            actor=Actor.cli(),
            now=now,
        )
        entry_id = entry_for(cycle, world.initiatives[0]).id
        s.commit()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def request(text: str) -> None:
        with session_factory() as s:
            # Held: the session's identity map is weak, and an entry dropped here
            # would be read again after the barrier, once the other thread may
            # have committed (a later answer, stored legitimately, not a race).
            loaded = s.get(Entry, entry_id)
            assert loaded is not None and loaded.version == 1
            actor = Actor.of(s.get(Person, world.owner_a.id))
            barrier.wait(timeout=10)
            try:
                submit_update(
                    s,
                    entry_id=entry_id,
                    actor=actor,
                    status=StatusText.from_markup(text),
                    phase=None,
                    now=now,
                )
                s.commit()
                outcomes.append("stored")
            except Conflict:
                outcomes.append("refused")
            except OperationalError as exc:
                # SQLite refuses to upgrade a read snapshot that another writer
                # has overtaken ("database is locked"): also a refusal, not a loss.
                assert "locked" in str(exc)
                outcomes.append("refused")

    threads = [threading.Thread(target=request, args=(t,)) for t in ("Svar A", "Svar B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "stored"]
    with session_factory() as s:
        (rev,) = s.scalars(select(Revision).where(Revision.entry_id == entry_id)).all()
        assert s.get(Entry, entry_id).status == rev.status

