"""Benchmark part (1): how fast the bot acknowledges interactions.

Against the fake Slack, with 1,000 initiatives stored (100 managers × 10, a
previous approved cycle so "No change" has something to carry forward, every
manager already prompted), it sends rounds of 50 concurrent signed requests to
``POST /slack/events`` — ``block_actions`` (No change) and ``view_submission``
(the status modal) — from a separate client process and measures the time
until the HTTP answer (Slack's 3-second ``ack`` clock).

The same bursts go, round by round, to two reference apps on the same server
settings (:mod:`bench.ack_apps`): the *floor* (read the body, check the
signature, answer 200) and a *default Bolt app* with empty listeners. Targets,
as ratios measured in the one run (an absolute figure on a shared machine that
also runs the client says little): statusbot's p50 ≤ 2.5× and p99 ≤ 3× the
floor's. On PostgreSQL a third reference runs too, the floor that also
INSERTs and commits one row per request (``floor-db``), and the target is
against it: p50 and p99 ≤ 1.5× (run ≥ 5 rounds).

Every acknowledged answer is recorded before the answer goes out (see
:mod:`bot.delivery.answers`); applying it and refreshing the prompt run
afterwards in the serving process (its scheduler, woken at once), so they
compete for the same CPU as in production. The bench also reports how long
until every prompt of a round shows its ✓ (``refresh``), and checks that each
request stored exactly one revision.

    python -m bench.slack_bench --part 1 [--rounds 10] [--ack-concurrency 50] [--workers 1]
                                         [--database-url URL]

The app is served as deployed: ``statusbot serve --http`` (gunicorn, ``--workers``
processes; ``--workers 0`` runs it in this process on waitress instead, like
the tests), its own scheduler applying the answers and refreshing the prompts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from bot.blocks import ids
from bot.blocks.modals import UpdateForm, update_modal
from bot.cli.serve import DEFAULT_THREADS
from bot.delivery.refresh import pending_followups
from bot.delivery.surfaces import texts
from bot.testing.harness import SlackHarness
from bot.testing.served import ServedProcess, serve_env
from bot.testing.signer import SignedRequest, post
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import (
    Area,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Job,
    Person,
    PromptMessage,
    Revision,
    Track,
)
from storage.richtext import StatusText

MANAGERS = 100
PER_MANAGER = 10
REFERENCES = ("floor", "bolt")
# statusbot's percentiles over the floor's (the same burst, server and client).
TARGETS = {"p50": 2.5, "p99": 3.0}
# On PostgreSQL, over the floor that also stores one row per request
# (bench.ack_apps floor-db): the ack's essential work is that one commit.
DB_FLOOR = "floor-db"
DB_TARGETS = {"p50": 1.5, "p99": 1.5}


def seed(slack: SlackHarness) -> list[tuple[str, int, int]]:
    """1,000 initiatives; returns (owner's Slack id, cycle id, entry id) per entry."""
    with slack.session_factory() as session:
        area = Area(team_id="", name="Bench", key="bench")
        session.add(area)
        session.flush()
        tracks = [
            Track(area_id=area.id, name=f"Spor {n}", key=f"spor {n}", position=n) for n in range(10)
        ]
        session.add_all(tracks)
        session.flush()
        for m in range(MANAGERS):
            user = f"U{m:05d}"
            slack.fake.add_user(id=user, name=user.lower())
            person = Person(
                team_id="", slack_user_id=user, display_name=user, tz="Europe/Copenhagen"
            )
            session.add(person)
            session.flush()
            for i in range(PER_MANAGER):
                n = m * PER_MANAGER + i
                session.add(
                    Initiative(
                        area_id=area.id,
                        track_id=tracks[n % 10].id,
                        title=f"Initiative {n}",
                        key=f"initiative {n}",
                        position=n,
                        owner_id=person.id,
                    )
                )
        session.flush()
        before = open_cycle(
            session,
            area_id=area.id,
            as_of=(slack.clock.now() - timedelta(days=180)).date(),
            deadline=slack.clock.now() + timedelta(days=1),
            remind=[],
            title=None,
            actor=Actor.cli(),
            now=slack.clock.now(),
        )
        for entry in session.scalars(select(Entry).where(Entry.cycle_id == before.id)):
            entry.status = StatusText.from_markup("Forrige status.\n\n- Et punkt")
            entry.phase = "in_progress"
            entry.source = EntrySource.ANSWER
        before.state = CycleState.APPROVED
        session.execute(delete(Job))  # the old cycle's prompts and digest
        session.flush()
        cycle = open_cycle(
            session,
            area_id=area.id,
            as_of=slack.clock.now().date(),
            deadline=slack.clock.now() + timedelta(days=7),
            remind=[],
            title=None,
            actor=Actor.cli(),
            now=slack.clock.now(),
        )
        session.commit()
        rows = session.execute(
            select(Person.slack_user_id, Entry.cycle_id, Entry.id)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Person, Person.id == Initiative.owner_id)
            .where(Entry.cycle_id == cycle.id)
            .order_by(Entry.id)
        )
        return [(str(u), c, e) for u, c, e in rows]


