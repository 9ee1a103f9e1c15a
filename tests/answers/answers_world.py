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


def deadline_in(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
