"""Slack benchmarks against the fake Slack (no network), both parts:

    python -m bench.slack_bench [--part 1|2|all] [--database-url URL]

Part (1), ack latency of ``block_actions`` and ``view_submission`` at 50
concurrent signed requests with 1,000 initiatives stored, against statusbot
and, on the same server settings and client, the floor (signature check only)
and a default Bolt app; it prints all three and the ratios to the floor
(implementation: :mod:`bench.ack_latency`; options ``--rounds``,
``--ack-concurrency``, ``--workers``).
Part (2), here: prompting many managers while the fake enforces Slack's
posting limits — one message per second per channel and a workspace-wide
rate with a small burst allowance, excess answered with HTTP 429 and
``Retry-After`` — through the real path: ``open_cycle`` queues one ``prompt``
job per manager, the scheduler (real handlers, real client with its retry
handlers, real clock) delivers them.

It prints the total time against the theoretical floor (the time the limits
alone impose), duplicates and losses:

    python -m bench.slack_bench --part 2 [--managers 1000] [--rate 50] [--burst 50]
                                         [--concurrency 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.runtime import Deps
from bot.scheduler import Scheduler
from bot.settings import load_settings
from bot.slack_client import build_client
from bot.testing.fakeslack import FakeSlack
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Area, Initiative, Job, JobState, Person, PromptMessage, Track


def theoretical_floor(messages_per_channel: list[int], rate: float, burst: float) -> float:
    """Seconds the limits alone impose: the workspace bucket (``burst`` at once,
    then ``rate`` per second) and one message per second in each channel."""
    total = sum(messages_per_channel)
    workspace = max(0.0, (total - burst) / rate)
    per_channel = max((n - 1 for n in messages_per_channel), default=0)
    return max(workspace, float(per_channel))


def _seed(factory: Any, fake: FakeSlack, managers: int) -> int:
    """One area, ``managers`` owners with one initiative each; returns the area id."""
    with factory() as session:
        area = Area(team_id="", name="Bench", key="bench")
        session.add(area)
        session.flush()
        track = Track(area_id=area.id, name="Track", key="track")
        session.add(track)
        session.flush()
        for n in range(managers):
            slack_id = f"U{n:07d}"
            fake.add_user(id=slack_id, name=f"manager{n}", tz="Europe/Copenhagen", locale="da-DK")
            person = Person(
                team_id="",
                slack_user_id=slack_id,
                display_name=f"Manager {n}",
                tz="Europe/Copenhagen",
                locale="da-DK",
            )
            session.add(person)
            session.flush()
            session.add(
                Initiative(
                    area_id=area.id,
                    track_id=track.id,
                    title=f"Initiative {n}",
                    key=f"initiative {n}",
                    position=n,
                    owner_id=person.id,
                )
            )
        session.commit()
        return area.id


def run_prompt_bench(
    *,
    managers: int = 1000,
    rate: float = 50.0,
    burst: float = 50.0,
    concurrency: int = 8,
    database_url: str | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Part (2). Returns the figures (also printed by :func:`main`)."""
    workdir = tempfile.TemporaryDirectory(prefix="statusbot-bench-")
    url = database_url or f"sqlite:///{Path(workdir.name) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with FakeSlack() as fake:
        area_id = _seed(factory, fake, managers)
        settings = load_settings(
            STATUSBOT_DATABASE_URL=url,
            SLACK_BOT_TOKEN=fake.token,
            SLACK_API_URL=fake.base_url,
            STATUSBOT_LOCALE="da",
            STATUSBOT_TICK_SECONDS=0.05,
        )
        deps = Deps(
            settings=settings,
            session_factory=factory,
            clock=SystemClock(),
            client=build_client(settings, retry_interval=0.05),
            bot_user_id=fake.bot_user_id,
            bot_id=fake.bot_id,
        )
        now = datetime.now(UTC)
        with factory() as session:
            cycle = open_cycle(
                session,
                area_id=area_id,
                as_of=date.today(),
                deadline=now + timedelta(days=14),
                remind=[],
                title="Bench",
                actor=Actor.cli(),
                now=now,
            )
            session.commit()
            cycle_id = cycle.id
        fake.limit_rate(per_channel=1.0, channel_burst=1.0, workspace=rate, workspace_burst=burst)
        scheduler = Scheduler(deps, worker_id="bench", batch=200, concurrency=concurrency)
        stop = threading.Event()
        started = time.monotonic()
        thread = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
        thread.start()

        def pending() -> int:
            with factory() as session:
                return int(
                    session.scalar(
                        select(func.count())
                        .select_from(Job)
                        .where(
                            Job.kind == "prompt",
                            Job.state.in_([JobState.PENDING, JobState.CLAIMED]),
                        )
                    )
                    or 0
                )

        while pending() and time.monotonic() - started < timeout:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        stop.set()
        thread.join(30)

        delivered = fake.calls_to("chat.postMessage", ok=True)
        per_channel = Counter(str(c.response["channel"]) for c in delivered if c.response)
        with factory() as session:
            failed = int(
                session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.kind == "prompt", Job.state == JobState.FAILED)
                )
                or 0
            )
        expected = {fake.dm_channel(f"U{n:07d}") for n in range(managers)}
        # A manager's prompt may span several messages (long lists); one message
        # per stored part is expected, more is a duplicate.
        with factory() as session:
            stored = Counter(
                session.scalars(
                    select(PromptMessage.channel).where(PromptMessage.cycle_id == cycle_id)
                ).all()
            )
        duplicates = sum(max(0, per_channel[ch] - stored.get(ch, 0)) for ch in per_channel)
        lost = len(expected - set(per_channel))
        floor = theoretical_floor([per_channel[ch] for ch in per_channel], rate, burst)
        limited = len([c for c in fake.calls_to("chat.postMessage") if c.status == 429])
    engine.dispose()
    workdir.cleanup()
    return {
        "managers": managers,
        "messages": sum(per_channel.values()),
        "rate_per_second": rate,
        "burst": burst,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "floor_seconds": round(floor, 2),
        "ratio": round(elapsed / floor, 3) if floor else None,
        "answered_429": limited,
        "duplicates": duplicates,
        "lost": lost,
        "failed_jobs": failed,
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
    }


