"""Helpers of the answers tests (imported by name; the fixtures are in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import Result

REGISTRY = """område;udviklingsspor;tiltag;iværksættelse;ansvarlig
Socialområdet;Organisering;Ny ledelsesstruktur;2026;UOWNERA1
Socialområdet;Organisering;Fælles mødekalender;2026;UOWNERA1
Socialområdet;Faglighed;Fælles mødekalender;2027;mads@example.dk
Børn og unge;Skole;Ny skolestruktur;2026;UOWNERB1
"""

Run = Callable[..., Result]


@dataclass
class Setup:
    cycle: int
    tmp: Path

    def text_file(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path


def registered(cli: Run, tmp: Path, registry: str) -> Path:
    """A fresh database with ``registry`` imported and UCOORD01 coordinating
    Socialområdet; the registry file."""
    cli("init")
    path = tmp / "registry.csv"
    path.write_text(registry, encoding="utf-8")
    cli("import", path)
    cli("roles", "grant", "UCOORD01", "coordinator", "--area", "Socialområdet")
    return path


def open_round(cli: Run, as_of: object, area: str = "Socialområdet") -> int:
    """Open a cycle of ``area`` (deadline in a week); its id."""
    opened = cli("cycle", "open", "--area", area, "--as-of", as_of, "--deadline", deadline_in(7))
    return int(opened.stdout.strip().splitlines()[-1])


def deadline_in(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
