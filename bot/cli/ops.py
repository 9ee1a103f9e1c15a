"""``statusbot doctor``: checks an installation and says in plain words what is wrong.

Checks, in order: the settings load; the tokens ``serve`` needs are set; the
database answers and its schema is at the migration head; Slack accepts the
bot token (``auth.test``) and granted every bot scope of ``slack/manifest.yml``
(from the ``x-oauth-scopes`` header of that answer); with OAuth installs, which
workspaces have installed the app. Exit 0 when all is well,
1 when anything is wrong. Secrets are never printed: the database URL is shown
without its password and Slack errors by their code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.helpers import missing_sqlite_file, nt, t
from bot.workflow.messages import N_, use_locale

if TYPE_CHECKING:
    from bot.settings import Settings

DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


@dataclass
class Report:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (mark, text)
    problems: int = 0
    locale: str | None = None  # the settings' language, once they load

    def ok(self, text: str) -> None:
        self.lines.append(("ok", text))

    def note(self, text: str) -> None:
        self.lines.append(("note", text))

    def problem(self, text: str) -> None:
        self.lines.append(("PROBLEM", text))
        self.problems += 1


def check_settings(settings: Settings, report: Report) -> None:
    if settings.slack_bot_token is None and not settings.oauth_enabled:
        report.problem(
            t(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from the "
                "app's OAuth & Permissions page (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "for multi-workspace installs)"
            )
        )
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        report.problem(
            t(
                "neither SLACK_SIGNING_SECRET (needed by `serve --http`) nor SLACK_APP_TOKEN "
                "(needed by `serve --socket`) is set"
            )
        )
    mode = []
    if settings.slack_signing_secret is not None:
        mode.append("serve --http")
    if settings.slack_app_token is not None:
        mode.append("serve --socket")
    if mode:
        report.ok(t("settings: ready for {modes}", modes=t(" and ").join(mode)))
    if settings.oauth_enabled:
        report.ok(
            t(
                "settings: multi-workspace OAuth install is enabled (authorize page {url})",
                url=settings.slack_oauth_authorize_url,
            )
        )
        if settings.slack_signing_secret is None:
            report.problem(
                t(
                    "OAuth installs need `serve --http` and so SLACK_SIGNING_SECRET "
                    "(Socket Mode cannot receive Slack's OAuth redirects)"
                )
            )
    if not settings.slack_api_url.startswith("https://"):
        report.note(t("SLACK_API_URL is not https: {url}", url=settings.slack_api_url))


def check_database(settings: Settings, report: Report) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import make_engine
    from storage.migrate import current_revision, head_revision

    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:  # connecting would create it
        report.problem(t("there is no database at {path}: run `statusbot init`", path=missing))
        return
    engine = make_engine(settings.database_url)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        report.problem(
            t("the database at {database} does not answer: {reason}", database=shown, reason=reason)
        )
        return
    finally:
        engine.dispose()
    head = head_revision()
    if current is None:
        report.problem(
            t("the database at {database} has no schema yet: run `statusbot init`", database=shown)
        )
    elif current == head:
        report.ok(
            t(
                "database: {database} answers; schema is current ({current})",
                database=shown,
                current=current,
            )
        )
    elif current in known_revisions():
        report.problem(
            t(
                "the database schema is at revision {current}, this version needs {head}: "
                "run `statusbot init` to upgrade it (back up the database first)",
                current=current,
                head=head,
            )
        )
    else:
        report.problem(
            t(
                "the database schema is at revision {current}, which this version of statusbot "
                "does not know (its newest is {head}): the database was upgraded by a newer "
                "statusbot; run that version",
                current=current,
                head=head,
            )
        )


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def manifest_scopes(path: Path) -> set[str]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def check_slack(settings: Settings, report: Report, manifest: Path | None) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    if settings.slack_bot_token is None:
        return
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=10,
    )
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        hint = {
            "invalid_auth": N_("the token is wrong or was revoked"),
            "not_authed": N_("no token was sent"),
            "account_inactive": N_("the app was uninstalled or the workspace deactivated"),
            "token_revoked": N_("the token was revoked"),
            "token_expired": N_("the token expired (token rotation is on for this app)"),
        }.get(str(error), N_("see Slack's auth.test documentation"))
        report.problem(
            t(
                "Slack refused SLACK_BOT_TOKEN ({error}): {hint}; copy the current Bot User "
                "OAuth Token from the app's OAuth & Permissions page",
                error=error,
                hint=t(hint),
            )
        )
        return
    except Exception as exc:  # network: DNS, refused, timeout, TLS
        report.problem(
            t(
                "cannot reach the Slack API at {url} ({error}); check SLACK_API_URL and the "
                "network",
                url=settings.slack_api_url,
                error=type(exc).__name__,
            )
        )
        return
    team = response.get("team") or response.get("team_id")
    report.ok(
        t(
            "slack: the bot token works (bot {bot} in {team})",
            bot=response.get("user_id"),
            team=team,
        )
    )
    header = _header(response.headers, "x-oauth-scopes")
    if manifest is None or not manifest.exists():
        report.note(t("slack/manifest.yml not found: scopes not checked (use --manifest)"))
        return
    if header is None:
        report.note(t("Slack did not report the token's scopes; they were not checked"))
        return
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = sorted(manifest_scopes(manifest) - granted)
    if missing:
        report.problem(
            t(
                "the bot token lacks the scope(s) {scopes} that the manifest asks for: add "
                "them under OAuth & Permissions → Bot Token Scopes (or update the app from "
                "slack/manifest.yml) and reinstall the app to the workspace",
                scopes=", ".join(missing),
            )
        )
    else:
        report.ok(t("slack: every scope of the manifest is granted"))


def check_installations(settings: Settings, report: Report) -> None:
    """OAuth installs: the installed workspaces (never their tokens)."""
    if not settings.oauth_enabled or missing_sqlite_file(settings.database_url):
        return
    from slack_sdk import WebClient
    from sqlalchemy.exc import SQLAlchemyError

    from bot.oauth import INSTALL_PATH, InstalledWorkspaces
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        api = WebClient(base_url=settings.slack_api_url)
        rows = InstalledWorkspaces(settings, engine, api).summary()
    except SQLAlchemyError:
        report.note(t("OAuth: the installations could not be read (see the database line)"))
        return
    finally:
        engine.dispose()
    if not rows:
        report.note(
            t(
                "OAuth: no workspace has installed statusbot yet: open {path} on the serving "
                "host (`serve --http`) to install it",
                path=INSTALL_PATH,
            )
        )
        return
    report.ok(t("OAuth: installed in {count} workspace(s)", count=len(rows)))
    for row in rows:
        installed = f"{row['installed_at']:%Y-%m-%d %H:%M} UTC"
        if row["rotating"] and row["bot_token_expires_at"] is not None:
            token = t(
                "rotating token, expires {when} UTC",
                when=f"{row['bot_token_expires_at']:%Y-%m-%d %H:%M}",
            )
        else:
            token = t("token does not expire")
        name = f" ({row['team_name']})" if row["team_name"] else ""
        report.ok(
            t(
                "OAuth: workspace {team}{name}: installed {installed}, {token}",
                team=row["team_id"],
                name=name,
                installed=installed,
                token=token,
            )
        )


def _header(headers: object, name: str) -> str | None:
    items = headers.items() if hasattr(headers, "items") else []
    for key, value in items:
        if str(key).lower() == name:
            return value[0] if isinstance(value, list | tuple) else str(value)
    return None


def run_doctor(manifest: Path | None = DEFAULT_MANIFEST) -> Report:
    from bot.settings import SettingsError, load_settings

    report = Report()
    try:
        settings = load_settings()
    except SettingsError as exc:
        report.problem(str(exc))
        return report
    report.locale = settings.locale
    with use_locale(settings.locale):
        check_settings(settings, report)
        check_database(settings, report)
        check_slack(settings, report, manifest)
        check_installations(settings, report)
    return report


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        manifest: Annotated[
            Path,
            typer.Option("--manifest", help="The Slack app manifest to check scopes against."),
        ] = DEFAULT_MANIFEST,
    ) -> None:
        """Check settings, database, Slack token and scopes; say what is wrong."""
        report = run_doctor(manifest)
        with use_locale(report.locale):
            for mark, text in report.lines:
                typer.echo(f"{mark:>7}  {text}")
            if report.problems:
                typer.echo(
                    nt(
                        "statusbot doctor: {n} problem found",
                        "statusbot doctor: {n} problems found",
                        report.problems,
                    )
                )
                raise typer.Exit(1)
            typer.echo(t("statusbot doctor: everything looks right"))
