"""Multi-workspace installs: Slack's OAuth flow and each workspace's bot token.

On when ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set; it needs
``serve --http`` (Slack redirects the installer's browser to
``/slack/oauth_redirect``, which Socket Mode cannot receive). Everything here
is slack_sdk / Bolt, wired to the bot's settings and database:

* slack_sdk's :class:`SQLAlchemyInstallationStore` and
  :class:`SQLAlchemyOAuthStateStore` on the bot's own database (their tables:
  :mod:`storage.slack_tables`, created by the Alembic chain);
* Bolt's :class:`OAuthFlow` serves ``GET /slack/install`` (a page linking to
  ``SLACK_OAUTH_AUTHORIZE_URL`` with a one-time ``state``, also set as a
  cookie) and ``GET /slack/oauth_redirect`` (state checked and consumed, the
  code exchanged with ``oauth.v2.access`` at ``SLACK_API_URL``, the
  installation saved) with the pages of :mod:`bot.oauth_pages`;
* Bolt's :class:`InstallationStoreAuthorize` picks each request's token from
  the store, and slack_sdk's :class:`TokenRotator` refreshes expiring
  (rotating) tokens before use — for requests and, through
  :meth:`bot.runtime.Deps.for_team`, for outbox jobs.

Every Slack call, the token exchange and refreshes included, goes to
``SLACK_API_URL`` (GovSlack: ``https://slack-gov.com/api/``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, func, select

from bot import oauth_pages
from bot.delivery.registry import PermanentFailure, RetryLater
from bot.oauth_pages import INSTALL_PATH
from bot.settings import Settings
from bot.workspace_scope import ContextExecutor, current, serving
from storage.slack_tables import installations

if TYPE_CHECKING:
    from bot.runtime import Deps

log = logging.getLogger(__name__)

REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600
# Refresh a rotating token this long before it expires (Bolt's default).
ROTATE_MINUTES_BEFORE_EXPIRY = 120
LISTENER_THREADS = 10  # Bolt's own default when it makes the pool itself


class NotInstalled(PermanentFailure):
    """The workspace has no installation (never installed, or uninstalled)."""

    def __init__(self, team_id: str) -> None:
        shown = team_id or '"" (the single-workspace team id)'
        super().__init__(
            "not_installed",
            detail=f"workspace {shown} has no Slack installation of statusbot "
            f"(install it there through {INSTALL_PATH})",
        )
        self.team_id = team_id


class InstalledWorkspaces:
    """The installation store, the state store and token refreshing."""

    def __init__(self, settings: Settings, engine: Engine, api_client: WebClient) -> None:
        assert settings.slack_client_id and settings.slack_client_secret
        self.client_id = settings.slack_client_id
        self.client_secret = settings.slack_client_secret.get_secret_value()
        self.api_client = api_client  # no token; SLACK_API_URL and the retry handlers
        self.engine = engine
        self.store = SQLAlchemyInstallationStore(
            client_id=self.client_id, engine=engine, logger=log
        )
        self.state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log
        )
        self.rotator = TokenRotator(
            client_id=self.client_id, client_secret=self.client_secret, client=api_client
        )
        self._rotating = threading.Lock()

    def installation(self, team_id: str) -> Installation:
        """The workspace's installation with a bot token that is good for now.

        Raises :class:`NotInstalled`, or :class:`RetryLater` when refreshing an
        expiring token failed."""
        found = self.store.find_installation(enterprise_id=None, team_id=team_id or None)
        if found is None or not found.bot_token:
            raise NotInstalled(team_id)
        try:
            return self.refresh(found) or found
        except SlackTokenRotationError as exc:
            error = exc.api_error.response.get("error") if exc.api_error else "unknown"
            raise RetryLater(f"refreshing the bot token of {team_id} failed: {error}") from None

    def refresh(self, installation: Installation) -> Installation | None:
        """A refreshed copy of ``installation`` (saved) when its rotating bot
        token expires soon, else None. One refresh at a time in this process:
        a refresh token is spent by its use."""
        if not _expires_soon(installation):
            return None
        with self._rotating:
            latest = self.store.find_installation(
                enterprise_id=installation.enterprise_id, team_id=installation.team_id
            )
            if latest is not None and latest.bot_token != installation.bot_token:
                installation = latest  # refreshed meanwhile by another thread
                if not _expires_soon(latest):
                    return latest
            rotated = self.rotator.perform_token_rotation(
                installation=installation, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
            )
            if rotated is None:
                return None
            self.store.save(rotated)
            log.info("refreshed the bot token of workspace %s", installation.team_id)
            return rotated

    def client(self, installation: Installation) -> WebClient:
        """A client with the installation's bot token, otherwise like the API client."""
        base = self.api_client
        return WebClient(
            token=installation.bot_token,
            base_url=base.base_url,
            timeout=base.timeout,
            retry_handlers=list(base.retry_handlers or []),
            team_id=installation.team_id,
        )

    def summary(self) -> list[dict[str, Any]]:
        """One row per installed workspace (latest installation): no tokens."""
        c = installations.c
        latest = (
            select(c.team_id, func.max(c.installed_at).label("installed_at"))
            .where(c.client_id == self.client_id)
            .group_by(c.team_id)
            .subquery()
        )
        query = (
            select(
                c.team_id,
                c.team_name,
                c.installed_at,
                c.bot_token_expires_at,
                c.bot_refresh_token.is_not(None).label("rotating"),
            )
            .join(
                latest,
                (latest.c.team_id == c.team_id) & (latest.c.installed_at == c.installed_at),
            )
            .where(c.client_id == self.client_id)
            .order_by(c.team_id)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]


