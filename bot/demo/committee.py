"""The committee's part of the demo: the area's agenda-item settings and the
committee's decision on the previous report (set up before the round, so the
prompts show it), and the agenda item package of the approved report."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.committee.decisions import record_decision
from bot.committee.item import build_item
from bot.committee.package import build_package
from bot.committee.settings import update_committee
from bot.registry.identity import find_initiative
from bot.review.documents import file_stem
from bot.workflow.actor import Actor
from storage.db import session_scope
from storage.models import Cycle

SAMPLE = Path(__file__).resolve().parent.parent / "sample" / "committee.json"


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


def prepare_committee(
    session: Session, area_id: int, baseline_cycle_id: int, actor: Actor, now: datetime
) -> None:
    """``area set --committee … --background-file …`` and ``committee decision``
    on the previous report, as an operator would."""
    data = load()
    update_committee(
        session,
        area_id=area_id,
        actor=actor,
        now=now,
        committee=data["committee"],
        case_number=data["case_number"],
        access=data["access"],
        background=data["background"],
        policy=data["policy"],
        economy=data["economy"],
    )
    decided = data["baseline_decision"]
    record_decision(
        session,
        cycle_id=baseline_cycle_id,
        meeting=date.fromisoformat(decided["meeting"]),
        text=decided["text"],
        actor=actor,
        now=now,
        absent=decided["absent"],
        asks_about=[find_initiative(session, t, area_id=area_id).id for t in decided["asks_about"]],
    )


def write_package(factory: Any, cycle_id: int, out: Path) -> Path:
    """``committee item --cycle N --meeting …`` into ``out``."""
    meeting = date.fromisoformat(load()["meeting"])
    with session_scope(factory) as session:
        item = build_item(session, cycle_id=cycle_id, meeting=meeting, locale="da")
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        path = out / f"dagsordenspunkt-{file_stem(cycle.area.name, cycle)}.zip"
        path.write_bytes(build_package(item))
    return path
