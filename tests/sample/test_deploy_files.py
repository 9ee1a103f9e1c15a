"""Checks on the deployment files that need no Docker engine or systemd."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"
UNIT = ROOT / "deploy" / "statusbot.service"


def _fake_statusbot(tmp_path: Path, init_exit: int = 0) -> Path:
    """A `statusbot` that logs its arguments; `init` exits with ``init_exit``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    script = bin_dir / "statusbot"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\nif [ "$1" = init ]; then exit {init_exit}; fi\nexit 0\n'
    )
    script.chmod(0o755)
    return bin_dir


def _run_entrypoint(tmp_path: Path, *args: str, init_exit: int = 0, **env: str) -> int:
    bin_dir = _fake_statusbot(tmp_path, init_exit)
    environ = {k: v for k, v in os.environ.items() if k != "STATUSBOT_INIT"}
    environ.update(PATH=f"{bin_dir}:{os.environ['PATH']}", **env)
    return subprocess.run(["sh", str(ENTRYPOINT), *args], env=environ, timeout=10).returncode


def _calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_entrypoint_migrates_then_runs_the_command(tmp_path: Path) -> None:
    assert _run_entrypoint(tmp_path, "serve", "--http", "--port", "3000") == 0
    assert _calls(tmp_path) == ["init", "serve --http --port 3000"]


def test_entrypoint_can_skip_the_migration(tmp_path: Path) -> None:
    assert _run_entrypoint(tmp_path, "serve", "--http", STATUSBOT_INIT="0") == 0
    assert _calls(tmp_path) == ["serve --http"]


def test_entrypoint_stops_when_the_migration_fails(tmp_path: Path) -> None:
    assert _run_entrypoint(tmp_path, "serve", "--http", init_exit=3) == 3
    assert _calls(tmp_path) == ["init"]


def test_dockerfile_ports_and_build_context_agree() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd_port = re.search(r'CMD \["serve", "--http", "--port", "(\d+)"\]', dockerfile)
    assert cmd_port
    port = cmd_port.group(1)
    assert f"EXPOSE {port}" in dockerfile
    assert f"127.0.0.1:{port}/healthz" in dockerfile
    assert f'"--port", "{port}"' in (ROOT / "compose.yaml").read_text()
    # What the build needs must not be excluded from the build context.
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in ("pyproject.toml", "README.md", "bot", "storage", "deploy"):
        assert needed not in ignored, needed
        assert (ROOT / needed).exists(), needed


def test_systemd_unit_settings() -> None:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    assert settings["ExecStart"] == ["/opt/statusbot/venv/bin/statusbot serve --socket"]
    assert settings["Restart"] == ["on-failure"]
    assert settings["KillSignal"] == ["SIGTERM"]
    assert settings["NoNewPrivileges"] == ["yes"]
    assert settings["ProtectSystem"] == ["strict"]
    assert settings["ReadWritePaths"] == ["/var/lib/statusbot"]
    assert settings["EnvironmentFile"] == ["/etc/statusbot/statusbot.env"]
    assert "/var/lib/statusbot/" in settings["Environment"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: point it at a real executable.
    unit = tmp_path / "statusbot.service"
    unit.write_text(UNIT.read_text().replace("/opt/statusbot/venv/bin/statusbot", "/bin/true"))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "statusbot.service" not in result.stderr, result.stderr
