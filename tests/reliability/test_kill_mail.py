"""SIGKILL a real ``statusbot serve --http`` while it e-mails prompts to a real
SMTP server (aiosmtpd), restart it: every owner has exactly one distinct mail
(a mail resent after the kill carries the same Message-ID), and every mailed
link works."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fakeslack import FakeSlack
from bot.testing.mailsink import MailSink
from bot.web.links import LINK_PATH, resolve_link
from storage.models import Job, JobState, Person
from tests.reliability.rel_world import (
    TOKEN,
    Served,
    expire_leases,
    open_now,
    seed,
    serve_env,
    wait_until,
)

OWNERS = 120
PUBLIC_URL = "https://status.example.dk"


@pytest.fixture
def fake() -> FakeSlack:
    with FakeSlack(token=TOKEN) as server:
        yield server


def _all_prompts_done(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        states = set(session.scalars(select(Job.state).where(Job.kind == "prompt")))
    return states == {JobState.DONE}


@pytest.mark.slow
@pytest.mark.parametrize("seed_", [5, 17])
def test_kill_while_mailing_prompts(
    seed_: int,
    db_url: str,
    session_factory: sessionmaker[Session],
    fake: FakeSlack,
    tmp_path: Path,
) -> None:
    rng = random.Random(seed_)
    world = seed(session_factory, fake, managers=OWNERS, previous=False)
    with session_factory() as session:
        session.execute(
            update(Person)
            .where(Person.slack_user_id != world.coordinator)
            .values(channel="email", email=Person.slack_user_id + "@kommune.dk")
        )
        session.commit()
    open_now(session_factory, world)
    with MailSink() as sink:
        env = serve_env(
            db_url, fake, STATUSBOT_SMTP_URL=sink.url,
            STATUSBOT_MAIL_FROM="status@kommune.dk", STATUSBOT_PUBLIC_URL=PUBLIC_URL,
        )  # fmt: skip
        at = rng.randrange(10, OWNERS - 10)
        served = Served(env, tmp_path)
        assert wait_until(lambda: len(sink.messages) >= at, timeout=120), served.stderr()
        served.kill()
        expire_leases(session_factory)
        served = Served(env, tmp_path)
        try:
            assert wait_until(lambda: _all_prompts_done(session_factory), timeout=120), (
                served.stderr()
            )
        finally:
            code = served.stop()
        assert code == 0 and "Traceback" not in served.stderr()
        messages = list(sink.messages)
    distinct: dict[str, set[str]] = {}
    raw = Counter(m["Message-ID"] for m in messages)
    for message in messages:
        distinct.setdefault(message["To"].addresses[0].addr_spec, set()).add(message["Message-ID"])
    expected = {f"{slack_id}@kommune.dk".lower() for slack_id in world.managers}
    assert {a.lower() for a in distinct} == expected  # none lost, nobody else
    assert all(len(ids) == 1 for ids in distinct.values())  # no second mail
    assert sum(raw.values()) - len(raw) <= 4  # at most the mails in flight were resent
    assert not fake.posted(world.managers[0])  # they are not asked in Slack
    with session_factory() as session:
        for message in messages:
            text = message.get_body(("plain",)).get_content()
            token = text.split(PUBLIC_URL + LINK_PATH, 1)[1].split()[0]
            assert resolve_link(session, token) is not None
