"""Finding people and areas by what an operator types."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, NotFound, PermissionDenied
from bot.registry.identity import text_key
from bot.registry.lengths import too_long
from bot.workflow.actor import Actor
from bot.workflow.messages import fail
from bot.workflow.permissions import is_coordinator
from storage.models import Area, Person

# bot.resolve.ALREADY_LINKED: the address's Slack user is another person (not merged).
ALREADY_LINKED = "already_linked"
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{4,20}$")
MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")


def parse_user(value: str) -> tuple[str | None, str | None] | None:
    """(Slack user id, lower-cased e-mail) from ``U…``/``W…``, ``<@U…>``,
    an e-mail or ``mailto:``; ``(None, None)`` for empty; None when malformed."""
    value = value.strip()
    if not value:
        return (None, None)
    if value.startswith("<@") and value.endswith(">"):  # a pasted mention
        value = value[2:-1].split("|")[0]
    if SLACK_ID.match(value):
        return (value, None)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if EMAIL.match(value):
        return (None, value.lower())
    return None


def find_or_create_person(session: Session, user: str, *, team_id: str = "") -> Person:
    """The person with that Slack id or e-mail, created when unknown (flushed)."""
    parsed = parse_user(user)
    if parsed is None or parsed == (None, None):
        raise fail(
            InvalidInput,
            "“{value}” is neither a Slack user ID (U… or W…) nor an e-mail address.",
            field="user",
            value=user,
        )
    slack_id, email = parsed
    if email and (reason := too_long("email", email)):
        raise InvalidInput(reason, field="user")
    condition = Person.slack_user_id == slack_id if slack_id else Person.email == email
    person = session.scalar(select(Person).where(Person.team_id == team_id, condition))
    if person is None:
        person = Person(team_id=team_id, slack_user_id=slack_id, email=email)
        session.add(person)
        session.flush()
    return person


def find_person(session: Session, user: str, *, team_id: str = "") -> Person:
    slack_id, email = parse_user(user) or (None, None)
    # Only the identifier given: ``email == None`` would match everyone without one.
    condition = Person.slack_user_id == slack_id if slack_id else Person.email == email
    person = None
    if slack_id or email:
        person = session.scalar(select(Person).where(Person.team_id == team_id, condition))
    if person is None:
        raise fail(NotFound, "Nobody with the Slack ID or e-mail “{value}” is known.", value=user)
    return person


def acting_coordinator(session: Session, user: str, area: Area) -> Actor:
    """The person named with ``--as`` at the command line, who must coordinate
    ``area`` or be an administrator; they act with their own rights."""
    person = find_person(session, user, team_id=area.team_id)
    if person.lookup_error == ALREADY_LINKED:
        # Their Slack user is another row: acting as this one could count them twice.
        raise fail(
            InvalidInput,
            "“{value}” is registered twice (by e-mail and by Slack user ID); name them by "
            "their Slack user ID.",
            field="user",
            value=user,
        )
    if not is_coordinator(session, person, area.id):
        raise fail(
            PermissionDenied,
            "{person} is neither a coordinator of {area} nor an administrator, "
            "so cannot act for it.",
            person=person.label,
            area=area.name,
        )
    return Actor.named_at_cli(person)


def find_area(session: Session, text: str, *, team_id: str = "") -> Area:
    """An area of workspace ``team_id`` by id or by name (case and spacing ignored)."""
    value = text.strip()
    area = None
    if value.isdigit():
        area = session.get(Area, int(value))
        if area is not None and area.team_id != team_id:
            area = None  # another workspace's
    if area is None:
        area = session.scalar(
            select(Area).where(Area.team_id == team_id, Area.key == text_key(value))
        )
    if area is None:
        names = session.scalars(
            select(Area.name).where(Area.team_id == team_id).order_by(Area.name)
        )
        known = ", ".join(names) or "—"
        raise fail(
            NotFound, "There is no area “{value}”. Known areas: {known}.", value=text, known=known
        )
    return area


def find_named_person(session: Session, text: str, *, team_id: str = "") -> Person:
    """A person typed in a slash command: ``<@U…>``, ``U…``, an e-mail, or
    ``@name`` (Slack sends names unescaped): a known person's display name or
    the part of their e-mail before the ``@``, when exactly one fits."""
    mention = MENTION.match(text.strip())
    user_id = mention.group(1) if mention else text.strip()
    found = session.scalar(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id == user_id)
    )
    if found is not None:
        return found
    if parse_user(text) not in (None, (None, None)):
        return find_person(session, text, team_id=team_id)
    name = text.strip().removeprefix("@").casefold()
    people = session.scalars(select(Person).where(Person.team_id == team_id)) if name else []
    fits = [
        p
        for p in people
        if (p.display_name or "").casefold() == name
        or (p.email or "").split("@")[0].casefold() == name
    ]
    if len(fits) != 1:
        raise fail(NotFound, "Nobody with the Slack ID or e-mail “{value}” is known.", value=text)
    return fits[0]
