"""Prompts and reminders by e-mail, through the outbox, exactly once.

The ``prompt`` and ``reminder`` job handlers (:mod:`bot.delivery.prompts`,
:mod:`bot.delivery.reminders`) hand a person reached by e-mail
(:func:`reached_by_mail`) to :func:`deliver_by_mail`:

1. the personal link is issued (:func:`bot.web.links.issue_link`) and its raw
   token kept in ``job.result`` — committed *before* the mail goes out, so
   the link in a mail always works;
2. the mail is rendered from the surface-free :class:`OwnerMessage` and
   sent with a Message-ID derived from the job;
3. ``job.result`` records ``mail_sent`` and drops the raw token; the
   scheduler commits it and marks the job done.

A process killed between 2 and 3 sends the same mail again on the re-run
(same Message-ID, same link); nothing is lost. 4xx replies and connection
trouble are retried (:class:`RetryLater`), 5xx replies fail the job and
are reported to the area's coordinators (:class:`PermanentFailure`).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.delivery.message import MessageKind, OwnerMessage, owner_message, owner_messages
from bot.delivery.registry import JobContext, PermanentFailure, RetryLater
from bot.mail.compose import compose
from bot.mail.render import render_mail
from bot.mail.transport import MailRejected, MailTemporary, transport_for
from bot.settings import Settings
from bot.web.links import issue_link, link_url
from storage import outbox
from storage.models import AccessLink, Cycle, Person

log = logging.getLogger(__name__)

EMAIL = "email"
SLACK = "slack"
CHANNELS = (SLACK, EMAIL)
NOT_IN_SLACK = "users_not_found"
NOT_CONFIGURED = "mail_not_configured"
REJECTED = "mail_rejected"


def wants_mail(person: Person) -> bool:
    """Chosen e-mail, or an address Slack does not know."""
    if person.channel == EMAIL:
        return True
    return not person.slack_user_id and person.lookup_error == NOT_IN_SLACK


def reached_by_mail(person: Person, settings: Settings) -> bool:
    """Prompts and reminders for ``person`` go by e-mail (raises PermanentFailure
    when they should but cannot: no server set up, or no address)."""
    if not wants_mail(person):
        return False
    if person.channel != EMAIL and not settings.mail_enabled:
        return False  # not in Slack and no e-mail: reported as before
    if not settings.mail_enabled:
        raise PermanentFailure(NOT_CONFIGURED, person_id=person.id)
    if not person.email:
        raise PermanentFailure("no_email_address", person_id=person.id)
    return True


def look_up_first(ctx: JobContext, person: Person) -> None:
    """An address not looked up yet (the scheduler's resolver takes 100 a
    tick): with e-mail set up, look it up now, so that one Slack does not know
    goes by e-mail (the coordinators told once) instead of failing."""
    if (
        person.slack_user_id
        or not person.email
        or person.channel == EMAIL
        or person.lookup_error
        or not ctx.deps.settings.mail_enabled
    ):
        return
    from bot.resolve import report_lookup_failure, slack_id_of

    try:
        slack_id_of(ctx.deps.client, ctx.session, person, now=ctx.now)
    except PermanentFailure:
        report_lookup_failure(ctx.session, person, now=ctx.now)
        ctx.session.commit()


def _already_mailed(ctx: JobContext, cycle: Cycle, person: Person) -> bool:
    """A live link for this cycle exists: the person has a mail with it."""
    return (
        ctx.session.scalar(
            select(AccessLink.id)
            .where(
                AccessLink.person_id == person.id,
                AccessLink.cycle_id == cycle.id,
                AccessLink.revoked_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def batch_owner_message(
    ctx: JobContext, cycle: Cycle, person: Person, kind: MessageKind
) -> OwnerMessage:
    """The person's message; in a batch, loaded once for all its people of
    this cycle reached by e-mail (a fan-out: a few queries, not a few per owner)."""
    batch, session, settings = ctx.batch, ctx.session, ctx.deps.settings
    if batch is not None:
        messages = batch.memo(
            ("mail", ctx.job.kind, kind, cycle.id),
            lambda: _mail_messages(ctx, batch.person_ids(ctx.job.kind, cycle.id), cycle, kind),
        )
        found = messages.get(person.id)
        if found is not None:
            return found
    return owner_message(session, settings, cycle, person, kind, ctx.now)


def _mail_messages(
    ctx: JobContext, person_ids: set[int], cycle: Cycle, kind: MessageKind
) -> dict[int, OwnerMessage]:
    people = ctx.session.scalars(select(Person).where(Person.id.in_(sorted(person_ids))))
    mailed = [p for p in people if wants_mail(p)]
    return owner_messages(ctx.session, ctx.deps.settings, cycle, mailed, kind, ctx.now)


def deliver_by_mail(ctx: JobContext, cycle: Cycle, person: Person, kind: MessageKind) -> None:
    job, session, settings = ctx.job, ctx.session, ctx.deps.settings
    result = dict(job.result or {})
    if result.get("mail_sent"):
        return  # sent by an earlier run that died before it was marked done
    token = result.get("link_token")
    if token is None:
        payload = job.payload or {}
        # A registry change re-queues the prompt with ``refresh``: the form
        # behind the link already shows the new item, so one mail is enough.
        if payload.get("refresh") and _already_mailed(ctx, cycle, person):
            return
        message = batch_owner_message(ctx, cycle, person, kind)
        if message.empty:
            return
        token = issue_link(session, person_id=person.id, cycle_id=cycle.id, now=ctx.now)
        outbox.record_result(session, job, link_token=token)  # commits: the link works
    else:
        message = batch_owner_message(ctx, cycle, person, kind)
    assert settings.smtp_url is not None and settings.mail_from is not None
    assert person.email is not None
    rendered = render_mail(message, link_url(settings, token))
    try:
        mail = compose(
            rendered,
            sender=settings.mail_from,
            to_address=person.email,
            to_name=person.display_name,
            job_id=job.id,
            kind=kind.value,
            now=ctx.now,
        )
    except ValueError as exc:
        raise PermanentFailure(REJECTED, person_id=person.id, detail=str(exc)) from None
    try:
        transport_for(settings.smtp_url.get_secret_value()).send(mail)
    except MailTemporary as exc:
        raise RetryLater(f"smtp: {exc}") from None
    except MailRejected as exc:
        raise PermanentFailure(
            REJECTED, person_id=person.id, cycle_id=cycle.id, detail=str(exc)
        ) from None
    result.pop("link_token", None)
    result.update(mail_sent=ctx.now.isoformat(), message_id=mail.message_id)
    job.result = result  # committed with the job's completion by the scheduler
