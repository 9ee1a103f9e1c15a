"""The two reference apps of the ack benchmark, served exactly like
``statusbot serve --http`` (:func:`bot.server.run_gunicorn`: the same worker
class, server settings, workers and threads), so the client measures the same
server around different apps:

- ``floor``: a plain WSGI app that reads the body, checks Slack's signature
  (slack_sdk's :class:`SignatureVerifier`) and answers 200 — the least any
  Slack app must do per request;
- ``floor-db``: the floor that also INSERTs one row per request and commits
  it (PostgreSQL, psycopg, one connection per server thread, autocommit: the
  INSERT is its own transaction, ``synchronous_commit`` on) before answering —
  the least an app that stores every acknowledged answer must do;
- ``bolt``: a default Bolt app (its own WSGI adapter, request verification on)
  with one empty listener per kind: action, view submission, command, event.

    python -m bench.ack_apps floor|floor-db|bolt --port 0 --workers N --threads N

prints ``statusbot: listening on http://…`` when ready (like ``serve``).
Environment: ``SLACK_SIGNING_SECRET``, ``SLACK_BOT_TOKEN``, ``SLACK_API_URL``,
``STATUSBOT_DATABASE_URL`` (``floor-db``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bot.server import run_gunicorn

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def floor_app(signing_secret: str) -> WSGIApp:
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier(signing_secret)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        ok = verifier.is_valid(
            body,
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
            environ.get("HTTP_X_SLACK_SIGNATURE", ""),
        )
        start_response("200 OK" if ok else "401 Unauthorized", [("Content-Length", "0")])
        return [b""]

    return app


FLOOR_TABLE = "bench_ack_floor"


def floor_db_app(signing_secret: str, database_url: str) -> WSGIApp:
    import threading

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as setup:
        setup.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id bigserial PRIMARY KEY, body text)"
        )
    local = threading.local()
    check = floor_app(signing_secret)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []
        answer = check(environ, lambda s, h: status.append(s))
        if status[0].startswith("200"):
            connection = getattr(local, "connection", None)
            if connection is None:
                connection = local.connection = psycopg.connect(
                    conninfo, autocommit=True, options="-c synchronous_commit=on"
                )
            connection.execute(
                f"INSERT INTO {FLOOR_TABLE} (body) VALUES (%s)", (body.decode("utf-8"),)
            )
        start_response(status[0], [("Content-Length", "0")])
        return answer

    return app


def bolt_app(signing_secret: str, token: str, api_url: str) -> WSGIApp:
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        token_verification_enabled=False,
    )
    anything = re.compile(".*")

    def empty(ack: Ack) -> None:
        ack()

    app.action(anything)(empty)
    app.view(anything)(empty)
    app.command(anything)(empty)
    app.event(anything)(empty)
    return SlackRequestHandler(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the ack benchmark's reference apps")
    parser.add_argument("app", choices=("floor", "floor-db", "bolt"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    secret = os.environ["SLACK_SIGNING_SECRET"]

    def load() -> WSGIApp:
        if args.app == "floor":
            return floor_app(secret)
        if args.app == "floor-db":
            return floor_db_app(secret, os.environ["STATUSBOT_DATABASE_URL"])
        return bolt_app(secret, os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"])

    def ready(addresses: list[str]) -> None:
        for address in addresses:
            url = address if "://" in address else f"http://{address}"
            print(f"statusbot: listening on {url} ({args.app})", flush=True)
            sys.stdout.flush()

    run_gunicorn(
        load,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        on_ready=ready,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
