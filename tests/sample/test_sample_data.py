"""The built-in demo data loads, is consistent and exercises what the demo needs."""

from __future__ import annotations

import csv
import difflib
import io
import json
from importlib import resources

import pytest

from bot.sample import (
    REGISTRY_HEADERS,
    CarryForwardAction,
    DelegateAction,
    EditAction,
    InitiativeKey,
    NoAnswerAction,
    SampleData,
    load_sample,
)
from storage.models import Phase
from storage.richtext import StatusText

FILES = ("registry.csv", "people.json", "baseline.json", "script.json")
# CONTRACT.md import columns and their Danish aliases.
CONTRACT_COLUMNS = {
    "område": "area",
    "udviklingsspor": "track",
    "tiltag": "initiative",
    "iværksættelse": "plan",
    "ansvarlig": "owner",
}


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return load_sample()


def _raw(name: str) -> str:
    return (resources.files("bot.sample") / name).read_text(encoding="utf-8")


def _raw_status_texts() -> list[tuple[str, str]]:
    """(where, markup) for every status text written in the JSON files."""
    baseline = json.loads(_raw("baseline.json"))
    script = json.loads(_raw("script.json"))
    texts = [("baseline intro", baseline["intro"]), ("script intro", script["intro"])]
    texts += [(f"baseline {e['initiative']}", e["status"]) for e in baseline["entries"]]
    texts += [
        (f"script {a['initiative']}", a["status"]) for a in script["actions"] if "status" in a
    ]
    texts.append(("send-back revision", script["send_back"]["revised_status"]))
    return texts


def test_files_are_package_data() -> None:
    folder = resources.files("bot.sample")
    for name in FILES:
        assert (folder / name).is_file(), name


def test_load_sample_is_cached_and_shaped(sample: SampleData) -> None:
    assert load_sample() is sample
    assert sample.municipality == "Fjordby Kommune"
    assert sample.area == "Ældre- og Sundhedsområdet"
    assert len(sample.tracks) == 6
    assert 18 <= len(sample.registry) <= 24
    assert len(sample.managers) == 8
    assert len(sample.coordinators) == 2
    assert sample.admins and all(a in sample.coordinators for a in sample.admins)
    # Managers and coordinators are different people.
    assert not {m.slack_user_id for m in sample.managers} & set(sample.people.coordinators)


def test_registry_csv_has_contract_columns(sample: SampleData) -> None:
    text = _raw("registry.csv")
    assert not text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    assert tuple(reader.fieldnames or ()) == REGISTRY_HEADERS
    assert set(CONTRACT_COLUMNS) == set(REGISTRY_HEADERS)
    rows = list(reader)
    assert len(rows) == len(sample.registry)
    emails = {p.email for p in sample.people.people}
    for row in rows:
        assert None not in row, "a row has more columns than the header"
        for column in ("område", "udviklingsspor", "tiltag", "iværksættelse", "ansvarlig"):
            assert row[column].strip(), (column, row)
        assert row["ansvarlig"] in emails
        assert row["ansvarlig"].endswith("@" + sample.people.workspace.email_domain)
    # Tracks appear in contiguous blocks, so file order is report order.
    tracks = [row["udviklingsspor"] for row in rows]
    assert [t for i, t in enumerate(tracks) if i == 0 or tracks[i - 1] != t] == sample.tracks


def test_people_are_complete(sample: SampleData) -> None:
    people = sample.people.people
    assert len({p.slack_user_id for p in people}) == len(people)
    assert len({p.email for p in people}) == len(people)
    assert all(p.slack_user_id.startswith("U0DEMO") for p in people)
    assert all(p.tz == "Europe/Copenhagen" for p in people)
    assert {p.locale for p in people} == {"da-DK", "en-US"}
    assert all(p.display_name and p.title for p in people)


def test_every_status_parses_and_round_trips() -> None:
    texts = _raw_status_texts()
    assert len(texts) > 30
    for where, markup in texts:
        status = StatusText.from_markup(markup)
        assert status, where
        # Written in canonical markup: nothing is lost or reflowed when parsed.
        assert status.to_markup() == markup, where
        assert StatusText.from_markup(status.to_markup()) == status, where
        assert StatusText.from_json(status.to_json()) == status, where


def test_texts_exercise_long_editing_and_bullets() -> None:
    lengths = {where: len(markup) for where, markup in _raw_status_texts()}
    over_3000 = [w for w, n in lengths.items() if n > 3000]
    assert any(w.startswith("baseline") for w in over_3000)
    assert any(w.startswith("script") for w in over_3000)
    assert sum(1 for n in lengths.values() if n >= 1500) >= 3
    assert max(lengths.values()) <= 3500
    with_bullets = [w for w, m in _raw_status_texts() if "\n- " in m or m.startswith("- ")]
    assert len(with_bullets) >= 5


