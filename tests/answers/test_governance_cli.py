"""Governance from the command line: approvals are a named coordinator's, two
approvals need two different people (Slack and command line together),
missing answers always need ``--with-missing``, and a publication shows as
queued until Slack has the post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from answers_world import Run, Setup
from sqlalchemy import select

from bot.blocks import review as rb
from bot.testing.harness import SlackHarness
from storage.models import Approval, Cycle, CycleState

PEOPLE = ("UOWNERA1", "UCOORD01", "UADMIN01", "UOTHER01")


def _harness(db, db_url) -> SlackHarness:  # type: ignore[no-untyped-def]
    slack = SlackHarness(db, database_url=db_url, start=datetime.now(UTC) + timedelta(seconds=5))
    slack.start()
    for user in PEOPLE:
        slack.user(user, name=user)
    return slack


def _state(db, cycle: int) -> str:  # type: ignore[no-untyped-def]
    with db() as session:
        return session.get(Cycle, cycle).state


def test_two_approvals_need_two_people_in_slack_or_on_the_command_line(
    cli: Run, setup: Setup, db, db_url
) -> None:  # type: ignore[no-untyped-def]
    cli("area", "set", "Socialområdet", "--approvals", "2")
    approve = ("review", "approve", "--cycle", setup.cycle, "--with-missing")

    slack = _harness(db, db_url)
    try:
        slack.action(rb.APPROVE_MISSING, user="UCOORD01", value=rb.Ref(setup.cycle).encode())
    finally:
        slack.stop()
    assert _state(db, setup.cycle) == CycleState.COLLECTING

    # The same person again, now at the command line (and as their e-mail-less
    # Slack id): counts once, the report stays open.
    again = cli(*approve, "--as", "UCOORD01")
    assert "UCOORD01 has already approved draft 0" in again.stdout
    assert "the same person counts once" in again.stdout
    assert _state(db, setup.cycle) == CycleState.COLLECTING

    second = cli(*approve, "--as", "kim@example.dk")
    assert "Approved cycle" in second.stdout and "UCOORD01, kim@example.dk" in second.stdout
    assert _state(db, setup.cycle) == CycleState.APPROVED
    with db() as session:
        assert len(session.scalars(select(Approval)).all()) == 2
    assert "already approved" in cli(*approve, "--as", "UADMIN01").stdout


def test_a_command_line_approval_asks_the_other_coordinators_in_slack(
    cli: Run, setup: Setup, db, db_url
) -> None:  # type: ignore[no-untyped-def]
    cli("area", "set", "Socialområdet", "--approvals", "2")
    first = cli("review", "approve", "--cycle", setup.cycle, "--as", "UADMIN01", "--with-missing")
    assert "the running bot asks them" in first.stdout
    slack = _harness(db, db_url)
    try:
        slack.drain()
        asked = [c for c in slack.posted("UCOORD01") if "second coordinator" in str(c.params)]
        assert len(asked) == 1 and "UADMIN01 approved draft 0" in str(asked[0].params)
        assert not [c for c in slack.posted("UADMIN01") if "second coordinator" in str(c.params)]
        slack.action(rb.APPROVE_MISSING, user="UCOORD01", value=rb.Ref(setup.cycle, 0).encode())
    finally:
        slack.stop()
    assert _state(db, setup.cycle) == CycleState.APPROVED


def test_one_command_line_operator_cannot_satisfy_two_approvals(cli: Run, setup: Setup, db):  # type: ignore[no-untyped-def]
    cli("area", "set", "Socialområdet", "--approvals", "2")
    approve = ("review", "approve", "--cycle", setup.cycle, "--with-missing")
    assert "--as" in cli(*approve, code=2).stderr  # nobody named: a usage error
    first = cli(*approve, "--as", "UADMIN01")
    assert "is recorded (1 of 2)" in first.stdout
    cli(*approve, "--as", "UADMIN01")
    assert _state(db, setup.cycle) == CycleState.COLLECTING
    refused = cli(*approve, "--as", "UOTHER01", code=1)
    assert "neither a coordinator of Socialområdet nor an administrator" in refused.stderr
    owner = cli(*approve, "--as", "UOWNERA1", code=1)
    assert "neither a coordinator" in owner.stderr
    assert _state(db, setup.cycle) == CycleState.COLLECTING


def test_missing_answers_need_the_flag_also_when_the_cycle_is_closed(
    cli: Run, setup: Setup, db
) -> None:  # type: ignore[no-untyped-def]
    text = setup.text_file("mail.txt", "Svar på mail.")
    cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01",
    )  # fmt: skip
    cli("cycle", "close", setup.cycle)
    refused = cli("review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    assert "2 initiatives have no answer" in refused.stderr and "--with-missing" in refused.stderr
    assert refused.stdout.count("Fælles mødekalender") == 2  # both are listed
    assert "Ny ledelsesstruktur" not in refused.stdout
    assert _state(db, setup.cycle) == CycleState.CLOSED

    done = cli(
        "review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", "--with-missing"
    )
    assert "Approved cycle" in done.stdout
    assert "Approved without an answer for:" in done.stdout
    assert done.stdout.count("Fælles mødekalender") == 2
    assert _state(db, setup.cycle) == CycleState.APPROVED


def test_publish_is_queued_until_slack_has_the_post(cli: Run, setup: Setup, db, db_url) -> None:  # type: ignore[no-untyped-def]
    cli("area", "set", "Socialområdet", "--channel", "C0REPORTS1")
    cli("review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", "--with-missing")
    published = cli("review", "publish", "--cycle", setup.cycle)
    assert "the post to C0REPORTS1 is queued" in published.stdout
    assert "published (post queued for the bot)" in cli("cycle", "list").stdout
    assert "state published (post queued for the bot)" in cli("cycle", "show", setup.cycle).stdout
    again = cli("review", "publish", "--cycle", setup.cycle)
    assert "still queued for the bot" in again.stdout

    slack = _harness(db, db_url)
    try:
        slack.drain()
        assert any(c.method == "files.completeUploadExternal" and c.ok for c in slack.calls())
    finally:
        slack.stop()
    listed = cli("cycle", "list").stdout
    assert "published" in listed and "queued" not in listed
    assert "already published and posted to C0REPORTS1" in cli(
        "review", "publish", "--cycle", setup.cycle
    ).stdout


def test_danish_governance_lines(cli: Run, setup: Setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    refused = cli("review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", code=1)
    assert "3 tiltag mangler svar; godkend alligevel kun med --with-missing." in refused.stderr
    assert "Tiltag uden svar:" in refused.stdout


def test_a_person_registered_twice_must_be_named_by_slack_id(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    """kim@example.dk's Slack user turned out to be another row already (the
    resolver records ``already_linked``): approving by e-mail could count the
    same human twice, so it is refused."""
    from storage.models import Person

    cli("area", "set", "Socialområdet", "--approvals", "2")
    with db() as session:
        kim = session.scalar(select(Person).where(Person.email == "kim@example.dk"))
        kim.lookup_error = "already_linked"
        session.commit()
    refused = cli(
        "review", "approve", "--cycle", setup.cycle, "--as", "kim@example.dk", "--with-missing",
        code=1,
    )  # fmt: skip
    assert "registered twice" in refused.stderr and "Slack user ID" in refused.stderr
    with db() as session:
        assert session.scalars(select(Approval)).all() == []
