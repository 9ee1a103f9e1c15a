"""Baseline import: the Word table's row structure (issue 11).

Seed 000 rebuilt as the municipality's Word document imports with every row
matched and no two initiatives merged; an empty Tiltag cell never continues an
initiative across a track boundary; the document's own date guards --as-of.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.importing import import_file
from bot.workflow.actor import Actor
from bot.workflow.messages import use_locale
from reports.baseline import find_area, import_baseline, read_baseline, stated_date
from storage.models import Entry, Initiative
from tests.seeds.word_rebuild import build_docx, parse_seed, registry_csv, seed_path

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
AREA = "Socialområdet"
HEADER = ["Udviklingsspor", "Tiltag", "Iværksættelse", "Status"]


@pytest.fixture(scope="module")
def seed000():  # type: ignore[no-untyped-def]
    return parse_seed(seed_path("000"))


def _registry(session: Session, tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "registry.csv"
    path.write_text(registry_csv(report, AREA), encoding="utf-8")
    import_file(session, path, actor=Actor.cli(), now=NOW)
    session.commit()


def _import(session: Session, data: bytes, as_of: date, **kwargs):  # type: ignore[no-untyped-def]
    document = read_baseline(data)
    return import_baseline(
        session,
        area=find_area(session, AREA),
        as_of=as_of,
        rows=document.rows,
        stated=document.stated,
        source_label="import:seed000.docx",
        actor=Actor.cli(),
        now=NOW,
        **kwargs,
    )


def test_seed_000_as_word_imports_every_row_and_merges_none(
    session: Session, tmp_path: Path, seed000
) -> None:  # type: ignore[no-untyped-def]
    _registry(session, tmp_path, seed000)
    data = build_docx(seed000)
    document = read_baseline(data)
    # The page-break continuation rows became part of their initiative, nothing else.
    assert [r.title for r in document.rows] == [r.title for r in seed000.rows]
    split = [r for r in document.rows if r.continued]
    assert [r.title[:40] for r in split] == [
        "Administrativ understøttelse af decentra",
        "Udarbejde en fælles kommunikationstilgan",
    ]

    result = _import(session, data, date(2024, 4, 1))
    assert result.unmatched == [] and result.not_in_file == []
    assert len(result.matched) == len(seed000.rows) == 19
    assert len({initiative_id for _row, initiative_id in result.matched}) == 19

    entries = {
        initiative.title: (initiative, entry)
        for entry, initiative in session.execute(
            select(Entry, Initiative)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Entry.cycle_id == result.cycle_id)
        )
    }
    for row in seed000.rows:
        initiative, entry = entries[row.title]
        # Every paragraph of the status, in order, also those after a page break.
        assert [b.text for b in entry.status.blocks] == [s for s in row.status if s != "-"]
        assert initiative.track.name == row.track
        assert initiative.description == "\n\n".join(row.description)
    # A multi-paragraph Tiltag cell: the first paragraph is the title.
    economy = next(r for r in seed000.rows if r.title.startswith("Eftersyn af de økonomiske"))
    assert len(economy.description) == 2
    assert entries[economy.title][0].description.startswith("Den nuværende økonomiske model")
    # A track without an initiative of its own (track cell spanning the Tiltag column).
    assert "Handle- og omstillingsmuligheder på Socialområdet" in entries


def _docx(rows: list[tuple[str, str, str]], *, merge: tuple[int, int] | None = None) -> bytes:
    document = Document()
    document.add_paragraph("Status på udviklingsproces pr. marts 2023")
    table = document.add_table(rows=1 + len(rows), cols=4)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for number, (track, title, status) in enumerate(rows, start=1):
        table.cell(number, 0).text = track
        table.cell(number, 1).text = title
        table.cell(number, 3).text = status
    if merge:
        text = table.cell(merge[0], 0).text
        table.cell(merge[0], 0).merge(table.cell(merge[1], 0)).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_empty_tiltag_under_a_new_track_is_an_error_naming_the_row() -> None:
    data = _docx(
        [
            ("Organisering", "Ny ledelsesstruktur", "Besluttet."),
            ("Økonomi", "", "Analysen er i gang."),  # used to be glued to the row above
        ]
    )
    empty = r"Table row 3: the Tiltag cell is empty .*Økonomi"
    with use_locale("en"), pytest.raises(InvalidInput, match=empty):
        read_baseline(data)


def test_empty_tiltag_under_the_merged_track_cell_continues_the_row() -> None:
    data = _docx(
        [
            ("Organisering", "Ny ledelsesstruktur", "Besluttet."),
            ("", "", "Implementeres i maj."),
            ("", "Ny mødestruktur", "Aftalt."),
        ],
        merge=(1, 3),
    )
    rows = read_baseline(data).rows
    assert [(r.number, r.title, r.continued) for r in rows] == [
        (2, "Ny ledelsesstruktur", [3]),
        (4, "Ny mødestruktur", []),
    ]
    assert [b.text for b in rows[0].blocks] == ["Besluttet.", "Implementeres i maj."]


def test_multi_paragraph_tiltag_cell_is_title_and_description() -> None:
    document = Document()
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    table.cell(1, 0).text = "Økonomi"
    table.cell(1, 1).text = "Ny budgetmodel"
    table.cell(1, 1).add_paragraph("Modellen skal afspejle aktiviteten.")
    table.cell(1, 1).add_paragraph("Den tager højde for kørsel.")
    out = io.BytesIO()
    document.save(out)
    (row,) = read_baseline(out.getvalue()).rows
    assert row.title == "Ny budgetmodel"
    assert row.description == "Modellen skal afspejle aktiviteten.\n\nDen tager højde for kørsel."


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Status på tiltag pr. 30/8-23", date(2023, 8, 30), date(2023, 8, 30)),
        ("Status på udviklingsproces pr. april 2024", date(2024, 4, 1), date(2024, 4, 30)),
        ("Status pr. 1. marts 2023", date(2023, 3, 1), date(2023, 3, 1)),
        ("Status pr. 15.3.2023", date(2023, 3, 15), date(2023, 3, 15)),
    ],
)
def test_stated_date(text: str, first: date, last: date) -> None:
    stated = stated_date(text)
    assert stated is not None and (stated.first, stated.last) == (first, last)


def test_as_of_contradicting_the_documents_date_is_refused_unless_forced(
    session: Session, tmp_path: Path, seed000
) -> None:  # type: ignore[no-untyped-def]
    _registry(session, tmp_path, seed000)
    data = build_docx(seed000)
    with pytest.raises(InvalidInput) as caught:
        _import(session, data, date(2023, 9, 30))
    assert "2023-09-30" in caught.value.message and "pr. april 2024" in caught.value.message
    assert "--force" in caught.value.message
    result = _import(session, data, date(2023, 9, 30), force=True)
    assert result.cycle_id is not None
