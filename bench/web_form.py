"""The answer form's latency against a bare WSGI app, same server, same run.

    .venv/bin/python -m bench.web_form [--clients 20] [--rounds 40]

Both apps are served by waitress with the settings ``statusbot serve`` and the
tests use (:class:`bot.server.ThreadedServer`, :data:`bot.server.SERVER_SETTINGS`,
16 threads) on one SQLite database with ``--clients`` owners, each with three
initiatives, last round's statuses and a personal link:

- ``form``: :class:`bot.web.app.AnswerForm`, as ``serve --http`` mounts it
  (routing, guess limit, CSRF, security headers; a POST checks and stores the
  three answers through the workflow and redirects to the receipt);
- ``bare``: a plain WSGI function that looks the token up (the same hash and
  query) and renders the same template with the same page data — for a POST
  after reading the body with ``urllib.parse.parse_qs`` — and stores nothing.

``--clients`` threads, one owner and one keep-alive connection each, request
GET and POST (each POST a changed text, so every one stores three revisions)
in turns, alternating between the apps round by round. Prints each app's p50
and p99 and the ratios form/bare; the target is p99 ≤ 2× for GET and POST.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SystemClock
from bot.runtime import Deps
from bot.server import ThreadedServer
from bot.settings import load_settings
from bot.web.app import AnswerForm
from bot.web.links import issue_link, token_hash
from bot.web.page import load_page
from bot.web.render import render_page
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.models import (
    AccessLink,
    Area,
    Cycle,
    CycleState,
    EntrySource,
    Initiative,
    Person,
    Track,
)
from storage.richtext import StatusText

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
THREADS = 16
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_ENTRY = re.compile(r'name="status-(\d+)"')


def populate(factory: sessionmaker[Session], owners: int) -> list[str]:
    """``owners`` people reached by e-mail, three initiatives each; their links."""
    now = datetime.now(UTC)
    with factory() as session:
        area = Area(name="Socialområdet", key="socialområdet")
        session.add(area)
        session.flush()
        tracks = [
            Track(area_id=area.id, name=name, key=name.casefold(), position=n)
            for n, name in enumerate(("Organisering", "Faglighed", "Økonomi"))
        ]
        people = [
            Person(email=f"owner{n}@example.org", display_name=f"Ejer {n}", channel="email")
            for n in range(owners)
        ]
        session.add_all([*tracks, *people])
        session.flush()
        for n, person in enumerate(people):
            for k, track in enumerate(tracks):
                title = f"Tiltag {n}.{k}"
                session.add(
                    Initiative(
                        area_id=area.id, track_id=track.id, title=title, key=title.casefold(),
                        position=n * 3 + k, owner_id=person.id,
                    )
                )  # fmt: skip
        session.commit()
        earlier = _open(session, area.id, date.today() - timedelta(days=180), now)
        for entry in earlier.entries:
            entry.status = StatusText.from_markup(
                f"Status for **{entry.initiative.title}**.\n\n- punkt et\n- punkt to"
            )
            entry.phase = "in_progress"
            entry.source = EntrySource.ANSWER
        earlier.state = CycleState.APPROVED
        session.commit()
        cycle = _open(session, area.id, date.today(), now)
        tokens = [issue_link(session, person_id=p.id, cycle_id=cycle.id) for p in people]
        session.commit()
        return tokens


def _open(session: Session, area_id: int, as_of: date, now: datetime) -> Cycle:
    cycle = open_cycle(
        session, area_id=area_id, as_of=as_of, deadline=now + timedelta(days=7), remind=[],
        title=None, actor=Actor.cli(), now=now,
    )  # fmt: skip
    session.commit()
    return cycle


def bare_app(deps: Deps) -> WSGIApp:
    """Look the token up, render the same template with the same data."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        token = environ["PATH_INFO"].removeprefix("/answer/")
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            parse_qs(environ["wsgi.input"].read(length).decode())
        with deps.session_factory() as session:
            link = session.scalar(
                select(AccessLink).where(AccessLink.token_hash == token_hash(token))
            )
            if link is None:
                start_response("404 Not Found", [("Content-Length", "0")])
                return [b""]
            page = load_page(session, link.cycle, link.person, deps.settings, deps.clock.now())
        body = render_page(
            "answer.html.j2", page.locale, page=page, csrf="x", notice=None, errors=[],
            preview=False,
        )  # fmt: skip
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


