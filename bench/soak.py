"""Soak test: a real ``statusbot serve --http`` under steady load (not in CI).

    python -m bench.soak [--minutes 10] [--initiatives 1000] [--managers 300]
                         [--database-url URL] [--seed N]

Against the fake Slack (no network), which answers 5% of all Web API calls
with HTTP 429 (``Retry-After: 1``) and 1% with HTTP 500. One area with
``--initiatives`` initiatives spread over ``--managers`` managers; a cycle is
opened at the start (prompts at once, a reminder round half-way, the deadline
just after the run). During the run every manager answers each of their
initiatives at a random moment (some revise once, some press "No change"),
and the coordinator compiles a draft every minute.

Printed: throughput, ack latency percentiles of the signed requests, the
serving process's RSS over time, and at the end the invariant check — every
manager prompted exactly once, every reminder once, every acknowledged answer
stored exactly once, no job left failed or stuck.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.blocks import ids
from bot.testing.fakeslack import FakeSlack
from bot.testing.served import LAUNCH, serve_env
from bot.testing.signer import SlackSigner, post
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
    Job,
    JobState,
    Person,
    Revision,
    Role,
    RoleGrant,
    Track,
)
from storage.richtext import StatusText

SECRET = "soak-signing-secret"
TOKEN = "xoxb-soak-token"


class FlakySlack(FakeSlack):
    """The fake Slack failing at random: ``p429`` rate limits, ``p500`` errors."""

    def __init__(self, *, p429: float, p500: float, seed: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.p429, self.p500 = p429, p500
        self._rng = random.Random(seed)
        self.injected: Counter[str] = Counter()

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> Any:
        if method != "auth.test":
            roll = self._rng.random()
            if roll < self.p429:
                self.injected["429"] += 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}, None
            if roll < self.p429 + self.p500:
                self.injected["500"] += 1
                return 500, {"ok": False, "error": "internal_error"}, {}, None
        return super()._answer(method, params, token)


# ------------------------------------------------------------------ setup


def seed_world(factory: Any, fake: FakeSlack, *, initiatives: int, managers: int) -> dict:
    users = [f"US{n:05d}" for n in range(managers)]
    with factory() as session:
        people = {}
        for slack_id in [*users, "UCOORD"]:
            fake.add_user(id=slack_id, name=slack_id.lower(), locale="en-US")
            person = Person(
                team_id="",
                slack_user_id=slack_id,
                display_name=slack_id,
                tz="Europe/Copenhagen",
                locale="en-US",
            )
            session.add(person)
            people[slack_id] = person
        area = Area(team_id="", name="Soak", key="soak", default_reminders="")
        session.add(area)
        session.flush()
        tracks = [
            Track(area_id=area.id, name=f"Spor {n}", key=f"spor {n}", position=n) for n in range(8)
        ]
        session.add_all(tracks)
        session.flush()
        baseline = Cycle(
            area_id=area.id,
            as_of=date(2023, 10, 1),
            deadline=datetime(2023, 10, 20, 10, tzinfo=UTC),
            state=CycleState.PUBLISHED,
            is_baseline=True,
        )
        session.add(baseline)
        session.flush()
        for n in range(initiatives):
            owner = people[users[n % managers]]
            initiative = Initiative(
                area_id=area.id,
                track_id=tracks[n % len(tracks)].id,
                title=f"Tiltag {n:04d}",
                key=f"tiltag {n:04d}",
                position=n,
                owner_id=owner.id,
            )
            session.add(initiative)
            session.flush()
            session.add(
                Entry(
                    cycle_id=baseline.id,
                    initiative_id=initiative.id,
                    status=StatusText.from_markup(f"Status for tiltag {n} sidste gang."),
                    phase="in_progress",
                    source=EntrySource.IMPORT,
                )
            )
        session.add(
            RoleGrant(person_id=people["UCOORD"].id, role=Role.COORDINATOR, area_id=area.id)
        )
        session.commit()
        return {"area_id": area.id, "users": users}


def open_soak_cycle(factory: Any, area_id: int, minutes: float) -> tuple[int, dict[str, list[int]]]:
    now = datetime.now(UTC)
    deadline = now + timedelta(minutes=minutes, seconds=90)
    with factory() as session:
        cycle = open_cycle(
            session,
            area_id=area_id,
            as_of=now.date(),
            deadline=deadline,
            remind=[deadline - (now + timedelta(minutes=minutes / 2))],
            title="Soak",
            actor=Actor.cli(),
            now=now,
        )
        session.commit()
        rows = session.execute(
            select(Person.slack_user_id, Entry.id)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .join(Person, Person.id == Initiative.owner_id)
            .where(Entry.cycle_id == cycle.id)
        )
        entries: dict[str, list[int]] = {}
        for slack_id, entry_id in rows:
            entries.setdefault(str(slack_id), []).append(int(entry_id))
        return cycle.id, entries


# ------------------------------------------------------------------ serve


def start_serving(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--http", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=(cwd / "serve.stderr").open("w"),
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"serve did not start: {line!r}; see {cwd / 'serve.stderr'}")
    return proc, line.split("listening on ", 1)[1].split()[0]


def rss_kib(root_pid: int) -> int:
    """Resident memory of a process and its children (gunicorn master + workers)."""
    pids = [root_pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == root_pid:
                pids.append(int(entry))
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


# ------------------------------------------------------------------- load


class Load:
    def __init__(self, url: str, cycle_id: int, entries: dict[str, list[int]], seed: int) -> None:
        self.url = url + "/slack/events"
        self.cycle_id = cycle_id
        self.entries = entries
        self.signer = SlackSigner(secret=SECRET)
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {
            "view_submission": [],
            "block_actions": [],
            "command": [],
        }
        self.acknowledged: dict[int, str] = {}  # entry id → last acknowledged text
        self.carried: set[int] = set()
        self.failures: Counter[str] = Counter()
        self._views = itertools.count(1)

    def _send(self, kind: str, request: Any) -> Any:
        started = time.perf_counter()
        try:
            response = post(self.url, request, timeout=30)
        except OSError as exc:
            with self.lock:
                self.failures[f"{kind}: {type(exc).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response.status != 200:
                self.failures[f"{kind}: HTTP {response.status}"] += 1
        return response

    def answer(self, user: str, entry_id: int, round_: int) -> None:
        text = f"Soak-svar {round_} fra {user} om {entry_id}: alt går efter planen."
        view = {
            "id": f"VSOAK{next(self._views):08d}",
            "type": "modal",
            "callback_id": ids.UPDATE_VIEW,
            "private_metadata": ids.dump_metadata(e=entry_id, c=self.cycle_id, n=1),
            "hash": "1.soak",
        }
        values = {
            ids.STATUS_BLOCK.format(0): {
                ids.STATUS_ACTION: {"type": "plain_text_input", "value": text}
            },
            ids.PHASE_BLOCK: {
                ids.PHASE_BLOCK: {
                    "type": "static_select",
                    "selected_option": {"value": "in_progress"},
                }
            },
        }
        response = self._send(
            "view_submission", self.signer.view_submission(view, user_id=user, values=values)
        )
        if response is not None and response.status == 200 and response.text in ("", "{}"):
            with self.lock:
                self.acknowledged[entry_id] = text
                self.carried.discard(entry_id)
        elif response is not None:
            with self.lock:
                self.failures["view_submission: refused"] += 1

    def no_change(self, user: str, entry_id: int) -> None:
        value = ids.EntryRef(self.cycle_id, entry_id).encode()
        request = self.signer.block_action(
            ids.action_id(ids.CARRY, entry_id), user_id=user, value=value
        )
        response = self._send("block_actions", request)
        if response is not None and response.status == 200:
            with self.lock:
                if entry_id not in self.acknowledged:
                    self.carried.add(entry_id)

    def compile(self) -> None:
        self._send("command", self.signer.command("compile", user_id="UCOORD"))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# ------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--initiatives", type=int, default=1000)
    parser.add_argument("--managers", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--p429", type=float, default=0.05)
    parser.add_argument("--p500", type=float, default=0.01)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="statusbot-soak-"))
    url = args.database_url or f"sqlite:///{workdir / 'soak.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    duration = args.minutes * 60

    with FlakySlack(p429=args.p429, p500=args.p500, seed=args.seed, token=TOKEN) as fake:
        world = seed_world(factory, fake, initiatives=args.initiatives, managers=args.managers)
        env = serve_env(
            url,
            fake.base_url,
            token=TOKEN,
            secret=SECRET,
            STATUSBOT_TICK_SECONDS="1",
            STATUSBOT_LOG_LEVEL="WARNING",
        )
        proc, base = start_serving(env, workdir)
        cycle_id, entries = open_soak_cycle(factory, world["area_id"], args.minutes)
        load = Load(base, cycle_id, entries, args.seed)

        # The plan: each initiative answered at a random moment in the first
        # 90% of the run; 15% revised later, 20% "No change" instead.
        plan: list[tuple[float, str, Any]] = []
        for user, mine in entries.items():
            for entry_id in mine:
                at = rng.uniform(5, duration * 0.9)
                if rng.random() < 0.2:
                    plan.append((at, "carry", (user, entry_id)))
                else:
                    plan.append((at, "answer", (user, entry_id, 0)))
                    if rng.random() < 0.15:
                        plan.append(
                            (rng.uniform(at, duration * 0.95), "answer", (user, entry_id, 1))
                        )
        plan += [(float(m * 60 + 30), "compile", ()) for m in range(int(args.minutes))]
        plan.sort(key=lambda item: item[0])
        print(
            f"soak: {args.minutes:g} min, {args.initiatives} initiatives, "
            f"{args.managers} managers, {len(plan)} planned requests, Slack failing "
            f"{args.p429:.0%} 429 / {args.p500:.0%} 500; database {url.split('://')[0]}",
            flush=True,
        )
        rss: list[tuple[float, int]] = []
        start = time.monotonic()
        pool = ThreadPoolExecutor(16)
        next_sample = 0.0
        for at, kind, params in plan:
            while (now := time.monotonic() - start) < at:
                if now >= next_sample:
                    rss.append((now, rss_kib(proc.pid)))
                    print(f"  t={now:6.0f}s  RSS {rss[-1][1] / 1024:7.1f} MiB", flush=True)
                    next_sample += 30
                time.sleep(min(0.05, at - now))
            if kind == "answer":
                pool.submit(load.answer, *params)
            elif kind == "carry":
                pool.submit(load.no_change, *params)
            else:
                pool.submit(load.compile)
        pool.shutdown(wait=True)
        while time.monotonic() - start < duration:
            time.sleep(0.5)
        rss.append((time.monotonic() - start, rss_kib(proc.pid)))

        # Let the outbox drain (reminders, prompt refreshes, compiles).
        drained = False
        for _ in range(240):
            with factory() as session:
                busy = session.scalar(
                    select(func.count(Job.id)).where(
                        Job.state.in_([JobState.PENDING, JobState.CLAIMED]),
                        Job.kind != "digest",
                        Job.due_at <= datetime.now(UTC),
                    )
                )
            if not busy:
                drained = True
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)

        report = check_invariants(factory, fake, cycle_id, entries, load)
        report["drained"] = drained
        report["exit_code"] = code
        print_report(args, load, fake, rss, elapsed, report, factory)
        return 0 if report["ok"] and drained and code == 0 else 1


def check_invariants(
    factory: Any, fake: FakeSlack, cycle_id: int, entries: dict[str, list[int]], load: Load
) -> dict[str, Any]:
    prompts: Counter[str] = Counter()
    reminders: Counter[str] = Counter()
    with fake.lock:
        messages = list(fake.messages.values())
    for message in messages:
        key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if key.startswith("prompt:"):
            prompts[key] += 1
        elif key.startswith("reminder:"):
            reminders[key] += 1
    problems: list[str] = []
    prompted_people = {k.split(":")[2] for k in prompts}
    if len(prompted_people) != len(entries):
        problems.append(f"{len(prompted_people)} of {len(entries)} managers prompted")
    doubled = {k: n for k, n in (prompts + reminders).items() if n > 1}
    if doubled:
        problems.append(f"doubled DMs: {dict(list(doubled.items())[:5])}")
    with factory() as session:
        for entry_id, wanted in load.acknowledged.items():
            entry = session.get(Entry, entry_id)
            texts = list(
                session.scalars(select(Revision.status).where(Revision.entry_id == entry_id))
            )
            stored = [t.to_markup() for t in texts]
            if entry is None or entry.status.to_markup() != wanted:
                problems.append(f"entry {entry_id}: last acknowledged answer is not its status")
            if stored.count(wanted) != 1:
                problems.append(f"entry {entry_id}: answer stored {stored.count(wanted)} times")
        for entry_id in load.carried:
            entry = session.get(Entry, entry_id)
            if entry is None or entry.source != EntrySource.CARRY_FORWARD:
                problems.append(f"entry {entry_id}: 'No change' not stored")
        failed = session.scalars(select(Job).where(Job.state == JobState.FAILED)).all()
        for job in failed:
            problems.append(f"job {job.id} ({job.kind}) failed: {job.last_error}")
        reminder_jobs = session.scalar(
            select(func.count(Job.id)).where(Job.kind == "reminder", Job.state == JobState.DONE)
        )
    return {
        "ok": not problems,
        "problems": problems,
        "prompts": len(prompts),
        "reminders": len(reminders),
        "reminder_jobs": reminder_jobs,
    }


def print_report(
    args: argparse.Namespace,
    load: Load,
    fake: FlakySlack,
    rss: list[tuple[float, int]],
    elapsed: float,
    report: dict[str, Any],
    factory: Any,
) -> None:
    calls = list(fake.iter_calls())
    requests = sum(len(v) for v in load.latencies.values())
    with factory() as session:
        jobs = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.DONE))
        revisions = session.scalar(select(func.count(Revision.id)))
    print("\n== soak results ==")
    print(
        f"run: {elapsed:.0f} s; signed requests {requests} ({requests / elapsed:.1f}/s); "
        f"jobs done {jobs} ({jobs / elapsed:.2f}/s); revisions stored {revisions}"
    )
    print(f"Slack Web API calls {len(calls)}; injected failures {dict(fake.injected)}")
    for kind, values in load.latencies.items():
        if values:
            p50, p95, p99 = (percentile(values, p) * 1000 for p in (50, 95, 99))
            print(
                f"ack latency {kind:16s} n={len(values):5d}  p50 {p50:6.1f} ms"
                f"  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  max {max(values) * 1000:6.1f} ms"
            )
    if load.failures:
        print(f"request failures: {dict(load.failures)}")
    if len(rss) >= 4:
        half = len(rss) // 2
        first = statistics.mean(v for _t, v in rss[1:half])
        second = statistics.mean(v for _t, v in rss[half:])
        print(
            f"RSS (serve, master + worker): start {rss[0][1] / 1024:.1f} MiB, "
            f"first half mean {first / 1024:.1f} MiB, second half mean {second / 1024:.1f} MiB, "
            f"end {rss[-1][1] / 1024:.1f} MiB ({(second - first) / first:+.1%} half over half)"
        )
    print(
        f"invariants: prompts {report['prompts']} (one per manager), reminder DMs "
        f"{report['reminders']} from {report['reminder_jobs']} reminder jobs, "
        f"acknowledged answers {len(load.acknowledged)}, no-change clicks {len(load.carried)}; "
        f"outbox drained {report['drained']}, serve exit code {report['exit_code']}"
    )
    print("INVARIANTS OK" if report["ok"] else "INVARIANTS VIOLATED:")
    for problem in report["problems"][:20]:
        print(f"  - {problem}")
    print(json.dumps({"ok": report["ok"], "problems": len(report["problems"])}))


if __name__ == "__main__":
    sys.exit(main())
