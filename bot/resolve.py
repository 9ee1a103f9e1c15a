"""E-mail addresses → Slack users.

Owners imported by e-mail (who did not choose to be reached by e-mail,
``Person.channel``) get their Slack id from ``users.lookupByEmail`` (and
name, time zone and locale from ``users.info``). An address Slack does not
know is recorded on the person (``lookup_error``) and reported once to the
coordinators of every area where the person is responsible for something —
never silently skipped. The scheduler runs :func:`resolve_pending` on start
and every tick; job handlers call :func:`slack_id_of` before a DM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.registry import PermanentFailure, RetryLater
from bot.slack_client import retry_after_seconds, slack_error_code
from storage.models import Initiative, Person, RoleGrant

log = logging.getLogger(__name__)

NOT_FOUND = "users_not_found"
ALREADY_LINKED = "already_linked"
# Failures that are about the address, not about Slack being unwell.
_ADDRESS_ERRORS = {NOT_FOUND, "user_not_found", "invalid_email", "account_inactive"}


@dataclass
class ResolveResult:
    resolved: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    reported: list[int] = field(default_factory=list)
    deferred: str | None = None  # why the pass stopped early (rate limit, outage)


class SlackUnavailable(Exception):
    """Slack did not answer usefully now (rate limit, 5xx, network); try later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def lookup(client: WebClient, email: str) -> dict[str, object]:
    """Slack's user for ``email`` (with ``locale``); raises :class:`LookupFailed`
    for an unknown address and :class:`SlackUnavailable` for transient trouble."""
    try:
        user = client.users_lookupByEmail(email=email)["user"]
    except SlackApiError as exc:
        code = slack_error_code(exc)
        if code in _ADDRESS_ERRORS:
            raise LookupFailed(code) from None
        raise SlackUnavailable(code, retry_after_seconds(exc.response.headers)) from None
    except OSError as exc:
        raise SlackUnavailable(f"connection: {exc}") from None
    if user.get("deleted"):
        raise LookupFailed("account_inactive")
    try:
        # lookupByEmail has no locale; users.info has it with include_locale.
        info = client.users_info(user=user["id"], include_locale=True)["user"]
        user = {**user, **info}
    except (SlackApiError, OSError) as exc:
        log.info("users.info for %s failed (%s); keeping the lookup data", user["id"], exc)
    return user


class LookupFailed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def apply_user(session: Session, person: Person, user: dict[str, object]) -> None:
    """Copy a Slack user's id, name, time zone and locale onto ``person``."""
    slack_id = str(user["id"])
    other = session.scalar(
        select(Person).where(
            Person.team_id == person.team_id,
            Person.slack_user_id == slack_id,
            Person.id != person.id,
        )
    )
    if other is not None:
        # Imported twice (once by id, once by e-mail): do not guess a merge.
        raise LookupFailed(ALREADY_LINKED)
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    person.slack_user_id = slack_id
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    if name and not person.display_name:
        person.display_name = str(name)[:200]
    if user.get("tz"):
        person.tz = str(user["tz"])[:64]
    if user.get("locale"):
        person.locale = str(user["locale"])[:16]
    person.lookup_error = None


def areas_of(session: Session, person_id: int) -> list[int]:
    """Areas where the person owns or is delegate for an active initiative
    (else where they hold a coordinator grant): whom to tell about them."""
    rows = session.scalars(
        select(Initiative.area_id)
        .where(
            Initiative.active.is_(True),
            or_(Initiative.owner_id == person_id, Initiative.delegate_id == person_id),
        )
        .distinct()
    ).all()
    if rows:
        return sorted(set(rows))
    grants = session.scalars(
        select(RoleGrant.area_id).where(
            RoleGrant.person_id == person_id, RoleGrant.area_id.is_not(None)
        )
    ).all()
    return sorted({a for a in grants if a is not None})