def _prompts(slack: SlackHarness) -> dict[str, tuple[str, str]]:
    """Slack user → (channel, ts) of their prompt's first message."""
    with slack.session_factory() as session:
        rows = session.execute(
            select(Person.slack_user_id, PromptMessage.channel, PromptMessage.ts)
            .join(Person, Person.id == PromptMessage.person_id)
            .where(PromptMessage.part == 0)
        )
        return {str(user): (channel, ts) for user, channel, ts in rows}


def _carry(
    slack: SlackHarness,
    user: str,
    cycle_id: int,
    entry_id: int,
    prompt: tuple[str, str] | None = None,
) -> SignedRequest:
    """ "No change" clicked in the manager's prompt message."""
    channel, ts = prompt or (None, None)
    return slack.signer.block_action(
        ids.action_id(ids.CARRY, entry_id),
        user_id=user,
        value=ids.EntryRef(cycle_id, entry_id).encode(),
        channel_id=channel,
        message={"type": "message", "ts": ts, "text": ""} if ts else None,
    )


def _submit(slack: SlackHarness, user: str, cycle_id: int, entry_id: int) -> SignedRequest:
    form = UpdateForm(entry_id, cycle_id, "Initiative", "Spor", "Bench", "", "in_progress", None)
    view = update_modal(form, texts("en"))
    values = {
        "status_0": {"text": {"type": "plain_text_input", "value": "Det går godt.\n\n- Punkt"}},
        "phase": {"phase": {"type": "static_select", "selected_option": {"value": "completed"}}},
    }
    return slack.signer.view_submission(view, user_id=user, values=values)


def _timed(url: str, request: SignedRequest) -> tuple[float, int]:
    started = time.perf_counter()
    response = post(url, request)
    return (time.perf_counter() - started) * 1000, response.status


def _fire(url: str, requests: list[SignedRequest]) -> list[tuple[float, int]]:
    """In the client process: send all requests at once, time each answer."""
    barrier = threading.Barrier(len(requests))

    def one(request: SignedRequest) -> tuple[float, int]:
        barrier.wait()
        return _timed(url, request)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(ordered[-1], 1),
    }


def _followups_pending(slack: SlackHarness) -> int:
    with slack.session_factory() as session:
        return pending_followups(session)


def _revisions(slack: SlackHarness, cycle_id: int) -> int:
    with slack.session_factory() as session:
        return int(
            session.scalar(
                select(func.count(Revision.id))
                .join(Entry, Entry.id == Revision.entry_id)
                .where(Entry.cycle_id == cycle_id)
            )
            or 0
        )


