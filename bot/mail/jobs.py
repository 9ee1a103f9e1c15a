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
(same Message-ID, same link); nothing is lost.

In a fan-out the scheduler runs a thread's jobs in chunks (``Scheduler``'s
``CHUNK``, 8 jobs): each handler decides its mail (:func:`plan_mail`) and
defers it (:class:`MailPlan`); the chunk's links are issued and committed in
one transaction before any of its mails is sent, and each job is marked done
(committed) right after its own mail went out. So the crash window stays one
message: a crash re-sends at most the mail in flight per thread — the *same*
mail (same Message-ID, same link), never a second distinct one. A mail that
fails fails its own job only. 4xx replies and connection
trouble are retried (:class:`RetryLater`), 5xx replies fail the job and
are reported to the area's coordinators (:class:`PermanentFailure`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.message import MessageKind, OwnerMessage, owner_message, owner_messages
from bot.delivery.registry import (
    Deferred,
    JobContext,
    PermanentFailure,
    RetryLater,
    batch_rows,
)
from bot.mail.compose import compose
from bot.mail.render import render_mail
from bot.mail.transport import MailRejected, MailTemporary, transport_for
from bot.settings import Settings
from bot.web.links import issue_links, link_url
from storage import outbox
from storage.models import AccessLink, Cycle, Person

if TYPE_CHECKING:
    from bot.runtime import Deps

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
    # The batch's people as the scheduler read them for its jobs (batch_get).
    people = batch_rows(ctx, Person, "person_id")
    mailed = [people[i] for i in sorted(person_ids) if i in people and wants_mail(people[i])]
    return owner_messages(ctx.session, ctx.deps.settings, cycle, mailed, kind, ctx.now)


@dataclass
class MailPlan(Deferred):
    """One mail its job's handler decided on: plain data, sent by the handler
    itself or, in a chunk, by :meth:`finish` with the others."""

    job_id: int
    kind: MessageKind
    person_id: int
    cycle_id: int
    email: str
    name: str | None
    message: OwnerMessage
    result: dict[str, Any]  # the job's result so far (``link_token`` once issued)

    @classmethod
    def finish(
        cls,
        deps: Deps,
        items: list[MailPlan],
        now: datetime,
        done: Callable[[int, dict[str, Any]], None],
    ) -> list[tuple[int, Exception]]:
        """The links of the chunk's mails in one transaction, committed before
        any of them is sent; then each mail, its job done right after it (a
        failure is its job's alone)."""
        with deps.session_factory() as session:
            issue_planned(session, [p for p in items if "link_token" not in p.result], now)
            session.commit()
        failures: list[tuple[int, Exception]] = []
        for plan in items:
            try:
                result = send_planned(deps.settings, plan, now)
            except Exception as exc:  # the scheduler sorts it as the handler's
                failures.append((plan.job_id, exc))
            else:
                done(plan.job_id, result)
        return failures


def plan_mail(ctx: JobContext, cycle: Cycle, person: Person, kind: MessageKind) -> MailPlan | None:
    """The mail ``person`` is to get now, or None (sent already, or nothing to say)."""
    job = ctx.job
    result = dict(job.result or {})
    if result.get("mail_sent"):
        return None  # sent by an earlier run that died before it was marked done
    fresh = "link_token" not in result
    # A registry change re-queues the prompt with ``refresh``: the form behind
    # the link already shows the new item, so one mail is enough.
    if fresh and (job.payload or {}).get("refresh") and _already_mailed(ctx, cycle, person):
        return None
    message = batch_owner_message(ctx, cycle, person, kind)
    if message.empty and fresh:
        return None
    assert person.email is not None
    return MailPlan(
        job_id=job.id, kind=kind, person_id=person.id, cycle_id=cycle.id,
        email=person.email, name=person.display_name, message=message, result=result,
    )  # fmt: skip


def issue_planned(session: Session, plans: list[MailPlan], now: datetime) -> None:
    """Links for ``plans`` and their tokens in their jobs' results (not committed)."""
    tokens = issue_links(session, [(p.person_id, p.cycle_id) for p in plans], now=now)
    for plan, token in zip(plans, tokens, strict=True):
        plan.result["link_token"] = token
    outbox.write_results(session, {p.job_id: p.result for p in plans})


def send_planned(settings: Settings, plan: MailPlan, now: datetime) -> dict[str, Any]:
    """Render, compose and send ``plan``; returns its job's final result."""
    assert settings.smtp_url is not None and settings.mail_from is not None
    token = plan.result["link_token"]
    rendered = render_mail(plan.message, link_url(settings, token))
    try:
        mail = compose(
            rendered, sender=settings.mail_from, to_address=plan.email, to_name=plan.name,
            job_id=plan.job_id, kind=plan.kind.value, now=now,
        )  # fmt: skip
    except ValueError as exc:
        raise PermanentFailure(REJECTED, person_id=plan.person_id, detail=str(exc)) from None
    try:
        transport_for(settings.smtp_url.get_secret_value()).send(mail)
    except MailTemporary as exc:
        raise RetryLater(f"smtp: {exc}") from None
    except MailRejected as exc:
        raise PermanentFailure(
            REJECTED, person_id=plan.person_id, cycle_id=plan.cycle_id, detail=str(exc)
        ) from None
    result = {k: v for k, v in plan.result.items() if k != "link_token"}
    result.update(mail_sent=now.isoformat(), message_id=mail.message_id)
    return result


def deliver_by_mail(ctx: JobContext, cycle: Cycle, person: Person, kind: MessageKind) -> None:
    plan = plan_mail(ctx, cycle, person, kind)
    if plan is None:
        return
    if ctx.defer is not None:
        ctx.defer(plan)  # sent with the other mails of the scheduler's chunk
        return
    if "link_token" not in plan.result:
        issue_planned(ctx.session, [plan], ctx.now)
        ctx.session.commit()  # the link works before the mail goes out
        outbox.sync_result(ctx.job, plan.result)
    ctx.job.result = send_planned(ctx.deps.settings, plan, ctx.now)
    # committed with the job's completion by the scheduler