def client_run(
    port: int, token: str, rounds: int, label: str, out: dict[str, list[float]], start: int
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/answer/{token}"
    for n in range(rounds):
        began = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        page = response.read().decode()
        out["GET"].append(time.perf_counter() - began)
        assert response.status == 200, (label, response.status)
        fields: dict[str, str] = {"action": "submit"}
        found = _CSRF.search(page)
        fields["csrf"] = found.group(1) if found else "x"
        for entry_id in _ENTRY.findall(page):
            fields[f"choice-{entry_id}"] = "update"
            fields[f"status-{entry_id}"] = f"Runde {start + n}: **nyt** om tiltaget.\n\n- et punkt"
            fields[f"phase-{entry_id}"] = "in_progress"
        body = urlencode(fields)
        began = time.perf_counter()
        conn.request(
            "POST", path, body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        response = conn.getresponse()
        response.read()
        out["POST"].append(time.perf_counter() - began)
        if response.status not in (200, 303):  # 503: the database's lock wait ran out
            out["errors"].append(float(response.status))
    conn.close()


def measure(
    port: int, tokens: list[str], rounds: int, label: str, start: int
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"GET": [], "POST": [], "errors": []}
    threads = [
        threading.Thread(target=client_run, args=(port, t, rounds, label, out, start))
        for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


@contextlib.contextmanager
def _database(server: str | None, tmp: Path) -> Iterator[str]:
    if not server:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    from sqlalchemy import text

    from storage.db import make_engine, normalise_url

    schema = f"webbench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in server else "?"
        yield f"{normalise_url(server)}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=40, help="GET+POST pairs per client")
    parser.add_argument("--passes", type=int, default=4, help="alternations between the apps")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to run on (a fresh schema, dropped after); default: SQLite",
    )
    args = parser.parse_args()

    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="statusbot-webbench-") as tmp, _database(
        args.database_url, Path(tmp)
    ) as url:
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        tokens = populate(factory, args.clients)
        os.environ.setdefault("STATUSBOT_LOCALE", "da")
        settings = load_settings(STATUSBOT_DATABASE_URL=url, STATUSBOT_WORKING_HOURS="off")
        deps = Deps(
            settings=settings,
            session_factory=factory,
            clock=SystemClock(),
            client=WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
        )
        servers = {
            "bare": ThreadedServer(bare_app(deps), threads=THREADS).start(),
            "form": ThreadedServer(AnswerForm(deps), threads=THREADS).start(),
        }
        samples: dict[str, dict[str, list[float]]] = {
            name: {"GET": [], "POST": [], "errors": []} for name in servers
        }
        per_pass = max(1, args.rounds // args.passes)
        try:
            measure(servers["form"].port, tokens, 2, "warm-up", 0)
            measure(servers["bare"].port, tokens, 2, "warm-up", 0)
            for n in range(args.passes):
                for name, server in servers.items():
                    got = measure(server.port, tokens, per_pass, name, 10 + n * per_pass)
                    for method in ("GET", "POST", "errors"):
                        samples[name][method].extend(got[method])
        finally:
            for server in servers.values():
                server.stop()
            engine.dispose()
    load = os.getloadavg()[0]
    print(
        f"{args.clients} concurrent clients, {per_pass * args.passes} GET+POST pairs each"
        f" per app, waitress {THREADS} threads,"
        f" {'PostgreSQL' if args.database_url else 'SQLite'}; 1-minute load average {load:.1f}"
    )
    columns = ("bare p50", "bare p99", "form p50", "form p99")
    print(f"{'':6}" + "".join(f"{c:>10}" for c in columns) + f"{'ratio p99':>11}")
    within = True
    for method in ("GET", "POST"):
        bare, form = samples["bare"][method], samples["form"][method]
        ratio = p(form, 99) / p(bare, 99)
        within &= ratio <= 2.0
        print(
            f"{method:6}{p(bare, 50):>8.1f}ms{p(bare, 99):>8.1f}ms{p(form, 50):>8.1f}ms"
            f"{p(form, 99):>8.1f}ms{ratio:>10.2f}×"
        )
    for name in servers:
        if samples[name]["errors"]:
            print(f"{name}: {len(samples[name]['errors'])} POSTs answered 503 (busy database)")
    print(f"form p99 within 2× of bare: {'yes' if within else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
