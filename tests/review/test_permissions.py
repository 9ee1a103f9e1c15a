"""Every coordinator action × every kind of person: only the area's coordinators
and admins pass; everyone else gets PermissionDenied and nothing changes."""

from datetime import timedelta

import pytest
from review_world import DEADLINE, answer_all, entries_of
from sqlalchemy import func, select

from bot.errors import PermissionDenied
from bot.review import (
    approve,
    compile_draft,
    coordinator_edit,
    publish,
    reopen,
    send_back,
    update_settings,
)
from bot.workflow.actor import Actor
from storage.models import Approval, AuditEvent, CycleState, Document, ReviewRequest
from storage.richtext import StatusText

AFTER = DEADLINE + timedelta(hours=1)
ROLES = ["owner", "delegate", "coordinator", "other_coordinator", "admin", "stranger"]
ALLOWED = {"coordinator", "admin"}


def _prepare(session, world, cycle, action):  # type: ignore[no-untyped-def]
    answer_all(session, world, cycle)
    if action in ("publish", "reopen"):
        approve(session, cycle_id=cycle.id, actor=Actor.cli(), now=AFTER)
        session.commit()


def _run(session, world, cycle, action, actor):  # type: ignore[no-untyped-def]
    entry = entries_of(session, cycle)[1]
    if action == "compile":
        return compile_draft(session, cycle_id=cycle.id, actor=actor, now=AFTER)
    if action == "send_back":
        return send_back(
            session, cycle_id=cycle.id, entry_ids=[entry.id], comment="?", actor=actor, now=AFTER
        )
    if action == "edit":
        return coordinator_edit(
            session,
            entry_id=entry.id,
            status=StatusText.from_markup("Rettet af nogen"),
            phase=None,
            actor=actor,
            now=AFTER,
        )
    if action == "approve":
        return approve(session, cycle_id=cycle.id, actor=actor, now=AFTER)
    if action == "reopen":
        return reopen(session, cycle_id=cycle.id, actor=actor, reason="why", now=AFTER)
    if action == "publish":
        return publish(session, cycle_id=cycle.id, actor=actor, now=AFTER)
    if action == "settings":
        return update_settings(
            session, area_id=world.area.id, actor=actor, now=AFTER, approvals_required=2
        )
    raise AssertionError(action)


def _snapshot(session, world, cycle):  # type: ignore[no-untyped-def]
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (AuditEvent, Document, Approval, ReviewRequest)
    )
    entry = entries_of(session, cycle)[1]
    return (
        counts,
        cycle.state,
        cycle.draft_number,
        entry.status,
        entry.version,
        world.area.approvals_required,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action", ["compile", "send_back", "edit", "approve", "reopen", "publish", "settings"]
)
def test_permission_matrix(session, world, cycle, role, action):
    _prepare(session, world, cycle, action)
    before = _snapshot(session, world, cycle)
    actor = Actor.of(world.role(role))
    if role in ALLOWED:
        _run(session, world, cycle, action, actor)
        session.commit()
        assert _snapshot(session, world, cycle) != before
    else:
        with pytest.raises(PermissionDenied) as info:
            _run(session, world, cycle, action, actor)
        assert "Socialområdet" in info.value.message
        session.rollback()
        assert _snapshot(session, world, cycle) == before


def test_cli_operator_may_do_everything(session, world, cycle):
    answer_all(session, world, cycle)
    for action in ("compile", "send_back", "edit", "approve", "publish"):
        _run(session, world, cycle, action, Actor.cli())
    assert cycle.state == CycleState.PUBLISHED


def test_refusal_speaks_the_persons_language(session, world, cycle):
    world.stranger.locale = "da-DK"
    with pytest.raises(PermissionDenied) as info:
        compile_draft(session, cycle_id=cycle.id, actor=Actor.of(world.stranger), now=AFTER)
    assert info.value.message == (
        "Kun koordinatorerne for Socialområdet (eller en administrator) må gøre dette."
    )