def _expires_soon(installation: Installation) -> bool:
    expires_at = installation.bot_token_expires_at
    if installation.bot_refresh_token is None or expires_at is None:
        return False
    return expires_at <= time.time() + ROTATE_MINUTES_BEFORE_EXPIRY * 60


class WorkspaceAuthorize(InstallationStoreAuthorize):
    """Bolt's store-backed authorize; records the bot ids of the request's
    workspace (``deps.bot_user_id``) and refreshes through
    :meth:`InstalledWorkspaces.refresh`, shared with the outbox jobs."""

    def __init__(self, workspaces: InstalledWorkspaces) -> None:
        super().__init__(
            logger=log,
            installation_store=workspaces.store,
            client_id=workspaces.client_id,
            client_secret=workspaces.client_secret,
            token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
            client=workspaces.api_client,  # refreshes go to SLACK_API_URL, too
            # auth.test once per token, not per request (a refreshed token is a new key).
            cache_enabled=True,
        )
        self.workspaces = workspaces

    def __call__(self, **kwargs: Any) -> AuthorizeResult | None:
        result = super().__call__(**kwargs)
        workspace = current()
        if result is not None and workspace is not None:
            workspace.bot_user_id = result.bot_user_id
            workspace.bot_id = result.bot_id
        return result

    # Bolt's hook for "refresh if due, save, return the new one or None".
    def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        return None if installation is None else self.workspaces.refresh(installation)


class OrgWideInstall(BoltError):
    """An Enterprise Grid organisation-wide install: statusbot serves workspaces
    (every area, role and command is a workspace's), so it is refused."""


class StatusbotOAuthFlow(OAuthFlow):
    """Bolt's flow with the bot's own install page (no images from Slack's CDN)
    that keeps only installs into one workspace."""

    locale = "da"

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return oauth_pages.install_page(url, self.locale)

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        if installation.is_enterprise_install or not installation.team_id:
            self._give_back(installation)
            # Bolt answers with the failure page (oauth_pages.failure names it).
            raise OrgWideInstall(f"org-wide install of {installation.enterprise_id} refused")
        super().store_installation(request, installation)

    def _give_back(self, installation: Installation) -> None:
        """Revoke the refused install's token, so no bot token is left active
        that nothing uses (the organisation's admin still removes the app)."""
        token = installation.bot_token
        if not token:
            return
        try:
            self.client.auth_revoke(token=token)
        except SlackApiError as exc:
            log.warning("revoking the refused org-wide install's token failed: %s", exc)


def enable(deps: Deps) -> InstalledWorkspaces:
    """Give ``deps`` the installed workspaces' tokens (once)."""
    if deps.workspaces is None:
        engine = deps.session_factory.kw["bind"]
        deps.workspaces = InstalledWorkspaces(deps.settings, engine, deps.client)
    return deps.workspaces


def app_options(deps: Deps, listener_executor: Executor | None) -> dict[str, Any]:
    """The ``App`` arguments of a multi-workspace install."""
    workspaces = enable(deps)
    settings = deps.settings
    locale = settings.locale
    oauth_settings = OAuthSettings(
        client_id=workspaces.client_id,
        client_secret=workspaces.client_secret,
        scopes=[s.strip() for s in settings.slack_scopes.split(",") if s.strip()],
        user_scopes=[],
        redirect_uri=settings.slack_oauth_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.slack_oauth_authorize_url,
        installation_store=workspaces.store,
        state_store=workspaces.state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
        callback_options=CallbackOptions(
            success=lambda args: oauth_pages.success(args, locale),
            failure=lambda args: (
                oauth_pages.org_wide(locale)
                if isinstance(args.error, OrgWideInstall)
                else oauth_pages.failure(args, locale)
            ),
        ),
        logger=log,
    )
    authorize = WorkspaceAuthorize(workspaces)
    # OAuthSettings made an authorize of its own whose refreshes would go to
    # slack.com; make sure nothing can use it.
    oauth_settings.authorize = authorize
    flow = StatusbotOAuthFlow(client=deps.client, logger=log, settings=oauth_settings)
    flow.locale = locale
    # Lazy listeners and follow-ups run on pools: carry the request's workspace there.
    pool = listener_executor or ThreadPoolExecutor(
        LISTENER_THREADS, thread_name_prefix="bolt-listener"
    )
    if deps.background is not None and not isinstance(deps.background, ContextExecutor):
        deps.background = ContextExecutor(deps.background)
    return {
        "authorize": authorize,
        # Both given: Bolt then never builds default (file-based) stores from the environment.
        "oauth_flow": flow,
        "oauth_settings": oauth_settings,
        "listener_executor": ContextExecutor(pool),
    }


def attach(app: App) -> None:
    """Serve each request for its own workspace; forget uninstalled ones."""
    app._serving = lambda req: serving(req.context.team_id or "")  # type: ignore[attr-defined]
    # app_uninstalled / tokens_revoked delete the installation (Bolt's listeners).
    app.enable_token_revocation_listeners()


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def oauth_endpoint(app: App) -> WSGIApp | None:
    """``GET /slack/install`` and ``GET /slack/oauth_redirect`` (Bolt's WSGI
    adapter), or None when OAuth is off."""
    if app.oauth_flow is None:
        return None
    handler = SlackRequestHandler(app)

    def endpoint(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return handler(environ, start_response)
        except Exception:
            log.exception("the OAuth install flow failed")
            data = b"internal error"
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))],
            )
            return [data]

    return endpoint
