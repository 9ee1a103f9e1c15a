"""Issue 21's fan-out: the scheduler runs a thread's claimed jobs in chunks;
the mail handlers defer their mails, the chunk's links are committed in one
transaction before any mail is sent, and each job is marked done right after
its mail. A failure stays its own job's; a crash between sending and marking
done re-sends that one mail (same Message-ID, same link), never a second one."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.mail.transport import SmtpTransport
from bot.scheduler import CHUNK, Scheduler
from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink
from bot.web.links import LINK_PATH, resolve_link
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage import outbox
from storage.models import (
    AccessLink,
    Area,
    Initiative,
    Job,
    JobState,
    Person,
    Role,
    RoleGrant,
    Track,
)
from tests.mail.conftest import PUBLIC_URL

OWNERS = CHUNK + 4  # two chunks


def address(n: int) -> str:
    return f"leder{n:02d}@kommune.dk"


def fan_out_world(slack: SlackHarness) -> None:
    """OWNERS owners reached by e-mail (one item each) and a coordinator."""
    slack.user("UKOORD", name="Karin Koordinator")
    with slack.session_factory() as session:
        karin = session.scalar(select(Person).where(Person.slack_user_id == "UKOORD"))
        area = Area(name="Børn & Unge", key="børn")
        session.add(area)
        session.flush()
        session.add(RoleGrant(person_id=karin.id, role=Role.COORDINATOR, area_id=area.id))
        track = Track(area_id=area.id, name="Trivsel", key="trivsel", position=0)
        session.add(track)
        people = [
            Person(email=address(n), display_name=f"Leder {n} <Ø>", channel="email")
            for n in range(OWNERS)
        ]
        session.add_all(people)
        session.flush()
        for n, person in enumerate(people):
            session.add(
                Initiative(
                    area_id=area.id, track_id=track.id, title=f"Tiltag {n}", key=f"t{n}",
                    position=n, owner_id=person.id,
                )
            )  # fmt: skip
        session.flush()
        open_cycle(
            session, area_id=area.id, as_of=slack.clock.now().date(),
            deadline=slack.clock.now() + timedelta(days=7), remind=[], title=None,
            actor=Actor.cli(), now=slack.clock.now(),
        )  # fmt: skip
        session.commit()


def token_in(text: str) -> str:
    return text.split(PUBLIC_URL + LINK_PATH, 1)[1].split()[0]


def prompt_jobs(slack: SlackHarness) -> dict[str, int]:
    with slack.session_factory() as session:
        return dict(Counter(session.scalars(select(Job.state).where(Job.kind == "prompt")).all()))


def test_a_permanent_failure_in_a_chunk_fails_its_own_job_only(
    slack: SlackHarness, sink: MailSink
) -> None:
    fan_out_world(slack)
    sink.fail[address(2)] = [550]
    slack.drain()
    assert sorted(str(m["To"].addresses[0].addr_spec) for m in sink.messages) == sorted(
        address(n) for n in range(OWNERS) if n != 2
    )
    assert prompt_jobs(slack) == {JobState.DONE: OWNERS - 1, JobState.FAILED: 1}
    with slack.session_factory() as session:
        failed = session.scalar(select(Job).where(Job.state == JobState.FAILED))
        assert "550" in failed.last_error
        # Its link was issued (before sending) but never mailed; the others work.
        assert session.scalar(select(func.count(AccessLink.id))) == OWNERS
        for message in sink.messages:
            text = message.get_body(("plain",)).get_content()
            assert resolve_link(session, token_in(text)) is not None
    assert len(slack.posted("UKOORD")) == 1  # the coordinator is told about the one


def test_the_chunks_links_are_committed_before_its_first_mail(
    slack: SlackHarness, sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    fan_out_world(slack)
    send = SmtpTransport.send
    committed: list[int] = []

    def checking_send(self: SmtpTransport, mail: object) -> None:
        with slack.session_factory() as session:  # another connection: committed rows only
            committed.append(session.scalar(select(func.count(AccessLink.id))) or 0)
        send(self, mail)  # type: ignore[arg-type]

    monkeypatch.setattr(SmtpTransport, "send", checking_send)
    slack.drain()
    assert len(sink.messages) == OWNERS
    assert committed[:CHUNK] == [CHUNK] * CHUNK  # the whole first chunk's, before the first
    assert committed[CHUNK:] == [OWNERS] * (OWNERS - CHUNK)


class Crash(BaseException):
    """The process dies (nothing catches it)."""


def test_a_crash_between_sending_and_done_resends_the_same_mails(
    slack: SlackHarness, sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    fan_out_world(slack)

    def crash(*_args: object, **_kw: object) -> None:
        raise Crash

    monkeypatch.setattr(outbox, "mark_done_many", crash)
    with pytest.raises(Crash):
        slack.tick()
    first = {m["Message-ID"]: token_in(m.get_body(("plain",)).get_content()) for m in sink.messages}
    assert len(first) == 1  # sent, never marked done: the crash window is one mail
    monkeypatch.undo()
    slack.advance(outbox.DEFAULT_LEASE + timedelta(seconds=1))  # the dead worker's lease ends
    slack.drain()
    ids: dict[str, set[str]] = {}
    received = Counter()
    for message in sink.messages:
        ids.setdefault(str(message["To"].addresses[0].addr_spec), set()).add(message["Message-ID"])
        received[message["Message-ID"]] += 1
        # A mail sent again carries the link the first one had.
        token = token_in(message.get_body(("plain",)).get_content())
        assert first.get(message["Message-ID"], token) == token
    assert sorted(ids) == sorted(address(n) for n in range(OWNERS))
    assert all(len(found) == 1 for found in ids.values())  # one distinct mail each
    assert sorted(received.values()) == [1] * (OWNERS - 1) + [2]
    assert prompt_jobs(slack) == {JobState.DONE: OWNERS}
    with slack.session_factory() as session:
        assert session.scalar(select(func.count(AccessLink.id))) == OWNERS  # no second link
        tokens = {token_in(m.get_body(("plain",)).get_content()) for m in sink.messages}
        assert all(resolve_link(session, token) is not None for token in tokens)
        results = session.scalars(select(Job.result).where(Job.kind == "prompt")).all()
        assert all("link_token" not in (r or {}) and r.get("mail_sent") for r in results)


def test_a_chunk_late_in_a_long_tick_renews_its_leases_and_leaves_a_lost_job_alone(
    slack: SlackHarness, sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    fan_out_world(slack)
    scheduler = Scheduler(slack.deps, worker_id="slow", lease=timedelta(0))  # always "late"
    renew_many = Scheduler._renew_many
    stolen: list[int] = []

    def steal_one_first(self: Scheduler, job_ids: list[int]) -> set[int]:
        if not stolen:  # another worker took the first job over meanwhile
            stolen.append(job_ids[0])
            with slack.session_factory() as session:
                session.execute(update(Job).where(Job.id == job_ids[0]).values(claimed_by="other"))
                session.commit()
        return renew_many(self, job_ids)

    monkeypatch.setattr(Scheduler, "_renew_many", steal_one_first)
    result = scheduler.tick(kinds=["prompt"])
    assert (result.done, result.skipped) == (OWNERS - 1, 1)
    with slack.session_factory() as session:
        lost = session.get(Job, stolen[0])
        assert lost.state == JobState.CLAIMED and lost.claimed_by == "other"
        mailed = {str(m["To"].addresses[0].addr_spec) for m in sink.messages}
        assert len(mailed) == OWNERS - 1
        assert session.get(Person, lost.payload["person_id"]).email not in mailed
