"""registry.csv goes through the real importer (CONTRACT columns, Danish headers)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.importing.loader import import_file
from bot.sample import load_sample
from bot.workflow.actor import Actor
from storage.models import Area, Initiative, Person, Track

NOW = datetime(2026, 9, 28, 7, 0, tzinfo=UTC)


def test_registry_imports_with_contract_columns(session: Session, tmp_path: Path) -> None:
    sample = load_sample()
    path = sample.write_registry_csv(tmp_path / "registry.csv")

    result = import_file(session, path, actor=Actor.cli(), now=NOW)
    session.flush()

    assert result.created == len(sample.registry)
    assert result.people_created == len(sample.managers)
    area = session.scalars(select(Area)).one()
    assert area.name == sample.area
    tracks = session.scalars(select(Track).order_by(Track.position)).all()
    assert [t.name for t in tracks] == sample.tracks
    initiatives = session.scalars(select(Initiative)).all()
    by_title = {(i.track.name, i.title): i for i in initiatives}
    for row in sample.registry:
        initiative = by_title[row.key]
        assert initiative.plan == row.plan
        assert initiative.owner is not None and initiative.owner.email == row.owner_email
    for track in tracks:
        expected = [row.title for row in sample.registry if row.track == track.name]
        got = sorted(track.initiatives, key=lambda i: i.position)
        assert [i.title for i in got] == expected
    assert {p.email for p in session.scalars(select(Person))} == {m.email for m in sample.managers}

    # Importing the same file again changes nothing.
    again = import_file(session, path, actor=Actor.cli(), now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(sample.registry))