def print_ack(report: dict[str, Any]) -> None:
    labels = {
        "all": "statusbot",
        "floor": "floor (signature)",
        "floor-db": "floor + INSERT",
        "bolt": "default Bolt",
    }
    for kind in ("block_actions", "view_submission", "all", "floor", "floor-db", "bolt"):
        if kind not in report:
            continue
        row = report[kind]
        label = labels.get(kind, kind)
        print(
            f"ack {label:18} n={row['n']:4} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms"
            f"  p99 {row['p99']:7.1f} ms  max {row['max']:7.1f} ms"
        )
    for app, ratio in (report.get("ratios") or {}).items():
        print(f"ack {app} / floor: p50 {ratio['p50']:.2f}×  p99 {ratio['p99']:.2f}×")
    to_db = report.get("ratios_to_floor_db")
    if to_db:  # PostgreSQL: the target is against the floor that stores a row
        db_targets = report["targets_to_floor_db"]
        print(
            f"ack statusbot / floor + INSERT: p50 {to_db['p50']:.2f}×  p99 {to_db['p99']:.2f}×"
            f" (targets ≤ {db_targets['p50']}× and ≤ {db_targets['p99']}×:"
            f" {'met' if report['ok'] else 'NOT met'})"
        )
    targets = report.get("targets")
    if targets and not to_db:
        print(
            f"ack targets: statusbot p50 ≤ {targets['p50']}× and p99 ≤ {targets['p99']}× the floor:"
            f" {'met' if report['ok'] else 'NOT met'}"
        )
    print(
        f"HTTP errors: {report['http_errors']};"
        f" revisions stored {report['revisions_stored']}/{report['requests']};"
        f" prompts showing every ✓ after {report['refresh_seconds']['p50']} s (median round),"
        f" {report['refresh_seconds']['max']} s (worst) [{report['database']}, {report['server']},"
        f" {report.get('threads', '?')} threads]"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="statusbot Slack benchmarks (fake Slack)")
    parser.add_argument("--part", choices=("1", "2", "all"), default="all")
    parser.add_argument("--rounds", type=int, default=10, help="part 1: rounds of requests")
    parser.add_argument(
        "--ack-concurrency", type=int, default=50, help="part 1: requests in flight"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="part 1: serve --http worker processes (0: the app in-process on waitress)",
    )
    parser.add_argument("--managers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="workspace messages/s")
    parser.add_argument("--burst", type=float, default=50.0, help="workspace burst allowance")
    parser.add_argument("--concurrency", type=int, default=8, help="scheduler threads")
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a temporary SQLite file)"
    )
    parser.add_argument(
        "--prompt-database-url",
        default=None,
        help="part 2's empty database with --part all (each part seeds its own)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    ok = True
    if args.part in ("1", "all"):
        from bench.ack_latency import run_ack_bench

        report = run_ack_bench(
            rounds=args.rounds,
            concurrency=args.ack_concurrency,
            database_url=args.database_url,
            workers=args.workers,
        )
        if args.json:
            print(json.dumps({"part": 1, **report}))
        else:
            print_ack(report)
        ok = ok and bool(report["ok"])
    if args.part == "1":
        return 0 if ok else 1
    figures = run_prompt_bench(
        managers=args.managers,
        rate=args.rate,
        burst=args.burst,
        concurrency=args.concurrency,
        database_url=args.prompt_database_url or (args.database_url if args.part == "2" else None),
    )
    if args.json:
        print(json.dumps({"part": 2, **figures}))
    else:
        print(
            f"prompted {figures['managers']} managers ({figures['messages']} messages) in "
            f"{figures['seconds']} s; floor {figures['floor_seconds']} s "
            f"(1 msg/s per channel, {figures['rate_per_second']:g}/s workspace, burst "
            f"{figures['burst']:g}) → {figures['ratio']}× the floor; "
            f"429 answers: {figures['answered_429']}; duplicates: {figures['duplicates']}; "
            f"lost: {figures['lost']}; failed jobs: {figures['failed_jobs']} "
            f"[{figures['database']}, {figures['concurrency']} threads]"
        )
    ok = ok and figures["duplicates"] == 0 and figures["lost"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
