"""E-mail fan-out: 1,000 owners reached by e-mail get their prompt.

    python -m bench.mail_fanout [--owners 1000] [--database-url URL] [--concurrency N]

One real SMTP server (aiosmtpd, :mod:`bot.testing.mailsink`) runs in this
process. Each side runs in a child process of its own, measured from its
first message to its last (process start-up and imports excluded):

* **statusbot**: ``open_cycle`` has queued one ``prompt`` job per owner; the
  production :class:`bot.scheduler.Scheduler` with the job threads ``statusbot
  serve`` gives it (:func:`bot.scheduler.job_threads`: one on a SQLite file,
  four on PostgreSQL; ``--concurrency`` to try others) and its real handlers
  (message model, personal link, jinja2 rendering, the MIME bytes, the pooled
  ``smtplib`` transport) delivers them until none is left;
* **bare smtplib**: the same 1,000 messages, byte for byte as the server
  received them from statusbot, sent by a plain ``smtplib`` loop on one
  reused connection.

Then a second statusbot run on a fresh database is SIGKILLed in the middle and
restarted (the dead worker's leases expired the way time would expire them):
every owner must have exactly one distinct message (Message-ID) — 0 lost,
0 duplicates — and every link in them must resolve. It prints both times, the
ratio (target ≤ 1.2) and the counts; the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.testing.mailsink import MailSink

TARGET = 1.2
SENDER = "Statusbot <status@kommune.dk>"
PUBLIC_URL = "https://status.kommune.dk"


def owner_email(n: int) -> str:
    return f"leder{n:04d}@kommune.dk"


def prepare(database_url: str, owners: int) -> None:
    """A fresh database: one area, ``owners`` owners reached by e-mail with two
    initiatives each and a previous status, and an open cycle (prompts queued)."""
    from bot.workflow.actor import Actor
    from bot.workflow.cycles import open_cycle
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.models import (
        Area,
        Cycle,
        CycleState,
        Entry,
        EntrySource,
        Initiative,
        Person,
        Track,
    )
    from storage.richtext import StatusText

    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with factory() as session:
        area = Area(name="Børn & Unge", key="børn & unge", default_reminders="")
        session.add(area)
        session.flush()
        tracks = [
            Track(area_id=area.id, name=f"Spor {k}: <Trivsel>", key=f"spor {k}", position=k)
            for k in range(2)
        ]
        session.add_all(tracks)
        people = [
            Person(email=owner_email(n), display_name=f"Leder {n} <Ø>", channel="email")
            for n in range(owners)
        ]
        session.add_all(people)
        session.flush()
        baseline = Cycle(
            area_id=area.id, as_of=date(2025, 10, 1), deadline=datetime(2025, 10, 20, tzinfo=UTC),
            state=CycleState.PUBLISHED, is_baseline=True,
        )  # fmt: skip
        session.add(baseline)
        session.flush()
        position = 0
        for person in people:
            for track in tracks:
                initiative = Initiative(
                    area_id=area.id, track_id=track.id, title=f"Tiltag {position} & co",
                    key=f"tiltag {position}", position=position, owner_id=person.id,
                )  # fmt: skip
                session.add(initiative)
                session.flush()
                session.add(
                    Entry(
                        cycle_id=baseline.id,
                        initiative_id=initiative.id,
                        status=StatusText.from_markup(f"Sidste status for tiltag {position}."),
                        source=EntrySource.IMPORT,
                    )
                )
                position += 1
        open_cycle(
            session, area_id=area.id, as_of=now.date(), deadline=now + timedelta(days=14),
            remind=[], title=None, actor=Actor.cli(), now=now,
        )  # fmt: skip
        session.commit()
    engine.dispose()


def worker(database_url: str, smtp_url: str, concurrency: int) -> None:
    """Child process: the production scheduler delivers every due job."""
    from slack_sdk import WebClient

    from bot.clock import SystemClock
    from bot.runtime import Deps
    from bot.scheduler import Scheduler
    from bot.settings import load_settings
    from storage.db import make_engine, make_session_factory
    from storage.models import Job, JobState

    settings = load_settings(
        STATUSBOT_DATABASE_URL=database_url,
        STATUSBOT_SMTP_URL=smtp_url,
        STATUSBOT_MAIL_FROM=SENDER,
        STATUSBOT_PUBLIC_URL=PUBLIC_URL,
        STATUSBOT_LOCALE="da",
    )
    factory = make_session_factory(make_engine(database_url))
    deps = Deps(settings=settings, session_factory=factory, clock=SystemClock(),
                client=WebClient(token="xoxb-unused"))  # fmt: skip
    scheduler = Scheduler(deps, concurrency=concurrency, resolve_emails=False)
    # Warm-up outside the measurement: imports, the first template compile.
    from bot.mail import jobs, render  # noqa: F401

    print("ready", flush=True)
    started = time.perf_counter()
    while True:
        result = scheduler.tick(kinds=["prompt"])
        if result.claimed == 0:
            with factory() as session:
                left = session.scalar(
                    select(func.count(Job.id)).where(
                        Job.kind == "prompt", Job.state.in_([JobState.PENDING, JobState.CLAIMED])
                    )
                )
            if not left:
                break
            time.sleep(0.05)
    elapsed = time.perf_counter() - started
    scheduler.release()
    print(json.dumps({"elapsed": elapsed}), flush=True)


def bare(port: int, spool: str) -> None:
    """Child process: a plain smtplib loop sending the spooled messages."""
    messages = json.loads(Path(spool).read_text())
    print("ready", flush=True)
    started = time.perf_counter()
    conn = smtplib.SMTP("127.0.0.1", port)
    for sender, recipients, data in messages:
        conn.sendmail(sender, recipients, base64.b64decode(data))
    conn.quit()
    print(json.dumps({"elapsed": time.perf_counter() - started}), flush=True)


def child(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.mail_fanout", *args],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def finish(proc: subprocess.Popen[str]) -> float:
    out, _ = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode})")
    return float(json.loads(out.strip().splitlines()[-1])["elapsed"])


def expire_leases(database_url: str) -> None:
    from storage.db import make_engine
    from storage.models import Job, JobState

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            update(Job).where(Job.state == JobState.CLAIMED)
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )  # fmt: skip
    engine.dispose()


def check(sink: MailSink, database_url: str, owners: int) -> tuple[int, int, int]:
    """(lost, duplicates, resent): owners without a distinct message, owners
    with more than one, and mails received twice with the same Message-ID."""
    from bot.web.links import LINK_PATH, resolve_link
    from storage.db import make_engine, make_session_factory

    ids: dict[str, set[str]] = {}
    raw = Counter()
    tokens = []
    for message in sink.messages:
        to = message["To"].addresses[0].addr_spec
        ids.setdefault(to, set()).add(message["Message-ID"])
        raw[message["Message-ID"]] += 1
        text = message.get_body(("plain",)).get_content()
        tokens.append(text.split(PUBLIC_URL + LINK_PATH, 1)[1].split()[0])
    lost = sum(1 for n in range(owners) if owner_email(n) not in ids)
    duplicates = sum(1 for found in ids.values() if len(found) > 1)
    resent = sum(count - 1 for count in raw.values())
    factory = make_session_factory(make_engine(database_url))
    with factory() as session:
        dead = sum(1 for token in set(tokens) if resolve_link(session, token) is None)
    if dead:
        raise SystemExit(f"{dead} mailed link(s) do not resolve")
    return lost, duplicates, resent


def fresh_url(base: str | None, folder: Path, name: str) -> str:
    if not base:
        return f"sqlite:///{folder / name}.db"
    from sqlalchemy import text

    from storage.db import make_engine

    schema = f"bench_{name}_{os.getpid()}"
    engine = make_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument(
        "--concurrency", type=int, help="job threads (default: what `statusbot serve` runs)"
    )
    parser.add_argument("--database-url", default=os.environ.get("STATUSBOT_BENCH_DATABASE_URL"))
    parser.add_argument("--worker", nargs=2, metavar=("DB", "SMTP"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, metavar=("PORT", "SPOOL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.concurrency)
        return 0
    if args.bare:
        bare(int(args.bare[0]), args.bare[1])
        return 0
    from bot.scheduler import job_threads

    # A SQLite file runs one job thread under `serve`, PostgreSQL four.
    threads = args.concurrency or job_threads(args.database_url or "sqlite:///fanout.db")

    with tempfile.TemporaryDirectory() as tmp, MailSink() as sink:
        folder = Path(tmp)
        # 1. statusbot, timed, no crash.
        url = fresh_url(args.database_url, folder, "timed")
        prepare(url, args.owners)
        ours = finish(child("--worker", url, sink.url, "--concurrency", str(threads)))
        lost, duplicates, resent = check(sink, url, args.owners)
        # 2. the same messages through a bare smtplib loop.
        spool = folder / "spool.json"
        with sink.lock:
            spool.write_text(
                json.dumps(
                    [
                        (env[0], env[1], base64.b64encode(raw).decode())
                        for raw, env in zip(sink.raw, sink.envelopes, strict=True)
                    ]
                )
            )
        sink.clear()
        floor = finish(child("--bare", str(sink.port), str(spool)))
        assert len(sink.messages) == args.owners
        sink.clear()
        # 3. statusbot again on a fresh database, SIGKILLed mid-run.
        url = fresh_url(args.database_url, folder, "killed")
        prepare(url, args.owners)
        proc = child("--worker", url, sink.url, "--concurrency", str(threads))
        while len(sink.messages) < args.owners // 2:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        at_kill = len(sink.messages)
        expire_leases(url)
        finish(child("--worker", url, sink.url, "--concurrency", str(threads)))
        k_lost, k_duplicates, k_resent = check(sink, url, args.owners)

    ratio = ours / floor
    print(f"owners reached by e-mail:      {args.owners}  ({threads} job thread(s))")
    print(f"statusbot (scheduler):         {ours:.2f} s  ({args.owners / ours:.0f} mails/s)")
    print(f"bare smtplib loop:             {floor:.2f} s  ({args.owners / floor:.0f} mails/s)")
    print(f"ratio statusbot / bare:        {ratio:.2f}  (target <= {TARGET})")
    print(f"clean run: lost {lost}, duplicates {duplicates}, resent {resent}")
    print(
        f"SIGKILL after {at_kill} mails: lost {k_lost}, duplicates {k_duplicates}, "
        f"resent with the same Message-ID {k_resent}"
    )
    ok = ratio <= TARGET and not (lost or duplicates or k_lost or k_duplicates)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
