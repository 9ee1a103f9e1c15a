"""``statusbot serve --http`` (and ``--socket``) as a child process, for tests
and benchmarks that need the real deployment (gunicorn workers, the Socket
Mode connection, the scheduler thread, SIGKILL)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# The CLI entry point without relying on the console script being on PATH.
LAUNCH = "import sys; from bot.cli import main; sys.argv[0] = 'statusbot'; main()"


def serve_env(
    database_url: str, api_url: str, *, token: str, secret: str, **extra: str
) -> dict[str, str]:
    """This process's environment without its Slack/statusbot settings, plus
    what ``serve`` needs to run against a fake Slack (``extra`` overrides)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STATUSBOT_"))}
    env.update(
        STATUSBOT_DATABASE_URL=database_url,
        SLACK_API_URL=api_url,
        SLACK_BOT_TOKEN=token,
        SLACK_SIGNING_SECRET=secret,
        STATUSBOT_LOCALE="en",
        STATUSBOT_WORKING_HOURS="off",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class ServedProcess:
    """``statusbot serve --http`` on a free port in its own process group (so
    SIGKILL takes gunicorn's master and workers together, like a machine
    losing power); its stderr goes to a file in ``cwd``."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str, threads: int = 8) -> None:
        self._spawn(
            env,
            cwd,
            *("--http", "--host", "127.0.0.1", "--port", "0", "--threads", str(threads), *args),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until gunicorn listens
        if "listening on" not in line:
            self.kill()
            raise RuntimeError(f"serve did not start: {line!r} {self.stderr()}")
        self.url = line.split("listening on ", 1)[1].split()[0]

    def _spawn(self, env: dict[str, str], cwd: Path, *serve_args: str) -> None:
        self.stderr_path = cwd / f"serve-{time.monotonic_ns()}.stderr"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "serve", *serve_args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            start_new_session=True,
        )

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean-up runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._stderr.close()

    def stop(self) -> int:
        """SIGTERM (clean stop); returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9
        finally:
            if not self._stderr.closed:
                self._stderr.close()
        return code

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")


class SocketServedProcess(ServedProcess):
    """``statusbot serve --socket`` as a child process in its own process
    group; the constructor returns once it printed that it is connected
    (``wait=False``: at once, e.g. to see it fail)."""

    def __init__(self, env: dict[str, str], cwd: Path, *, wait: bool = True) -> None:
        self._spawn(env, cwd, "--socket")
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline() if wait else ""
        if wait and "connected in Socket Mode" not in self.first_line:
            self.kill()
            raise RuntimeError(f"serve --socket did not connect: {self.stderr()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the process used so far (Linux /proc)."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
