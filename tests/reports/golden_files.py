"""Compare output with a stored golden file; STATUSBOT_UPDATE_GOLDEN=1 rewrites it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("STATUSBOT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no golden file {name}; run once with STATUSBOT_UPDATE_GOLDEN=1 and review it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file (STATUSBOT_UPDATE_GOLDEN=1)"
