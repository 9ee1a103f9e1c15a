"""The bot's runtime dependencies, passed to listeners, job handlers and the scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.slack_client import build_client, check_token
from bot.workspace_scope import PerWorkspace
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import ProcessedEvent

if TYPE_CHECKING:
    from bot.oauth import InstalledWorkspaces


@dataclass
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock
    # Bot token, base_url=settings.slack_api_url, retry handlers for 429/5xx/connection.
    # With OAuth installs it has no token: see ``for_team`` and bot.workspace_scope.
    client: WebClient
    # The workspace whose data listeners see; with OAuth installs, the request's.
    team_id: str = PerWorkspace("")  # type: ignore[assignment]
    bot_user_id: str | None = PerWorkspace(None)  # type: ignore[assignment]
    bot_id: str | None = PerWorkspace(None)  # type: ignore[assignment]
    # Set by listeners that queued outbox work, so the scheduler runs it at once.
    wakeup: threading.Event = field(default_factory=threading.Event, repr=False)
    # Bounded pool for follow-up Slack calls after a request (notices, confirmations).
    background: Executor | None = field(default=None, repr=False)
    # Multi-workspace OAuth installs (bot.oauth): the installed workspaces' tokens.
    workspaces: InstalledWorkspaces | None = field(default=None, repr=False)

    def for_team(self, team_id: str) -> Deps:
        """These deps acting for workspace ``team_id`` outside a request (outbox
        jobs): with OAuth installs, a client with that workspace's bot token
        (refreshed first when it is about to expire), else ``self``. Raises
        :class:`bot.oauth.NotInstalled` for a workspace without installation."""
        if self.workspaces is None:
            return self
        installation = self.workspaces.installation(team_id)
        return replace(
            self,
            client=self.workspaces.client(installation),
            team_id=team_id,
            bot_user_id=installation.bot_user_id,
            bot_id=installation.bot_id,
        )


log = logging.getLogger(__name__)
BACKGROUND_THREADS = 4


def wake_scheduler(deps: Deps) -> None:
    """Outbox work was committed: let this process's scheduler tick now."""
    deps.wakeup.set()


def after_response(deps: Deps, fn: Callable[..., Any], /, *args: Any) -> None:
    """Run ``fn(*args)`` on the bounded background pool (never in the request
    thread: the acknowledgement does not wait for it). Failures are logged."""
    if deps.background is None:
        deps.background = ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="statusbot-bg")

    def run() -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("follow-up work after a request failed")

    deps.background.submit(run)


def build_deps(
    settings: Settings,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
    client: WebClient | None = None,
    verify: bool = False,
) -> Deps:
    """Wire the real dependencies from ``settings``.

    With ``verify`` the token is checked with ``auth.test`` (raising
    :class:`bot.slack_client.StartupError`) and the bot's ids are filled in.
    The team id stays ``""`` for a single-workspace install; with
    ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` set the installed workspaces'
    tokens come from the installation store (:mod:`bot.oauth`).
    """
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        clock=clock or SystemClock(),
        client=client or build_client(settings),
    )
    if settings.oauth_enabled:
        from bot.oauth import enable

        enable(deps)
    if verify:
        info = check_token(deps.client)
        deps.bot_user_id = str(info.get("user_id") or "") or None
        deps.bot_id = str(info.get("bot_id") or "") or None
    return deps


def claim_key(session_factory: sessionmaker[Session], key: str, *, now: datetime) -> bool:
    """Record ``key`` as processed; False if it was already (a duplicate delivery).

    Use for anything Slack may deliver twice: event ids, view submission ids,
    double-clicked buttons. Committed at once in its own transaction.
    """
    session = session_factory()
    try:
        session.add(ProcessedEvent(key=key[:200], created_at=now))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False
    finally:
        session.close()


def forget_key(session_factory: sessionmaker[Session], key: str) -> None:
    """Undo :func:`claim_key` (the handling failed, so a retry must be processed)."""
    with session_scope(session_factory) as session:
        session.execute(delete(ProcessedEvent).where(ProcessedEvent.key == key[:200]))