def _serve(
    slack: SlackHarness, url: str, workers: int, tmp: str, app: str | None = None
) -> ServedProcess:
    """``statusbot serve --http --workers N`` on the bench's database and fake
    Slack, or (``app``) one of :mod:`bench.ack_apps` on the same server settings."""
    env = serve_env(
        url,
        slack.fake.base_url,
        token=slack.fake.token or "",
        secret=slack.secret,
        STATUSBOT_TICK_SECONDS="1",
        STATUSBOT_LOG_LEVEL="WARNING",
        # `python -m bench.ack_apps` runs in a temporary folder: bench/ is not installed.
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    command = [sys.executable, "-m", "bench.ack_apps", app] if app else None
    return ServedProcess(
        env, Path(tmp), "--workers", str(workers), threads=DEFAULT_THREADS, command=command
    )


def run_ack_bench(
    *,
    rounds: int = 10,
    concurrency: int = 50,
    database_url: str | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Run the benchmark; returns percentiles (ms) per request kind.

    ``workers=0``: the app in this process on waitress (the test harness);
    ``workers=N``: ``statusbot serve --http --workers N`` (gunicorn), as deployed."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        start = datetime.now(UTC)  # served processes run on the real clock
        with SlackHarness(make_session_factory(engine), database_url=url, start=start) as slack:
            entries = seed(slack)
            needed = rounds * concurrency
            if needed > len(entries):
                raise SystemExit(f"at most {len(entries) // concurrency} rounds of {concurrency}")
            slack.drain()  # every manager gets their prompt first: refreshes update it
            cycle_id = entries[0][1]
            prompts = _prompts(slack)
            results: dict[str, list[float]] = {"block_actions": [], "view_submission": []}
            refresh: list[float] = []
            errors = 0
            stop = threading.Event()
            served = _serve(slack, url, workers, tmp) if workers else None
            events_url = served.events_url if served else slack.events_url
            # The same burst against the reference apps on the same server (floor,
            # default Bolt), interleaved round by round so load from elsewhere
            # on the machine falls on all three alike.
            postgres = url.startswith("postgres")
            names = (*REFERENCES, DB_FLOOR) if postgres else REFERENCES
            references = (
                {name: _serve(slack, url, workers, tmp, name) for name in names} if workers else {}
            )
            reference_ms: dict[str, list[float]] = {name: [] for name in references}
            scheduler = threading.Thread(target=slack.scheduler.run, args=(stop,), daemon=True)
            if served is None:
                scheduler.start()
            # The load comes from another process, as Slack's requests come from
            # outside: the client's threads must not share the bot's GIL.
            context = multiprocessing.get_context("spawn")
            try:
                with context.Pool(1) as client:
                    client.apply(time.sleep, (0,))  # started before the clock runs
                    for r in range(rounds):
                        batch = entries[r * concurrency : (r + 1) * concurrency]
                        requests = [
                            ("block_actions", _carry(slack, *row, prompts.get(row[0])))
                            if i % 2 == 0
                            else ("view_submission", _submit(slack, *row))
                            for i, row in enumerate(batch)
                        ]
                        for name, reference in references.items():
                            for ms, status in client.apply(
                                _fire, (reference.events_url, [r for _k, r in requests])
                            ):
                                reference_ms[name].append(ms)
                                errors += status != 200
                        sent = time.perf_counter()
                        timings = client.apply(_fire, (events_url, [r for _k, r in requests]))
                        for (kind, _request), (ms, status) in zip(requests, timings, strict=True):
                            results[kind].append(ms)
                            errors += status != 200
                        # Until every prompt of the round shows its ✓.
                        while _followups_pending(slack) and time.perf_counter() - sent < 60:
                            time.sleep(0.01)
                        refresh.append(time.perf_counter() - sent)
                        slack.executor.wait_idle(60)
            finally:
                stop.set()
                for reference in references.values():
                    reference.stop()
                if served is not None:
                    served.stop()
                else:
                    scheduler.join(30)
            stored = _revisions(slack, cycle_id)
            updates = len(slack.calls("chat.update", ok=True))
        engine.dispose()
    report: dict[str, Any] = {k: percentiles(v) for k, v in results.items()}
    report["all"] = percentiles([x for v in results.values() for x in v])
    report["http_errors"] = errors
    report["revisions_stored"] = stored
    report["requests"] = needed
    report["prompt_updates"] = updates
    report["refresh_seconds"] = {
        "p50": round(statistics.median(refresh), 2),
        "max": round(max(refresh), 2),
    }
    report["database"] = "postgresql" if url.startswith("postgres") else "sqlite"
    report["server"] = f"gunicorn, {workers} worker(s)" if workers else "waitress, in-process"
    for name, samples in reference_ms.items():
        report[name] = percentiles(samples)
    report["threads"] = DEFAULT_THREADS
    if "floor" in report:
        floor = report["floor"]
        report["ratios"] = {
            app: {q: round(report[key][q] / floor[q], 2) for q in ("p50", "p99")}
            for app, key in (("statusbot", "all"), ("bolt", "bolt"))
            if key in report
        }
        report["targets"] = dict(TARGETS)
        met = all(report["ratios"]["statusbot"][q] <= limit for q, limit in TARGETS.items())
        if DB_FLOOR in report:  # PostgreSQL: the target is against the storing floor
            report["ratios_to_floor_db"] = {
                q: round(report["all"][q] / report[DB_FLOOR][q], 2) for q in ("p50", "p99")
            }
            report["targets_to_floor_db"] = dict(DB_TARGETS)
            met = all(report["ratios_to_floor_db"][q] <= limit for q, limit in DB_TARGETS.items())
    else:
        met = True  # in-process (waitress, no reference apps): no ratio to meet
    report["ok"] = met and errors == 0 and stored == needed
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--workers", type=int, default=1, help="serve --http workers (0: in-process waitress)"
    )
    args = parser.parse_args(argv)
    report = run_ack_bench(
        rounds=args.rounds,
        concurrency=args.concurrency,
        database_url=args.database_url,
        workers=args.workers,
    )
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
