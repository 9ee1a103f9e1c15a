"""Personal links to the web form for owners reached by e-mail.

A link is ``{STATUSBOT_PUBLIC_URL}/answer/<token>``: the token is 32 random
bytes from :mod:`secrets` (256 bits, URL-safe base64); only its SHA-256 (hex)
is stored, in :class:`storage.models.AccessLink`, bound to one person and one
cycle. It stays valid, for revising answers too, until the cycle is approved
(or published), or until it is revoked: when the person no longer owns or is
delegated any item of the cycle (an owner change, a withdrawal, a replaced
delegate: :func:`revoke_unowned`, called by :func:`bot.registry.rounds.reach_rounds`
and the delegation handler).

API:

``issue_link(session, *, person_id: int, cycle_id: int, now=None) -> str``
    Adds a link and returns its raw token (written, not committed);
    ``issue_links(session, [(person_id, cycle_id), …], now=None)`` many at once. Every
    call makes a *new* token and leaves the person's earlier links valid, so
    a link already mailed is never invalidated silently; the raw token exists
    only in the outgoing mail (and the mail job, until it is sent).
``resolve_link(session, token: str, *, include_expired=False) -> AccessLink | None``
    The live link of ``token``: looked up by hash, compared with
    :func:`hmac.compare_digest`; None for an unknown, malformed or revoked
    token, or (unless ``include_expired``) one whose cycle is approved or
    published. With ``include_expired`` the web form can tell "too late"
    (:func:`is_expired`) from "unknown".
``is_expired(link: AccessLink) -> bool``
    Its cycle is approved or published: nothing may be stored through it.
``revoke_links(session, *, person_id: int, cycle_id: int | None, reason: str, now=None) -> int``
    Revokes the person's live links (of one cycle, or of all with None);
    returns how many.
``revoke_unowned(session, *, cycle_id: int, person_ids, reason: str, now=None) -> int``
    Revokes the links of those of ``person_ids`` who no longer own or are
    delegated an active, not withdrawn item of the cycle.
``link_url(settings, token: str) -> str``
    ``{STATUSBOT_PUBLIC_URL}/answer/{token}`` (``LINK_PATH`` is the prefix).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from bot.settings import Settings
from storage.models import AccessLink, Cycle, CycleState, Entry, Initiative
from storage.types import utcnow

TOKEN_BYTES = 32
LINK_PATH = "/answer/"
# token_urlsafe(32) is 43 characters of [A-Za-z0-9_-]; anything else is never ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
EXPIRED_STATES = (CycleState.APPROVED, CycleState.PUBLISHED)
_NO_HASH = "0" * 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_link(
    session: Session, *, person_id: int, cycle_id: int, now: datetime | None = None
) -> str:
    """A new personal link for the person and cycle; returns the raw token."""
    return issue_links(session, [(person_id, cycle_id)], now=now)[0]


def issue_links(
    session: Session, wanted: list[tuple[int, int]], *, now: datetime | None = None
) -> list[str]:
    """A new link for each (person id, cycle id) of ``wanted``, in one
    statement (written, not committed); returns their raw tokens in order."""
    if not wanted:
        return []
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in wanted]
    created = now or utcnow()
    # Core, not the ORM: a fan-out issues a link per mail, and flushing the
    # new rows cost more than the statement (bench.mail_fanout).
    session.execute(
        insert(cast(Table, AccessLink.__table__)),
        [
            {
                "token_hash": token_hash(token),
                "person_id": person_id,
                "cycle_id": cycle_id,
                "created_at": created,
            }
            for token, (person_id, cycle_id) in zip(tokens, wanted, strict=True)
        ],
    )
    return tokens


def is_expired(link: AccessLink) -> bool:
    return link.cycle.state in EXPIRED_STATES


_WITH_PAGE = (
    joinedload(AccessLink.person),
    joinedload(AccessLink.cycle).joinedload(Cycle.area),
)


def resolve_link(
    session: Session, token: str, *, include_expired: bool = False
) -> AccessLink | None:
    """The live link of ``token``, or None (see the module's docstring)."""
    well_formed = isinstance(token, str) and bool(_TOKEN_SHAPE.match(token))
    wanted = token_hash(token) if well_formed else _NO_HASH
    # The person, the cycle and its area come with it: every page needs them.
    query = select(AccessLink).where(AccessLink.token_hash == wanted).options(*_WITH_PAGE)
    link = session.scalar(query)
    # The index finds the row; the comparison that decides is constant-time
    # (and happens for unknown tokens too, so both take the same path).
    stored = link.token_hash if link is not None else _NO_HASH
    if not hmac.compare_digest(stored, wanted) or link is None or not well_formed:
        return None
    if link.revoked_at is not None:
        return None
    if not include_expired and is_expired(link):
        return None
    return link


def revoke_links(
    session: Session,
    *,
    person_id: int,
    cycle_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Revoke the person's live links (flushed, not committed)."""
    query = update(AccessLink).where(
        AccessLink.person_id == person_id, AccessLink.revoked_at.is_(None)
    )
    if cycle_id is not None:
        query = query.where(AccessLink.cycle_id == cycle_id)
    result = session.execute(
        query.values(revoked_at=now or utcnow(), revoke_reason=reason[:100]).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def still_asked(session: Session, *, cycle_id: int, person_ids: Iterable[int]) -> set[int]:
    """Those of ``person_ids`` who own or are delegated an active item the
    cycle still asks about."""
    wanted = {p for p in person_ids if p is not None}
    if not wanted:
        return set()
    rows = session.execute(
        select(Initiative.owner_id, Initiative.delegate_id)
        .join(Entry, Entry.initiative_id == Initiative.id)
        .where(
            Entry.cycle_id == cycle_id,
            Entry.withdrawn_at.is_(None),
            Initiative.active.is_(True),
            or_(Initiative.owner_id.in_(wanted), Initiative.delegate_id.in_(wanted)),
        )
    )
    asked: set[int] = set()
    for owner_id, delegate_id in rows:
        asked.update(p for p in (owner_id, delegate_id) if p in wanted)
    return asked


def revoke_unowned(
    session: Session,
    *,
    cycle_id: int,
    person_ids: Iterable[int | None],
    reason: str,
    now: datetime | None = None,
) -> int:
    """Revoke the links of those of ``person_ids`` the cycle no longer asks
    about. Flushes first, so pending ownership changes count."""
    people = {p for p in person_ids if p is not None}
    if not people:
        return 0
    session.flush()
    revoked = 0
    for person_id in people - still_asked(session, cycle_id=cycle_id, person_ids=people):
        revoked += revoke_links(
            session, person_id=person_id, cycle_id=cycle_id, reason=reason, now=now
        )
    return revoked


def link_url(settings: Settings, token: str) -> str:
    if not settings.public_url:
        from bot.settings import SettingsError

        raise SettingsError("STATUSBOT_PUBLIC_URL is not set (required for e-mailed links)")
    return f"{settings.public_url.rstrip('/')}{LINK_PATH}{token}"