def test_baseline_covers_all_but_new_initiatives(sample: SampleData) -> None:
    registry = {row.key for row in sample.registry}
    baseline = {e.key for e in sample.baseline.entries}
    assert baseline < registry
    new = registry - baseline
    assert 1 <= len(new) <= 2
    for key in new:
        assert isinstance(sample.action(key), EditAction | DelegateAction)
    assert sample.baseline.as_of.isoformat() == "2026-03-31"
    assert sample.script.as_of.isoformat() == "2026-09-30"
    assert {e.phase for e in sample.baseline.entries} >= {
        Phase.IN_PROGRESS,
        Phase.NOT_STARTED,
        Phase.POSTPONED,
    }


def test_script_has_every_kind_of_answer(sample: SampleData) -> None:
    actions = sample.script.actions
    assert len(actions) == len(sample.registry)
    assert len({a.key for a in actions}) == len(actions)
    kinds = {type(a) for a in actions}
    assert kinds == {EditAction, CarryForwardAction, DelegateAction, NoAnswerAction}
    assert any(getattr(a, "after_reminder", False) for a in actions)
    assert any(isinstance(a, EditAction) and a.phase == Phase.COMPLETED for a in actions)
    delegated = [a for a in actions if isinstance(a, DelegateAction)]
    assert len(delegated) == 1
    delegate = sample.person(delegated[0].delegate_to)
    assert delegate != sample.owner(delegated[0].key)
    assert delegate in sample.managers


def test_one_manager_never_answers(sample: SampleData) -> None:
    silent = sample.silent_owners()
    assert len(silent) == 1
    owned = [row for row in sample.registry if row.owner_email == silent[0].email]
    assert len(owned) >= 1
    assert all(isinstance(sample.action(row.key), NoAnswerAction) for row in owned)
    assert all(sample.baseline_entry(row.key) is not None for row in owned)


def test_edits_change_rather_than_rewrite(sample: SampleData) -> None:
    edits = [a for a in sample.script.actions if isinstance(a, EditAction | DelegateAction)]
    compared = 0
    for action in edits:
        previous = sample.baseline_entry(action.key)
        if previous is None:
            continue
        compared += 1
        assert action.status != previous.status
        ratio = difflib.SequenceMatcher(None, previous.status.plain, action.status.plain).ratio()
        assert ratio > 0.3, action.initiative
    assert compared >= 10


def test_send_back_and_approvals(sample: SampleData) -> None:
    send_back = sample.script.send_back
    answered = sample.action(send_back.key)
    assert isinstance(answered, EditAction)
    assert send_back.revised_status != answered.status
    assert len(send_back.revised_status.plain) > len(answered.status.plain)
    assert send_back.by in sample.people.coordinators
    assert "?" in send_back.comment and "Kan du" in send_back.comment
    assert len(sample.script.approvals) == 2
    assert set(sample.script.approvals) == set(sample.people.coordinators)
    assert sample.script.deadline > sample.script.opens_at
    assert sample.script.deadline.date() > sample.script.as_of


def test_lookups(sample: SampleData) -> None:
    row = sample.registry[0]
    assert sample.row(InitiativeKey(row.track, row.title)) == row
    owner = sample.owner(row.key)
    assert sample.person(owner.slack_user_id) == owner
    assert sample.person_by_email(owner.email.upper()) == owner
    with pytest.raises(KeyError):
        sample.person("U0NOBODY")
    with pytest.raises(KeyError):
        sample.row(InitiativeKey("Ingen", "Ingen"))


def test_write_registry_csv_is_byte_identical(sample: SampleData, tmp_path) -> None:
    path = sample.write_registry_csv(tmp_path / "registry.csv")
    source = (resources.files("bot.sample") / "registry.csv").read_bytes()
    assert path.read_bytes() == source


def test_texts_are_our_own() -> None:
    """Nothing from the seed reports' places and names is reused."""
    corpus = "\n".join(_raw(name) for name in FILES)
    for word in (
        "Norddjurs",
        "Grenaa",
        "Ørsted",
        "Auning",
        "Allingåbro",
        "Glesborg",
        "Komponent",
        "Skovstjernen",
        "Ifversen",
        "Koudal",
        "BDO",
    ):
        assert word not in corpus, word
