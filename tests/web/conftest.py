from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import Client

from bot.runtime import Deps
from bot.web.app import AnswerForm
from tests.web.web_world import World, build_world, make_deps


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def deps(session_factory: sessionmaker[Session]) -> Deps:
    return make_deps(session_factory)


@pytest.fixture
def app(deps: Deps) -> AnswerForm:
    return AnswerForm(deps)


@pytest.fixture
def client(app: AnswerForm) -> Client:
    return Client(app)
