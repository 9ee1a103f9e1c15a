from __future__ import annotations

import pytest
from review_world import World, make_world, open_default
from sqlalchemy.orm import Session

from bot.review import documents
from storage.models import Cycle


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF rendering is slow; the tests that want it turn it back on."""
    monkeypatch.setattr(documents, "pdf_available", lambda: False)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def cycle(session: Session, world: World) -> Cycle:
    return open_default(session, world)
