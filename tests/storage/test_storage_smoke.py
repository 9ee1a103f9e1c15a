from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Area
from storage.outbox import claim_due, enqueue, mark_done


def test_outbox_claims_each_job_once(session):
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    enqueue(session, "prompt", {"x": 1}, due_at=now, dedupe_key="k1")
    enqueue(session, "prompt", {"x": 1}, due_at=now, dedupe_key="k1")
    session.add(Area(name="Socialområdet", key="socialområdet"))
    session.commit()
    first = claim_due(session, now=now, worker="a")
    second = claim_due(session, now=now, worker="b")
    assert [j.payload for j in first] == [{"x": 1}]
    assert second == []
    mark_done(session, first[0], now=now)
    assert session.scalar(select(Area.name)) == "Socialområdet"
