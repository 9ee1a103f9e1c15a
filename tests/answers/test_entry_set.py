"""``statusbot entry set``: an answer received outside Slack, recorded by a
named coordinator on the owner's behalf, through the real command line; the
owner's notice is delivered by the bot (fake Slack) afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from answers_world import Run, Setup
from sqlalchemy import select

from bot.testing.harness import SlackHarness
from storage.models import AuditEvent, Entry, Initiative, Job, Revision

EMAILED = "Ledelsesstrukturen er på plads.\n\n- tre afdelinger\n- én fælles ledergruppe\n"


def _entry(session, title: str, cycle: int) -> Entry:  # type: ignore[no-untyped-def]
    return session.scalar(
        select(Entry)
        .join(Initiative, Initiative.id == Entry.initiative_id)
        .where(Entry.cycle_id == cycle, Initiative.title == title)
    )


def test_coordinator_records_an_emailed_answer_and_the_owner_is_told(
    cli: Run, setup: Setup, db, db_url
) -> None:  # type: ignore[no-untyped-def]
    text = setup.text_file("mail.txt", EMAILED)
    result = cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "ny ledelsesstruktur",
        "--text-file", text, "--phase", "In progress", "--as", "UCOORD01",
    )  # fmt: skip
    assert "Recorded the status of “Ny ledelsesstruktur”" in result.stdout
    assert "UOWNERA1 is told in Slack" in result.stdout

    with db() as session:
        entry = _entry(session, "Ny ledelsesstruktur", setup.cycle)
        plain = "Ledelsesstrukturen er på plads.\ntre afdelinger\nén fælles ledergruppe"
        assert entry.status.plain == plain
        assert [b.kind for b in entry.status.blocks] == ["p", "li", "li"]
        assert entry.phase == "in_progress" and entry.source == "coordinator"
        revision = session.scalar(select(Revision).where(Revision.entry_id == entry.id))
        assert revision.reason == "coordinator_edit"
        assert revision.author.slack_user_id == "UCOORD01"
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.set"))
        assert event.actor.slack_user_id == "UCOORD01"
        assert event.actor_label.startswith("UCOORD01 (cli:")  # who, and who typed it
        assert event.detail["via"] == "cli" and event.detail["on_behalf_of"] == "UOWNERA1"
        assert session.scalar(select(Job).where(Job.kind == "entry_entered")) is not None

    # The same text again records nothing and tells nobody twice.
    again = cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01",
    )  # fmt: skip
    assert "already has this status; nothing was recorded" in again.stdout

    # An owner known only by e-mail: the bot finds them in Slack before telling them.
    with db() as session:
        number = session.scalar(
            select(Initiative.id).where(Initiative.plan == "2027", Initiative.area_id == 1)
        )
    cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", number,
        "--text-file", setup.text_file("mads.txt", "Svar fra Mads."), "--as", "UCOORD01",
    )  # fmt: skip

    start = datetime.now(UTC) + timedelta(seconds=5)
    with SlackHarness(db, database_url=db_url, start=start) as slack:
        for user in ("UOWNERA1", "UCOORD01", "UADMIN01", "UOTHER01"):
            slack.user(user, name=user)
        slack.user("UMADS001", email="mads@example.dk", name="Mads", in_db=False)
        slack.drain()
        told = [c for c in slack.posted("UMADS001") if "on your behalf" in str(c.params)]
        assert len(told) == 1 and "Svar fra Mads." in str(told[0].params)
        notices = [
            c for c in slack.posted("UOWNERA1") if "on your behalf" in (c.params.get("text") or "")
        ]
        assert len(notices) == 1
        blocks = str(notices[0].params.get("blocks"))
        assert "Ledelsesstrukturen er på plads." in blocks and "- tre afdelinger" in blocks
        assert "In progress" in blocks
    assert "Ny ledelsesstruktur" in cli("cycle", "show", setup.cycle).stdout


def test_who_may_record_and_how_an_initiative_is_named(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    text = setup.text_file("mail.txt", "Kalenderen er lagt.")
    base = ("entry", "set", "--cycle", setup.cycle, "--text-file", text)

    # A coordinator of another area, an owner, an unknown person: refused, clearly.
    other = cli(*base, "--initiative", "Ny ledelsesstruktur", "--as", "UOTHER01", code=1)
    assert "neither a coordinator of Socialområdet nor an administrator" in other.stderr
    owner = cli(*base, "--initiative", "Ny ledelsesstruktur", "--as", "UOWNERA1", code=1)
    assert "neither a coordinator" in owner.stderr
    nobody = cli(*base, "--initiative", "Ny ledelsesstruktur", "--as", "UNOBODY99", code=1)
    assert "Nobody with the Slack ID or e-mail “UNOBODY99” is known" in nobody.stderr

    # Two initiatives share a title: the number decides; an unknown one is named.
    ambiguous = cli(*base, "--initiative", "Fælles mødekalender", "--as", "UADMIN01", code=1)
    assert "“Fælles mødekalender” fits 2 initiatives" in ambiguous.stderr
    assert "Organisering" in ambiguous.stderr and "Faglighed" in ambiguous.stderr
    unknown = cli(*base, "--initiative", "Findes ikke", "--as", "UADMIN01", code=1)
    assert "No initiative has the key, id or title “Findes ikke”" in unknown.stderr
    with db() as session:
        wanted = session.scalar(
            select(Initiative).where(
                Initiative.title == "Fælles mødekalender", Initiative.plan == "2027"
            )
        )
        number = f"#{wanted.id}"  # as the export and `cycle show` number it
    # An administrator, and a coordinator named by e-mail, may.
    cli(*base, "--initiative", number, "--as", "UADMIN01")
    cli(*base, "--initiative", "Ny ledelsesstruktur", "--as", "KIM@example.dk")
    bad_phase = cli(
        *base, "--initiative", number, "--phase", "halvvejs", "--as", "UADMIN01", code=1
    )
    assert "“halvvejs” is not a phase" in bad_phase.stderr
    empty = setup.text_file("empty.txt", "  \n\n")
    assert "empty" in cli(*base[:4], "--text-file", empty, "--initiative", number,
                          "--as", "UADMIN01", code=1).stderr  # fmt: skip
    missing = cli(*base[:4], "--text-file", setup.tmp / "nope.txt", "--initiative", number,
                  "--as", "UADMIN01", code=2)  # fmt: skip
    assert "nope.txt: no such file." in missing.stderr

    with db() as session:
        entries = session.scalars(select(Entry).where(Entry.cycle_id == setup.cycle)).all()
        answered = {e.initiative.plan for e in entries if e.status}
        assert answered == {"2026", "2027"}  # nothing recorded by the refused commands
        # The mail-only owner is never sent anything; the notice job knows nobody to DM.


def test_refused_after_approval_with_the_reason(cli: Run, setup: Setup) -> None:
    text = setup.text_file("mail.txt", "For sent.")
    cli("review", "approve", "--cycle", setup.cycle, "--as", "UCOORD01", "--with-missing")
    cli("review", "approve", "--cycle", setup.cycle, "--as", "kim@example.dk", "--with-missing")
    late = cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01", code=1,
    )  # fmt: skip
    assert "The report is approved; reopen it before changing any text." in late.stderr


def test_danish_install_speaks_danish(cli: Run, setup: Setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_LOCALE", "da")
    text = setup.text_file("mail.txt", "Status via mail.")
    done = cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01",
    )  # fmt: skip
    assert "Registrerede status for “Ny ledelsesstruktur”" in done.stdout
    refused = cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UOTHER01", code=1,
    )  # fmt: skip
    assert "hverken koordinator for Socialområdet eller administrator" in refused.stderr


def test_a_list_nested_ten_deep_keeps_its_words(cli: Run, setup: Setup, db) -> None:  # type: ignore[no-untyped-def]
    """``- - - … text`` with ten markers was stored as an empty status."""
    text = setup.text_file("deep.txt", "Status:\n\n" + "- " * 10 + "Lønsystem indført\n")
    cli(
        "entry", "set", "--cycle", setup.cycle, "--initiative", "Ny ledelsesstruktur",
        "--text-file", text, "--as", "UCOORD01",
    )  # fmt: skip
    with db() as session:
        entry = _entry(session, "Ny ledelsesstruktur", setup.cycle)
        assert entry.status.plain == "Status:\nLønsystem indført"
