"""``notify_failure``: tell an area's coordinators that someone cannot be reached.

Queued by the scheduler when a job fails for good (``user_not_found``,
``cannot_dm_bot``…) and by the e-mail resolver for unknown addresses; the
dedupe key makes it once per area, person and reason.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.text import Mrkdwn
from bot.delivery import recovery
from bot.delivery.registry import JobContext, job_handler
from bot.i18n import normalise_locale, translator
from bot.mail.jobs import NOT_IN_SLACK, wants_mail
from bot.slack_client import is_permanent, slack_error_code
from storage import outbox
from storage.models import Area, Job, Person, Role, RoleGrant

log = logging.getLogger(__name__)

KIND = "notify_failure"
DOMAIN = "runtime"


def enqueue_failure_notice(
    session: Session,
    *,
    area_id: int | None,
    person_id: int | None,
    reason: str,
    now: datetime,
    job_kind: str | None = None,
    cycle_id: int | None = None,
    team_id: str = "",
) -> Job:
    """Queue the notice (flushes, does not commit); one per area+person+reason."""
    key = f"{KIND}:{area_id or '-'}:{person_id or '-'}:{reason}"[:200]
    return outbox.enqueue(
        session,
        KIND,
        {
            "area_id": area_id,
            "person_id": person_id,
            "reason": reason,
            "job_kind": job_kind,
            "cycle_id": cycle_id,
        },
        due_at=now,
        dedupe_key=key,
        cycle_id=cycle_id,
        team_id=team_id,
    )


def coordinators(session: Session, area_id: int | None) -> list[Person]:
    """The area's coordinators, else the admins (someone must hear about it)."""
    people: list[Person] = []
    if area_id is not None:
        people = list(
            session.scalars(
                select(Person)
                .join(RoleGrant, RoleGrant.person_id == Person.id)
                .where(RoleGrant.role == Role.COORDINATOR, RoleGrant.area_id == area_id)
                .order_by(Person.id)
            ).unique()
        )
    if not people:
        people = list(
            session.scalars(
                select(Person)
                .join(RoleGrant, RoleGrant.person_id == Person.id)
                .where(RoleGrant.role == Role.ADMIN)
                .order_by(Person.id)
            ).unique()
        )
    return [p for p in people if p.slack_user_id]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explain(reason: str, person: Person | None, locale: str) -> str:
    _ = translator(DOMAIN, locale).gettext
    email = _escape(person.email) if person is not None and person.email else "?"
    texts = {
        "users_not_found": _("no Slack user has the e-mail address {email}").format(email=email),
        "user_not_found": _("the Slack user does not exist in this workspace"),
        "channel_not_found": _("the Slack user does not exist in this workspace"),
        "cannot_dm_bot": _("the Slack user is a bot, and bots cannot receive direct messages"),
        "account_inactive": _("the Slack account is deactivated"),
        "user_disabled": _("the Slack account is deactivated"),
        "already_linked": _(
            "the e-mail address {email} belongs to a Slack user who is already listed "
            "under another entry"
        ).format(email=email),
        "no_slack_account": _("neither a Slack user id nor an e-mail address is recorded"),
        "gave_up": _("Slack kept failing, and the bot gave up after several attempts"),
        "mail_rejected": _("the mail server refused the e-mail to {email}").format(email=email),
        "mail_not_configured": _(
            "they are to be reached by e-mail, but no mail server is set up (STATUSBOT_SMTP_URL)"
        ),
        "no_email_address": _("they are to be reached by e-mail, but have no e-mail address"),
    }
    return texts.get(reason) or _("Slack answered “{code}”").format(code=_escape(reason))


def notice_text(
    reason: str, person: Person | None, area: Area | None, locale: str, *, by_mail: bool = False
) -> str:
    """The coordinators' notice; ``by_mail``: the person is reached by e-mail instead."""
    _ = translator(DOMAIN, locale).gettext
    who = _escape(person.label) if person is not None else _("someone")
    where = _escape(area.name) if area is not None else _("your area")
    if by_mail and person is not None and person.email:
        return _(
            ":envelope: *{who}* is not in Slack ({why}). Their prompts and reminders for "
            "{area} go by e-mail to {email}, with a personal link to answer."
        ).format(who=who, why=explain(reason, person, locale), area=where,
                 email=_escape(person.email))  # fmt: skip
    return _(
        ":warning: I cannot reach *{who}* in Slack: {why}. Their initiatives in {area} "
        "get no prompts or reminders until this is fixed — correct the owner in the import "
        "file (or grant), or ask them to join Slack."
    ).format(who=who, why=explain(reason, person, locale), area=where)


@job_handler(KIND)
def notify_failure(ctx: JobContext) -> None:
    payload = ctx.job.payload or {}
    area = ctx.session.get(Area, payload["area_id"]) if payload.get("area_id") else None
    person = ctx.session.get(Person, payload["person_id"]) if payload.get("person_id") else None
    reason = str(payload.get("reason") or "unknown")
    sent: dict[str, str] = dict((ctx.job.result or {}).get("sent", {}))
    recipients = coordinators(ctx.session, area.id if area else None)
    by_mail = person is not None and reason == NOT_IN_SLACK and wants_mail(person)
    by_mail = by_mail and ctx.deps.settings.mail_enabled
    if not recipients:
        log.warning(
            "nobody to tell that %s cannot be reached (%s): no coordinator or admin in Slack",
            person.label if person else "?",
            reason,
        )
    for coordinator in recipients:
        if str(coordinator.id) in sent:
            continue  # delivered by an earlier attempt
        locale = normalise_locale(coordinator.locale or ctx.deps.settings.locale)
        text = notice_text(reason, person, area, locale, by_mail=by_mail)
        try:
            _channel, ts = recovery.post_once(
                ctx.deps.client,
                str(coordinator.slack_user_id),
                f"{KIND}:{ctx.job.id}:{coordinator.id}",
                recover=ctx.job.attempts > 1,  # an earlier run may have died mid-post
                **kit.message(Mrkdwn(text), [kit.section(text)]),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if not is_permanent(code):
                raise  # retried by the scheduler; the ones sent are recorded
            # A coordinator we cannot reach either: no notice about the notice.
            log.warning("cannot tell coordinator %s: %s", coordinator.label, code)
            sent[str(coordinator.id)] = f"failed:{code}"
        else:
            sent[str(coordinator.id)] = ts
        outbox.record_result(ctx.session, ctx.job, sent=dict(sent))
