"""Every ```sh block of README.md runs as written, in order, from a fresh
folder holding the repository's examples and a fresh database, with the
project's environment activated (as the README tells the reader to).

A block the test cannot run stands under a comment saying so and why:
``<!-- README test: skip (reason) -->``, or ``<!-- README test: stands for
`COMMAND` … -->`` when the test runs COMMAND in its place (``make demo`` is
``statusbot demo --out statusbot-demo --keep-db``). Every other block must exit 0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
MARKER = re.compile(r"<!--\s*README test:\s*(skip|stands for `([^`]+)`)(.*?)-->", re.S)


@dataclass
class Block:
    line: int  # of the opening fence
    code: str
    skip: str | None = None  # why the test does not run it
    instead: str | None = None  # what the test runs in its place


def readme_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i
            i += 1
            body = []
            while lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            before = "\n".join(lines[max(0, start - 3) : start])
            marker = MARKER.search(before.split("```")[-1])
            block = Block(start + 1, "\n".join(body))
            if marker and marker.group(1) == "skip":
                block.skip = marker.group(3).strip(" ()") or "no reason given"
            elif marker:
                block.instead = marker.group(2)
            blocks.append(block)
        i += 1
    return blocks


def test_the_readme_has_runnable_blocks_and_every_skip_says_why() -> None:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    runnable = [b for b in blocks if b.skip is None]
    assert len(runnable) >= 8
    assert all(len(b.skip) > 20 for b in blocks if b.skip), "a skip must say why"


@pytest.mark.slow
@pytest.mark.timeout(900)  # some twenty commands and the demo, each starting Python
def test_every_readme_command_block_runs_as_written(tmp_path: Path) -> None:
    home = tmp_path / "statusbot"
    shutil.copytree(ROOT / "examples", home / "examples")
    (home / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STATUSBOT_"))}
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = sys.prefix
    ran = []
    for block in readme_blocks(README.read_text(encoding="utf-8")):
        if block.skip is not None:
            continue
        code = block.instead or block.code
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", code],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert result.returncode == 0, (
            f"README.md line {block.line}: the block failed (exit {result.returncode}):\n"
            f"{code}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
        )
        assert "Traceback" not in result.stderr, f"README.md line {block.line}"
        ran.append(block.line)
    assert len(ran) >= 8
    # The blocks did what they say: the round of the README is cycle 2, with Lene's answer.
    shown = subprocess.run(
        ["statusbot", "cycle", "show", "2"], cwd=home, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0 and "Socialområdet" in shown.stdout, shown.stderr
