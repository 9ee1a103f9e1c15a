"""How fast the command line starts.

Times ``statusbot --help`` and two read-only commands (``cycle list``, ``area
list``, on a SQLite database holding the example registry) as wall time of a
fresh process, next to a bare ``python -c pass`` (the interpreter's own start),
interleaved round by round, and prints the medians. Target: each command
≤ 0.5 s. Then ``python -X importtime`` of ``statusbot cycle list``: the
modules with the most cumulative import time, so a regression names itself.

    python bench/cli_startup.py [--rounds 7] [--top 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5
STATUSBOT = [sys.executable, "-c", "from bot.cli import main; main()"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "statusbot --help": [*STATUSBOT, "--help"],
    "statusbot cycle list": [*STATUSBOT, "cycle", "list"],
    "statusbot area list": [*STATUSBOT, "area", "list"],
}


def _run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def import_times(env: dict[str, str], top: int) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the slowest imports of ``cycle list`` (a
    module's figure includes the modules it imported)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *STATUSBOT[1:], "cycle", "list"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "STATUSBOT_DATABASE_URL": f"sqlite:///{Path(tmp) / 'cli.db'}",
            "STATUSBOT_LOCALE": "en",
            "COLUMNS": "160",
        }
        # As installed: the modules' compiled .pyc files are written and used.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([*STATUSBOT, "init"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run(
            [*STATUSBOT, "import", "examples/initiatives.csv"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.rounds):  # interleaved: machine load falls on all alike
            for name, command in COMMANDS.items():
                times[name].append(_run(command, env))
        print(f"wall time of a fresh process, median of {args.rounds} (target ≤ {TARGET_S} s)")
        ok = True
        for name, samples in times.items():
            median = statistics.median(samples)
            verdict = ""
            if name.startswith("statusbot"):
                ok = ok and median <= TARGET_S
                verdict = "ok" if median <= TARGET_S else "OVER"
            print(f"  {name:<22} {median:6.3f} s  (min {min(samples):.3f})  {verdict}")
        print(f"\nslowest imports of `statusbot cycle list` (-X importtime, top {args.top})")
        for cumulative, module in import_times(env, args.top):
            print(f"  {cumulative / 1e6:6.3f} s  {module}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
