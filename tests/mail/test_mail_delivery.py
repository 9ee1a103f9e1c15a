"""Issue 21: owners outside Slack get their prompt and reminders by e-mail,
through the outbox, to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.delivery.reminders import remind_now
from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink
from bot.web.links import LINK_PATH, resolve_link
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import submit_update
from storage.models import (
    Area,
    Cycle,
    Initiative,
    Job,
    JobState,
    Person,
    Role,
    RoleGrant,
    Track,
)
from storage.richtext import StatusText
from tests.mail.conftest import PUBLIC_URL

HOSTILE_NAME = 'Anne <b>"Ejer"</b> & Co\r\nBcc: evil@example.com'
HOSTILE_TITLE = "Ny chef <script>alert(1)</script> & mere"


def world(
    slack: SlackHarness,
    *,
    carl: bool = False,
    deadline: timedelta = timedelta(days=7),
    remind: list[timedelta] | None = None,
) -> dict[str, int]:
    """Anne (e-mail), Bo (Slack), optionally Carl (e-mail); a coordinator."""
    slack.user("UBO", name="Bo Ejer")
    slack.user("UKOORD", name="Karin Koordinator")
    with slack.session_factory() as session:
        bo = session.scalar(select(Person).where(Person.slack_user_id == "UBO"))
        karin = session.scalar(select(Person).where(Person.slack_user_id == "UKOORD"))
        anne = Person(email="anne@kommune.dk", display_name=HOSTILE_NAME, channel="email")
        people = [anne]
        carl_p = None
        if carl:
            carl_p = Person(email="carl@kommune.dk", display_name="Carl", channel="email")
            people.append(carl_p)
        session.add_all(people)
        area = Area(name="Social & <Sundhed>", key="social")
        session.add(area)
        session.flush()
        session.add(RoleGrant(person_id=karin.id, role=Role.COORDINATOR, area_id=area.id))
        org = Track(area_id=area.id, name="Organisering <1>", key="org", position=0)
        fag = Track(area_id=area.id, name="Faglighed", key="fag", position=1)
        session.add_all([org, fag])
        session.flush()
        specs = [(org, HOSTILE_TITLE, anne), (fag, "Kompetencer", anne), (org, "Møder", bo)]
        if carl_p is not None:
            specs.append((fag, "Carls tiltag", carl_p))
        for position, (track, title, owner) in enumerate(specs):
            session.add(
                Initiative(
                    area_id=area.id,
                    track_id=track.id,
                    title=title,
                    key=title.casefold(),
                    position=position,
                    owner_id=owner.id,
                )
            )
        session.flush()
        cycle = open_cycle(
            session, area_id=area.id, as_of=slack.clock.now().date(),
            deadline=slack.clock.now() + deadline, remind=remind or [], title=None,
            actor=Actor.cli(), now=slack.clock.now(),
        )  # fmt: skip
        session.commit()
        ids = {"cycle": cycle.id, "anne": anne.id, "bo": bo.id, "karin": karin.id}
        if carl_p is not None:
            ids["carl"] = carl_p.id
        return ids


def link_in(text: str) -> str:
    start = text.index(PUBLIC_URL + LINK_PATH)
    return text[start:].split()[0]


def test_the_prompt_arrives_by_mail_with_text_html_and_a_working_link(
    slack: SlackHarness, sink: MailSink
) -> None:
    ids = world(slack)
    slack.drain()
    mails = sink.to("anne@kommune.dk")
    assert len(mails) == 1 and len(sink.messages) == 1  # Bo is asked in Slack
    assert slack.posted("UBO") and not slack.posted("anne@kommune.dk")
    mail = mails[0]
    # No header injection: the name's CR/LF did not make a Bcc header.
    assert mail["Bcc"] is None and "evil@example.com" not in sink.envelopes[0][1]
    assert sink.envelopes[0][1] == ["anne@kommune.dk"]
    assert mail["Message-ID"].startswith("<statusbot.prompt.")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert HOSTILE_TITLE in text and "Organisering <1>" in text
    assert (
        "<script>" not in html
        and "Ny chef &lt;script&gt;alert(1)&lt;/script&gt; &amp; mere" in html
    )
    assert "Anne &lt;b&gt;&#34;Ejer&#34;&lt;/b&gt; &amp; Co Bcc: evil@example.com" in html
    assert "<img" not in html and "http://" not in html.replace(PUBLIC_URL, "")
    # Grouped by track, in report order.
    assert text.index("Organisering <1>") < text.index(HOSTILE_TITLE) < text.index("Faglighed")
    assert text.index("Faglighed") < text.index("Kompetencer")
    link = link_in(text)
    assert link in html
    with slack.session_factory() as session:
        found = resolve_link(session, link.rsplit("/", 1)[1])
        assert found is not None and found.person_id == ids["anne"]
        job = session.scalar(
            select(Job).where(
                Job.kind == "prompt", Job.payload["person_id"].as_integer() == ids["anne"]
            )
        )
        assert job.state == JobState.DONE
        assert "link_token" not in (job.result or {})  # the raw token is not kept
    # Running again (a re-queued prompt) sends nothing new.
    slack.drain()
    assert len(sink.messages) == 1


def test_a_reminder_reaches_only_the_mail_owner_who_has_not_answered(
    slack: SlackHarness, sink: MailSink
) -> None:
    ids = world(slack, carl=True)
    slack.drain()
    assert len(sink.messages) == 2  # Anne's and Carl's prompts
    with slack.session_factory() as session:
        carl = session.get(Person, ids["carl"])
        cycle = session.get(Cycle, ids["cycle"])
        entry = next(e for e in cycle.entries if e.initiative.owner_id == carl.id)
        submit_update(
            session, entry_id=entry.id, actor=Actor.of(carl),
            status=StatusText.from_markup("Godt i gang"), phase=None, now=slack.clock.now(),
        )  # fmt: skip
        session.commit()
        assert remind_now(session, cycle, slack.clock.now()) == 2  # Anne and Bo, not Carl
        session.commit()
    slack.drain()
    reminders = [m for m in sink.messages if "statusbot.reminder." in m["Message-ID"]]
    assert [str(m["To"].addresses[0].addr_spec) for m in reminders] == ["anne@kommune.dk"]
    assert "Reminder" in reminders[0]["Subject"]
    assert link_in(reminders[0].get_body(("plain",)).get_content())
    assert not sink.to("carl@kommune.dk")[1:]  # Carl got his prompt only


def test_a_temporary_smtp_failure_is_retried_and_delivered_once(
    slack: SlackHarness, sink: MailSink
) -> None:
    sink.fail["anne@kommune.dk"] = [451, 421]
    world(slack)
    slack.tick()
    assert not sink.messages
    with slack.session_factory() as session:
        job = session.scalar(select(Job).where(Job.kind == "prompt", Job.last_error.is_not(None)))
        assert job.state == JobState.PENDING and "451" in job.last_error
    slack.drain(within=timedelta(minutes=10))
    assert len(sink.to("anne@kommune.dk")) == 1


def test_a_permanent_smtp_failure_is_reported_to_the_coordinator(
    slack: SlackHarness, sink: MailSink
) -> None:
    sink.fail["anne@kommune.dk"] = [550]
    world(slack)
    slack.drain()
    assert not sink.messages
    with slack.session_factory() as session:
        job = session.scalar(select(Job).where(Job.kind == "prompt", Job.state == JobState.FAILED))
        assert job is not None and "550" in job.last_error
    told = [c for c in slack.posted("UKOORD")]
    assert len(told) == 1
    assert "anne@kommune.dk" in str(told[0].params) or "Anne" in str(told[0].params)


def test_an_address_slack_does_not_know_is_reached_by_mail_and_the_coordinator_told_once(
    slack: SlackHarness, sink: MailSink
) -> None:
    ids = world(slack)
    with slack.session_factory() as session:
        anne = session.get(Person, ids["anne"])
        anne.channel = "slack"  # not chosen: found out by the look-up
        session.commit()
    slack.drain()
    assert len(sink.to("anne@kommune.dk")) == 1
    told = slack.posted("UKOORD")
    assert len(told) == 1 and "e-mail" in str(told[0].params)
    slack.drain()
    assert len(slack.posted("UKOORD")) == 1


def test_an_address_not_looked_up_yet_is_looked_up_by_the_prompt_itself(
    slack: SlackHarness, sink: MailSink
) -> None:
    ids = world(slack)
    with slack.session_factory() as session:
        session.get(Person, ids["anne"]).channel = "slack"
        session.commit()
    slack.scheduler.tick(kinds=["prompt"])  # no resolver pass before the jobs
    assert len(sink.to("anne@kommune.dk")) == 1
    with slack.session_factory() as session:
        assert session.get(Person, ids["anne"]).lookup_error == "users_not_found"
    slack.drain()
    told = slack.posted("UKOORD")
    assert len(told) == 1 and "e-mail" in str(told[0].params)


def test_mailed_reminders_wait_for_working_hours(slack: SlackHarness, sink: MailSink) -> None:
    # Opened Monday 09:00 (Copenhagen); deadline Monday a week later, 12:00; the
    # reminder 2 days before falls on Saturday 12:00 and waits for Monday 08:00.
    world(slack, deadline=timedelta(days=7, hours=3), remind=[timedelta(days=2)])
    slack.drain()
    assert len(sink.messages) == 1  # Anne's prompt
    slack.drain(within=timedelta(days=7))
    reminders = [m for m in sink.messages if "statusbot.reminder." in m["Message-ID"]]
    assert len(reminders) == 1
    sent = reminders[0]["Date"].datetime.astimezone(ZoneInfo("Europe/Copenhagen"))
    assert (sent.weekday(), sent.hour, sent.minute) == (0, 8, 0)  # Monday 08:00
