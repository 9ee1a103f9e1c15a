"""``statusbot serve --http [--port N]`` and ``statusbot serve --socket``.

HTTP mode runs gunicorn (threaded workers; ``--workers`` for more processes)
with the WSGI app of :mod:`bot.server` (a request body that has not arrived
within a second is cut off, so slow clients cannot hold the threads); each
worker also runs the outbox scheduler in a thread (on SQLite only one of them claims, see
:class:`bot.scheduler.SingleClaimerLock`). Socket Mode runs one process with
Bolt's Socket Mode adapter and the scheduler.

With OAuth installs (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``, see
:mod:`bot.oauth`) HTTP mode also serves ``/slack/install`` and
``/slack/oauth_redirect`` and needs no ``SLACK_BOT_TOKEN``; Socket Mode is
refused, as it cannot receive Slack's OAuth redirects.

Start-up problems (missing tokens, ``auth.test`` failing, database not
initialised) print one line and exit 2; SIGTERM or Ctrl-C stop cleanly
(requests in flight finish, claimed jobs are handed back) with exit 0.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.helpers import missing_sqlite_file, t
from bot.workflow.messages import set_default_locale

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("statusbot.serve")

EXIT_STARTUP = 2
EXIT_SOCKET_OFF = 3  # Slack turned Socket Mode off for the app while serving


def configure_logging(settings: Settings) -> None:
    from bot.logging_setup import configure_logging as configure

    configure(settings)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"statusbot: {message}", err=True)
    return typer.Exit(EXIT_STARTUP)


def check_database(database_url: str) -> None:
    """The schema must exist (``statusbot init``) and the server must answer."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from bot.slack_client import StartupError
    from storage.db import make_engine
    from storage.models import Job

    missing = missing_sqlite_file(database_url)
    if missing is not None:  # connecting would create an empty file
        raise StartupError(
            t("There is no database at {path}; run `statusbot init` first.", path=missing)
        )
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(select(Job.id).limit(1))
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        raise StartupError(
            t(
                "the database is not reachable or not initialised ({reason}); "
                "run `statusbot init` first",
                reason=reason,
            )
        ) from None
    finally:
        engine.dispose()


def _prepare(settings: Settings, *fields: str) -> dict[str, Any]:
    """Check settings, database and token; return the ``auth.test`` data
    (none with OAuth installs: each workspace's token is checked when used)."""
    from bot.slack_client import build_client, check_token

    settings.require(*fields)
    check_database(settings.database_url)
    if settings.oauth_enabled:
        return {}
    return check_token(build_client(settings))


# Acknowledging is CPU work under one interpreter lock per process: more
# threads only interleave a burst of answers (each finishes later), so a few
# per worker are fastest; two keep one slow request (a database lock wait)
# from holding up the rest. More processes (--workers) add CPU.
DEFAULT_THREADS = 2