def report_lookup_failure(session: Session, person: Person, *, now: datetime) -> bool:
    """Queue one notice per area to its coordinators (once: ``lookup_reported_at``)."""
    if person.lookup_reported_at is not None:
        return False
    from bot.delivery.notices import enqueue_failure_notice

    for area_id in areas_of(session, person.id) or [None]:
        enqueue_failure_notice(
            session,
            area_id=area_id,
            person_id=person.id,
            reason=person.lookup_error or NOT_FOUND,
            now=now,
            team_id=person.team_id,
        )
    person.lookup_reported_at = now
    return True


def resolve_pending(
    client: WebClient,
    session_factory: sessionmaker[Session],
    *,
    now: datetime,
    include_failed: bool = False,
    limit: int = 100,
    team_id: str | None = None,
) -> ResolveResult:
    """Look up people with an e-mail and no Slack id; one commit per person
    (only those of workspace ``team_id`` when given: ``client`` has its token).

    Failed addresses are not looked up again each tick, only with
    ``include_failed`` (the scheduler does that on start), so a colleague who
    joins Slack later is found after the next restart or re-import.
    """
    result = ResolveResult()
    with session_factory() as session:
        query = select(Person.id).where(
            Person.email.is_not(None), Person.slack_user_id.is_(None), Person.channel != "email"
        )
        if not include_failed:
            query = query.where(Person.lookup_error.is_(None))
        if team_id is not None:
            query = query.where(Person.team_id == team_id)
        ids = list(session.scalars(query.order_by(Person.id).limit(limit)))
    for person_id in ids:
        with session_factory() as session:
            person = session.get(Person, person_id)
            if person is None or person.slack_user_id or not person.email:
                continue
            try:
                apply_user(session, person, lookup(client, person.email))
                result.resolved.append(person_id)
            except LookupFailed as exc:
                person.lookup_error = exc.code
                result.failed[person_id] = exc.code
                if report_lookup_failure(session, person, now=now):
                    result.reported.append(person_id)
            except SlackUnavailable as exc:
                result.deferred = exc.reason
                session.rollback()
                break
            session.commit()
    if result.resolved or result.failed:
        log.info(
            "resolved %d e-mail address(es), %d unknown to Slack",
            len(result.resolved),
            len(result.failed),
        )
    return result


def teams_pending(session_factory: sessionmaker[Session], include_failed: bool) -> list[str]:
    """The workspaces with people :func:`resolve_pending` would look up."""
    query = select(Person.team_id).where(
        Person.email.is_not(None), Person.slack_user_id.is_(None), Person.channel != "email"
    )
    if not include_failed:
        query = query.where(Person.lookup_error.is_(None))
    with session_factory() as session:
        return list(session.scalars(query.distinct().order_by(Person.team_id)))


def slack_id_of(client: WebClient, session: Session, person: Person, *, now: datetime) -> str:
    """The person's Slack id, looked up by e-mail if needed (for job handlers).

    Raises :class:`PermanentFailure` (reported to coordinators by the
    scheduler) when the person cannot be reached, :class:`RetryLater` when
    Slack is unavailable.
    """
    if person.slack_user_id:
        return person.slack_user_id
    if not person.email:
        raise PermanentFailure("no_slack_account", person_id=person.id)
    if person.lookup_error:
        raise PermanentFailure(person.lookup_error, person_id=person.id)
    try:
        apply_user(session, person, lookup(client, person.email))
    except LookupFailed as exc:
        person.lookup_error = exc.code
        session.commit()
        raise PermanentFailure(exc.code, person_id=person.id) from None
    except SlackUnavailable as exc:
        raise RetryLater(exc.reason) from None
    session.commit()
    assert person.slack_user_id is not None
    return person.slack_user_id


__all__ = [
    "ResolveResult",
    "SlackUnavailable",
    "apply_user",
    "areas_of",
    "lookup",
    "report_lookup_failure",
    "resolve_pending",
    "slack_id_of",
    "teams_pending",
]
