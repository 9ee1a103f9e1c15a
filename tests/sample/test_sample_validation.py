"""load_sample_from rejects inconsistent sample files and names every problem."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.sample import SampleDataError, load_sample_from

FILES = ("registry.csv", "people.json", "baseline.json", "script.json")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = resources.files("bot.sample")
    for name in FILES:
        with resources.as_file(source / name) as path:
            shutil.copy(path, tmp_path / name)
    return tmp_path


def _edit_json(folder: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(SampleDataError) as info:
        load_sample_from(folder)
    return info.value.problems


def test_unchanged_copy_loads(folder: Path) -> None:
    assert len(load_sample_from(folder).registry) == 22


def test_unknown_owner_in_registry(folder: Path) -> None:
    path = folder / "registry.csv"
    text = path.read_bytes().decode()
    path.write_bytes(text.replace("lars.winther@", "lars.vinter@", 1).encode())
    problems = _problems(folder)
    assert any("unknown owner lars.vinter@fjordby.dk" in p and "line " in p for p in problems)


def test_wrong_registry_header(folder: Path) -> None:
    path = folder / "registry.csv"
    text = path.read_bytes().decode()
    path.write_bytes(text.replace("ansvarlig", "ejer", 1).encode())
    assert any("header must be" in p for p in _problems(folder))


def test_registry_row_with_missing_column(folder: Path) -> None:
    path = folder / "registry.csv"
    lines = path.read_bytes().decode().split("\r\n")
    lines[3] = lines[3].rsplit(";", 1)[0]
    path.write_bytes("\r\n".join(lines).encode())
    assert any(p.startswith("registry.csv line 4: expected 5 columns") for p in _problems(folder))


def test_initiative_missing_from_script_and_unknown_initiative(folder: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["actions"][0]["initiative"] = "Et tiltag der ikke findes"

    _edit_json(folder, "script.json", change)
    problems = _problems(folder)
    assert any("initiative not in registry.csv" in p and "der ikke findes" in p for p in problems)
    assert any(p.startswith("script.json: no action for") for p in problems)


def test_unknown_people_are_reported(folder: Path) -> None:
    def script(data: dict[str, Any]) -> None:
        for action in data["actions"]:
            if action["action"] == "delegate":
                action["delegate_to"] = "U0NOBODY"
        data["approvals"] = ["U0DEMO09", "U0DEMO01"]

    def people(data: dict[str, Any]) -> None:
        data["admins"] = ["U0GHOST"]

    _edit_json(folder, "script.json", script)
    _edit_json(folder, "people.json", people)
    problems = _problems(folder)
    assert any("unknown person U0NOBODY" in p for p in problems)
    assert any("unknown person U0GHOST" in p for p in problems)
    assert any("U0DEMO01 is not a coordinator or admin" in p for p in problems)


def test_carry_forward_needs_a_baseline(folder: Path) -> None:
    baseline = json.loads((folder / "baseline.json").read_text(encoding="utf-8"))
    in_baseline = {e["initiative"] for e in baseline["entries"]}

    def change(data: dict[str, Any]) -> None:
        for action in data["actions"]:
            if action["initiative"] not in in_baseline:
                keep = {"track": action["track"], "initiative": action["initiative"]}
                action.clear()
                action.update(keep, action="carry_forward")

    _edit_json(folder, "script.json", change)
    problems = _problems(folder)
    new_initiatives = 22 - len(in_baseline)
    assert new_initiatives >= 1
    assert sum("nothing to carry forward" in p for p in problems) == new_initiatives


def test_send_back_of_an_unanswered_initiative(folder: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        silent = next(a for a in data["actions"] if a["action"] == "none")
        data["send_back"]["track"] = silent["track"]
        data["send_back"]["initiative"] = silent["initiative"]

    _edit_json(folder, "script.json", change)
    assert any("only an initiative answered" in p for p in _problems(folder))


def test_bad_values_are_reported_per_file(folder: Path) -> None:
    def baseline(data: dict[str, Any]) -> None:
        data["entries"][0]["phase"] = "half_done"
        data["entries"][1]["status"] = "   "

    def people(data: dict[str, Any]) -> None:
        data["people"][0]["tz"] = "Europe/Fjordby"
        data["people"][1]["email"] = "not-an-address"

    _edit_json(folder, "baseline.json", baseline)
    _edit_json(folder, "people.json", people)
    problems = _problems(folder)
    assert any(p.startswith("baseline.json: entries.0.phase") for p in problems)
    assert any(p.startswith("baseline.json: entries.1.status") and "empty" in p for p in problems)
    assert any("unknown time zone 'Europe/Fjordby'" in p for p in problems)
    assert any("not an e-mail address" in p for p in problems)


def test_edit_identical_to_baseline_is_rejected(folder: Path) -> None:
    baseline = json.loads((folder / "baseline.json").read_text(encoding="utf-8"))
    previous = {e["initiative"]: e["status"] for e in baseline["entries"]}

    def change(data: dict[str, Any]) -> None:
        edit = next(
            a for a in data["actions"] if a["action"] == "edit" and a["initiative"] in previous
        )
        edit["status"] = previous[edit["initiative"]]

    _edit_json(folder, "script.json", change)
    assert any("the new text equals the baseline's" in p for p in _problems(folder))
