"""Issue 11: imports and registry commands keep every initiative's identity,
owners and history, and their changes reach the collecting round."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.blocks.review import DraftSummary, TrackCounts, draft_message
from bot.errors import InvalidState, NotFound
from bot.importing import ImportRejected, import_file
from bot.registry.changes import move, rename, retire
from bot.registry.identity import find_initiative
from bot.review.compile import summarise
from bot.workflow.actor import Actor
from bot.workflow.cycles import open_cycle
from bot.workflow.entries import people_to_prompt, submit_update
from reports import build_document
from storage.models import Entry, Initiative, Job, Person
from storage.richtext import StatusText

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEAD = "nr;område;udviklingsspor;tiltag;iværksættelse;ansvarlig\n"
FULL = (
    HEAD + "SOC-1;Soc;Org;Ny chef;2026;U0AAAAAA1\n"
    "SOC-2;Soc;Org;Møder;Løbende;U0BBBBBB1\n"
    "SOC-3;Soc;Økonomi;Budget;2027;U0CCCCCC1\n"
)


def run(session, tmp_path, text, name="f.csv", **kwargs):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = import_file(session, path, actor=Actor.cli(), now=NOW, **kwargs)
    session.commit()
    return result


def by_nr(session, nr):  # type: ignore[no-untyped-def]
    return session.scalar(select(Initiative).where(Initiative.nr == nr))


def test_a_file_without_the_owner_column_keeps_owners_and_delegates(session, tmp_path):
    run(session, tmp_path, FULL)
    delegate = Person(slack_user_id="U0DDDDDD1")
    session.add(delegate)
    session.flush()
    by_nr(session, "SOC-1").delegate_id = delegate.id
    session.commit()
    result = run(session, tmp_path, "nr;område;udviklingsspor;tiltag\nSOC-1;Soc;Org;Ny chef\n")
    assert any("ansvarlig" in note for note in result.notes)
    soc1 = by_nr(session, "SOC-1")
    assert soc1.owner.slack_user_id == "U0AAAAAA1" and soc1.delegate_id == delegate.id
    assert soc1.plan == "2026"  # no plan column either: unchanged
    # Only a present, empty cell clears.
    run(session, tmp_path, HEAD + "SOC-1;Soc;Org;Ny chef;;\n")
    soc1 = by_nr(session, "SOC-1")
    assert soc1.owner_id is None and soc1.plan == ""


def test_a_one_row_file_retires_nothing_unless_asked(session, tmp_path):
    run(session, tmp_path, FULL)
    result = run(session, tmp_path, HEAD + "SOC-1;Soc;Org;Ny chef;2026;U0AAAAAA1\n")
    assert (result.retired, result.missing) == (0, 2)
    assert all(i.active for i in session.scalars(select(Initiative)))
    result = run(session, tmp_path, HEAD + "SOC-1;Soc;Org;Ny chef;2026;U0AAAAAA1\n",
                 retire_missing=True)  # fmt: skip
    assert result.retired == 2 and not by_nr(session, "SOC-2").active


def test_with_a_key_rename_and_move_keep_the_initiative(session, tmp_path):
    run(session, tmp_path, FULL)
    first = by_nr(session, "SOC-1").id
    result = run(session, tmp_path, HEAD + "SOC-1;Soc Nord;Ledelse;Ny områdechef;2026;U0AAAAAA1\n")
    assert (result.created, result.moved, result.renamed) == (0, 1, 1)
    moved = by_nr(session, "SOC-1")
    assert moved.id == first and moved.title == "Ny områdechef"
    assert moved.track.area.name == "Soc Nord"


def test_dry_run_changes_nothing(session, tmp_path, session_factory):
    run(session, tmp_path, FULL)
    path = tmp_path / "d.csv"
    path.write_text(HEAD + "SOC-1;Soc;Org;Andet navn;2026;U0EEEEEE1\n", encoding="utf-8")
    with session_factory() as dry:
        result = import_file(dry, path, actor=Actor.cli(), now=NOW, retire_missing=True)
        assert [(c.kind, c.line) for c in result.changes if c.kind != "unchanged"] == [
            ("renamed", 2), ("retired", None), ("retired", None),
        ]  # fmt: skip
        dry.rollback()
    session.expire_all()
    assert by_nr(session, "SOC-1").title == "Ny chef"
    assert all(i.active for i in session.scalars(select(Initiative)))


def test_formula_cell_is_an_error_naming_the_cell(session, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["område", "udviklingsspor", "tiltag", "ansvarlig"])
    sheet.append(["Soc", "Org", "Ny chef", "U0AAAAAA1"])
    sheet.append(["Soc", "Org", '=CONCAT("Ny ";"plan")', "U0AAAAAA1"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as caught:
        import_file(session, path, actor=Actor.cli(), now=NOW)
    assert [str(p) for p in caught.value.problems] == ["line 3: C3 holds a formula; paste values."]
    assert session.scalar(select(Initiative)) is None


def test_a_key_twice_is_refused(session, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        run(session, tmp_path, HEAD + "SOC-1;Soc;Org;A;;\nsoc-1;Soc;Org;B;;\n")
    assert "appears twice (also on line 2)" in str(caught.value.problems[0])


def test_find_initiative_by_key_id_or_title(session, tmp_path):
    run(session, tmp_path, FULL)
    soc2 = by_nr(session, "SOC-2")
    assert find_initiative(session, "soc-2") is soc2
    assert find_initiative(session, str(soc2.id)) is soc2
    assert find_initiative(session, f"#{soc2.id}") is soc2
    assert find_initiative(session, "  MØDER ") is soc2
    with pytest.raises(NotFound, match="initiative list"):
        find_initiative(session, "Findes ikke")


# --- the collecting round -----------------------------------------------------


def _open(session, area_id):  # type: ignore[no-untyped-def]
    cycle = open_cycle(
        session, area_id=area_id, as_of=date(2026, 3, 31), deadline=NOW + timedelta(days=10),
        remind=[], title=None, actor=Actor.cli(), now=NOW,
    )  # fmt: skip
    session.commit()
    return cycle


def _jobs(session, kind):  # type: ignore[no-untyped-def]
    return [j.payload for j in session.scalars(select(Job).where(Job.kind == kind))]


def test_registry_changes_reach_the_collecting_round(session, tmp_path):
    run(session, tmp_path, FULL)
    soc1, soc2 = by_nr(session, "SOC-1"), by_nr(session, "SOC-2")
    cycle = _open(session, soc1.area_id)
    a, b = soc1.owner, soc2.owner
    # Added mid-round: joins the round and its (new) owner gets a prompt.
    run(session, tmp_path, FULL + "SOC-4;Soc;Org;Nyt tiltag;;U0FFFFFF1\n")
    soc4 = by_nr(session, "SOC-4")
    assert session.scalar(select(Entry).where(Entry.initiative_id == soc4.id)) is not None
    assert soc4.owner_id in people_to_prompt(session, cycle.id)
    assert {"cycle_id": cycle.id, "person_id": soc4.owner_id, "refresh": 1} in _jobs(
        session, "prompt"
    )

    # Retired mid-round: withdrawn, no longer asked, not in the document, refused.
    entry2 = session.scalar(select(Entry).where(Entry.initiative_id == soc2.id))
    without2 = (
        FULL.replace("SOC-2;Soc;Org;Møder;Løbende;U0BBBBBB1\n", "")
        + "SOC-4;Soc;Org;Nyt tiltag;;U0FFFFFF1\n"
    )
    run(session, tmp_path, without2, retire_missing=True)
    session.refresh(entry2)
    assert entry2.withdrawn_at is not None
    assert b.id not in people_to_prompt(session, cycle.id)
    assert "Møder" not in [r.title for r in build_document(session, cycle.id).rows]
    with pytest.raises(InvalidState, match="withdrawn"):
        submit_update(session, entry_id=entry2.id, actor=Actor.of(b),
                      status=StatusText.from_markup("Tekst"), phase=None, now=NOW)  # fmt: skip
    assert any(p["what"] == "withdrawn" and p["person_id"] == b.id
               for p in _jobs(session, "registry_notice"))  # fmt: skip
    # The coordinator's draft summary lists it.
    summary = summarise(session, build_document(session, cycle.id))
    assert summary.withdrawn == ["Møder"]
    view = DraftSummary(
        area="Soc", cycle_id=cycle.id, draft_number=1, label="", preview=True, collecting=True,
        tracks=(), total=TrackCounts("", 0, 0, 0, 0, 0), withdrawn=tuple(summary.withdrawn),
    )  # fmt: skip
    assert "Withdrawn from this round" in str(draft_message(view, lambda text: text))

    # New owner: asked; the previous one told where it went.
    run(session, tmp_path, without2.replace("U0AAAAAA1", "U0GGGGGG1"))
    new_owner = session.get(Person, by_nr(session, "SOC-1").owner_id)
    assert new_owner.id in people_to_prompt(session, cycle.id)
    assert a.id not in people_to_prompt(session, cycle.id)
    moved = [p for p in _jobs(session, "registry_notice") if p["what"] == "moved"]
    assert moved and moved[0]["person_id"] == a.id and moved[0]["owner_user"] == "U0GGGGGG1"

    # A rename by command shows at once: the owner's prompt and App Home are refreshed.
    session.add(Job(kind="x", payload={}, due_at=NOW))  # keeps the job table non-empty
    rename(session, by_nr(session, "SOC-3"), "Ny budgetmodel", actor=Actor.cli(), now=NOW)
    session.commit()
    owner3 = by_nr(session, "SOC-3").owner_id
    assert {"person_id": owner3} in _jobs(session, "publish_home")
    from bot.delivery.surfaces import items_for

    items = items_for(session, cycle, session.get(Person, owner3), NOW)
    assert [i.title for i in items] == ["Ny budgetmodel"]


def test_an_area_split_compares_with_the_old_areas_report(session, tmp_path):
    run(session, tmp_path, FULL)
    soc3 = by_nr(session, "SOC-3")
    first = _open(session, soc3.area_id)
    entry = session.scalar(
        select(Entry).where(Entry.cycle_id == first.id, Entry.initiative_id == soc3.id)
    )
    submit_update(session, entry_id=entry.id, actor=Actor.of(soc3.owner),
                  status=StatusText.from_markup("Analysen er i gang."), phase=None,
                  now=NOW)  # fmt: skip
    first.state = "approved"
    session.commit()
    change = move(session, soc3, track="Økonomi", area="Soc Syd", actor=Actor.cli(), now=NOW)
    assert change.created == ["area Soc Syd", "track Økonomi"]
    session.commit()
    later = NOW + timedelta(days=180)
    cycle = open_cycle(
        session, area_id=soc3.area_id, as_of=date(2026, 9, 30), deadline=later,
        remind=[], title=None, actor=Actor.cli(), now=NOW + timedelta(days=170),
    )  # fmt: skip
    (new_entry,) = cycle.entries
    submit_update(session, entry_id=new_entry.id, actor=Actor.of(soc3.owner),
                  status=StatusText.from_markup("Analysen er i gang. Modellen er klar."),
                  phase=None, now=NOW + timedelta(days=171))  # fmt: skip
    document = build_document(session, cycle.id)
    assert document.has_marks and document.previous_as_of == date(2026, 3, 31)
    (row,) = document.rows
    assert not row.flags.new
    assert [s.text for b in row.blocks for s in b.segments if s.changed] == ["Modellen er klar."]
    # The old area's report is still built, with the initiative where it was then reported.
    assert [r.title for r in build_document(session, first.id).rows] == [
        "Ny chef", "Møder", "Budget",
    ]  # fmt: skip
    retire(session, by_nr(session, "SOC-3"), actor=Actor.cli(), now=NOW)
    with pytest.raises(InvalidState, match="retired already"):
        retire(session, by_nr(session, "SOC-3"), actor=Actor.cli(), now=NOW)


def test_a_rename_in_the_file_onto_another_initiatives_title_is_refused(session, tmp_path):
    run(session, tmp_path, FULL)
    with pytest.raises(ImportRejected) as caught:
        run(session, tmp_path, HEAD + "SOC-1;Soc;Org;Møder;;\nSOC-2;Soc;Org;Andet;;\n")
    assert "already has another initiative “Møder”" in str(caught.value.problems[0])


def test_a_move_and_rename_leaves_the_title_it_left_to_its_other_holder(session, tmp_path):
    """A keyed initiative moves into a track where an unkeyed one has its old
    title, and is renamed there: a later row still finds the other by title."""
    run(session, tmp_path, HEAD + "SOC-1;Soc;Org;Alpha;2026;U0AAAAAA1\n;Soc;Økonomi;Alpha;2027;\n")
    other = session.scalar(select(Initiative).where(Initiative.nr.is_(None))).id
    result = run(
        session,
        tmp_path,
        HEAD + "SOC-1;Soc;Økonomi;Beta;2026;U0AAAAAA1\n;Soc;Økonomi;Alpha;2028;\n",
    )
    assert (result.created, result.moved, result.renamed) == (0, 1, 1)
    assert session.get(Initiative, other).plan == "2028"
    assert by_nr(session, "SOC-1").title == "Beta"
    assert session.scalar(select(func.count()).select_from(Initiative)) == 2