def quiet_garbage_collector() -> None:
    """Keep Python's cyclic collector out of the acknowledgements' way: what
    the worker loaded at start is frozen (never scanned again), and full
    collections run less often. A request allocates briefly and frees by
    reference counting; a collection in the middle of a burst of answers is
    a pause every request of the burst waits for."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _make_scheduler_service(deps: Any) -> Any:
    from bot.scheduler import Scheduler, SchedulerService, claimer_lock_for, job_threads

    scheduler = Scheduler(deps, concurrency=job_threads(deps.settings.database_url))
    return SchedulerService(scheduler, lock=claimer_lock_for(deps.settings.database_url))


def serve_http(
    settings: Settings, auth: dict[str, Any], *, host: str, port: int, workers: int, threads: int
) -> None:
    from bot.app import build_app
    from bot.runtime import build_deps
    from bot.server import make_wsgi_app, run_gunicorn

    services: list[Any] = []

    def load() -> Any:
        # Runs in each worker process after the fork: its own engine and client.
        deps = build_deps(settings)
        deps.bot_user_id = str(auth.get("user_id") or "") or None
        deps.bot_id = str(auth.get("bot_id") or "") or None
        app = build_app(deps)
        service = _make_scheduler_service(deps).start()
        services.append(service)
        wsgi = make_wsgi_app(app, deps, scheduler_status=service.status)
        quiet_garbage_collector()
        return wsgi

    routes = "POST /slack/events, GET /healthz"
    if settings.oauth_enabled:
        routes += ", GET /slack/install, GET /slack/oauth_redirect"

    def on_ready(addresses: list[str]) -> None:
        for address in addresses:
            url = address if "://" in address else f"http://{address}"
            typer.echo(f"statusbot: listening on {url} ({routes})")
        sys.stdout.flush()

    def on_worker_exit() -> None:
        for service in services:
            service.stop()

    run_gunicorn(
        load,
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        on_ready=on_ready,
        on_worker_exit=on_worker_exit,
    )


def serve_socket(settings: Settings, auth: dict[str, Any]) -> None:
    """One process: the Socket Mode connection (:mod:`bot.socket_mode`) and
    the scheduler. "connected" is printed once Slack's ``hello`` arrived."""
    from bot.app import build_app
    from bot.runtime import build_deps
    from bot.socket_mode import SocketModeClient, SocketModeError, SocketModeHandler

    deps = build_deps(settings)
    deps.bot_user_id = str(auth.get("user_id") or "") or None
    deps.bot_id = str(auth.get("bot_id") or "") or None
    app = build_app(deps)
    assert settings.slack_app_token is not None
    client = SocketModeClient(
        settings.slack_app_token.get_secret_value(),
        app.client,
        ping_interval=settings.socket_ping_seconds,
        debug_reconnects=settings.socket_debug_reconnects,
    )
    handler = SocketModeHandler(app, client)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        handler.connect()
    except SocketModeError as exc:
        client.close()
        if exc.token_refused:
            raise _fail(
                t(
                    "SLACK_APP_TOKEN was refused by Slack (apps.connections.open: {error}); "
                    "use the app-level token (xapp-…) with connections:write",
                    error=exc.error,
                )
            ) from None
        raise _fail(t("Socket Mode connection failed: {error}", error=exc)) from None
    service = _make_scheduler_service(deps).start()
    typer.echo("statusbot: connected in Socket Mode")
    sys.stdout.flush()
    threading.Thread(
        target=_relay, args=(client.stopped, stop), name="socket-mode-watch", daemon=True
    ).start()
    stop.wait()
    log.info("stopping")
    given_up = client.stop_reason
    handler.close()
    service.stop()
    if given_up:
        raise typer.Exit(EXIT_SOCKET_OFF)


def _relay(source: threading.Event, target: threading.Event) -> None:
    """Set ``target`` once ``source`` is set (the client gave up: stop serving)."""
    source.wait()
    target.set()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        http: bool = typer.Option(False, "--http", help="Serve Slack's HTTP requests."),
        socket: bool = typer.Option(False, "--socket", help="Connect in Socket Mode."),
        port: int = typer.Option(
            3000, "--port", min=0, max=65535, help="HTTP port (0: any free port)."
        ),
        host: str = typer.Option("0.0.0.0", "--host", help="HTTP address to bind."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="HTTP worker processes."),
        threads: int = typer.Option(
            DEFAULT_THREADS, "--threads", min=1, max=256, help="Threads per HTTP worker."
        ),
    ) -> None:
        """Run the bot: Slack requests, and the scheduler that sends prompts and reminders."""
        from bot.settings import SettingsError, load_settings
        from bot.slack_client import StartupError

        if http == socket:
            raise _fail(t("Choose one of --http or --socket."))
        try:
            settings = load_settings()
        except SettingsError as exc:
            raise _fail(str(exc)) from None
        set_default_locale(settings.locale)
        configure_logging(settings)
        if socket and settings.oauth_enabled:
            raise _fail(
                t(
                    "OAuth installs (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set) need "
                    "`statusbot serve --http`: Slack sends the installer's browser to "
                    "/slack/oauth_redirect, which Socket Mode cannot receive"
                )
            )
        if http and settings.oauth_enabled:  # tokens come from the installations
            required: tuple[str, ...] = ("slack_signing_secret",)
        elif http:
            required = ("slack_bot_token", "slack_signing_secret")
        else:
            required = ("slack_bot_token", "slack_app_token")
        try:
            auth = _prepare(settings, *required)
        except (StartupError, SettingsError) as exc:
            raise _fail(str(exc)) from None
        if settings.oauth_enabled:
            log.info("multi-workspace OAuth install: tokens from the installation store")
        else:
            log.info("authenticated as %s in %s", auth.get("user_id"), auth.get("team"))
        if http:
            serve_http(settings, auth, host=host, port=port, workers=workers, threads=threads)
        else:
            serve_socket(settings, auth)
