import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from docx import Document
from report_fixture import ROWS, Fixture
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Conflict, InvalidInput
from bot.workflow.actor import Actor
from bot.workflow.messages import use_locale
from reports import build_document, render
from reports.baseline import find_area, import_baseline, read_baseline_docx
from storage.models import AuditEvent, Cycle, CycleState, Entry, EntrySource, Revision
from storage.richtext import StatusText

NOW = datetime(2024, 5, 1, 9, tzinfo=UTC)


def _import(session: Session, fx: Fixture, data: bytes, **kwargs):  # type: ignore[no-untyped-def]
    return import_baseline(
        session,
        area=fx.area,
        as_of=kwargs.pop("as_of", date(2024, 4, 15)),
        rows=read_baseline_docx(data),
        source_label="import:rapport.docx",
        actor=Actor.cli(),
        now=NOW,
        **kwargs,
    )


def test_round_trip_of_our_own_docx(session: Session, fx: Fixture) -> None:
    data = render(build_document(session, fx.second.id), "docx")
    rows = read_baseline_docx(data)
    assert [(r.track, r.title) for r in rows] == [(t, title) for t, title, *_ in ROWS]
    result = _import(session, fx, data)
    assert result.unmatched == [] and result.not_in_file == []
    session.commit()

    cycle = session.get(Cycle, result.cycle_id)
    assert (
        cycle.is_baseline
        and cycle.state == CycleState.APPROVED
        and cycle.as_of == date(2024, 4, 15)
    )
    entries = {
        e.initiative_id: e for e in session.scalars(select(Entry).where(Entry.cycle_id == cycle.id))
    }
    assert len(entries) == len(ROWS)
    for _track, title, _plan, before, now, _source, _phase in ROWS:
        entry = entries[fx.initiatives[title].id]
        assert entry.source == EntrySource.IMPORT
        # The pending row printed the previous text; notes are not status text.
        expected = StatusText.from_markup(now if now is not None else before)
        assert entry.status == expected, title
    revisions = session.scalars(
        select(Revision).where(Revision.entry_id.in_([e.id for e in entries.values()]))
    ).all()
    assert {(r.number, r.reason, r.author_label) for r in revisions} == {
        (1, "import", "import:rapport.docx")
    }
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "baseline_import")).one()
    assert audit.cycle_id == cycle.id and audit.detail["rows"] == len(ROWS)


def test_next_cycle_is_marked_against_the_baseline(session: Session, fx: Fixture) -> None:
    data = render(build_document(session, fx.second.id), "docx")
    _import(session, fx, data)
    third = Cycle(
        area_id=fx.area.id,
        as_of=date(2024, 9, 1),
        deadline=datetime(2024, 8, 25, tzinfo=UTC),
        state=CycleState.COLLECTING,
    )
    session.add(third)
    session.flush()
    title = "Ansættelse af ny områdechef"
    kept = fx.entries[title].status
    session.add(
        Entry(
            cycle_id=third.id,
            initiative_id=fx.initiatives[title].id,
            status=StatusText.from_markup(kept.plain + " Ledergruppen er nu fuldtallig."),
            source=EntrySource.ANSWER,
        )
    )
    session.commit()
    doc = build_document(session, third.id)
    (row,) = doc.rows
    assert not row.flags.new
    assert [s.text for s in row.blocks[0].segments if s.changed] == [
        "Ledergruppen er nu fuldtallig."
    ]
    assert doc.labels.legend_before.endswith("seneste status i april 2024 er markeret med ")


def report_table(rows: int, stated: str = "marts 2023") -> tuple[Document, Any]:
    """A Word document with a report's heading ("pr. …") and table: the header
    row and ``rows`` - 1 empty rows."""
    document = Document()
    document.add_paragraph(f"Status på udviklingsproces pr. {stated}")
    table = document.add_table(rows=rows, cols=4)
    for cell, text in zip(
        table.rows[0].cells,
        ["Udviklingsspor", "Tiltag", "Iværksættelse af tiltag", "Status"],
        strict=True,
    ):
        cell.text = text
    return document, table


def _hand_made_docx() -> bytes:
    document, table = report_table(6)
    merged = table.cell(1, 0).merge(table.cell(3, 0))
    merged.text = "  organisering "
    table.cell(1, 1).text = "ANSÆTTELSE AF  NY områdechef"
    table.cell(1, 3).text = "Stillingen er slået op."
    table.cell(1, 3).add_paragraph("Samtaler i uge 12", style="List Bullet")
    table.cell(1, 3).add_paragraph("• Tiltrædelse 1. maj")
    table.cell(2, 1).text = "Ny mødestruktur i ledergruppen"
    table.cell(2, 2).text = "Aftales i ledergruppen"
    table.cell(2, 3).text = "-"
    table.cell(3, 1).text = "Et tiltag der ikke findes"
    table.cell(3, 3).text = "Tekst."
    table.cell(4, 0).text = "Økonomi og styring"
    table.cell(4, 1).text = "Eftersyn af budgetmodellen"
    table.cell(4, 3).text = "Analysen er igangsat."
    # A row cut by a page break in a converted file: no title, more status.
    table.cell(5, 3).text = "Forventes afsluttet i maj."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_hand_made_docx_with_merged_cells(session: Session, fx: Fixture) -> None:
    rows = read_baseline_docx(_hand_made_docx())
    assert [(r.number, r.track, r.title) for r in rows] == [
        (2, "organisering", "ANSÆTTELSE AF NY områdechef"),
        (3, "organisering", "Ny mødestruktur i ledergruppen"),
        (4, "organisering", "Et tiltag der ikke findes"),
        (5, "Økonomi og styring", "Eftersyn af budgetmodellen"),
    ]
    assert [(b.kind, b.text) for b in rows[0].blocks] == [
        ("p", "Stillingen er slået op."),
        ("li", "Samtaler i uge 12"),
        ("li", "Tiltrædelse 1. maj"),
    ]
    assert rows[1].blocks == [] and rows[1].plan == "Aftales i ledergruppen"
    assert [b.text for b in rows[3].blocks] == [
        "Analysen er igangsat.",
        "Forventes afsluttet i maj.",
    ]

    result = _import(session, fx, _hand_made_docx())
    assert result.cycle_id is None
    assert [(r.number, r.title) for r in result.unmatched] == [(4, "Et tiltag der ikke findes")]
    assert session.scalars(select(Cycle).where(Cycle.is_baseline)).first() is None

    result = _import(session, fx, _hand_made_docx(), allow_unmatched=True)
    assert result.cycle_id is not None
    matched = {
        fx.initiatives[t].id for t in ("Ansættelse af ny områdechef", "Eftersyn af budgetmodellen")
    }
    assert matched <= {initiative_id for _row, initiative_id in result.matched}
    assert "Organisering / Fælles introduktionsforløb for nye medarbejdere" in result.not_in_file


def test_second_baseline_for_the_same_date_is_refused(session: Session, fx: Fixture) -> None:
    data = render(build_document(session, fx.second.id), "docx")
    _import(session, fx, data)
    with pytest.raises(Conflict):
        _import(session, fx, data)


def test_not_a_report(session: Session, fx: Fixture) -> None:
    with use_locale("en"), pytest.raises(InvalidInput, match="Word document"):
        read_baseline_docx(b"not a zip file")
    document = Document()
    document.add_table(rows=1, cols=2).cell(0, 0).text = "Noget andet"
    out = io.BytesIO()
    document.save(out)
    with use_locale("en"), pytest.raises(InvalidInput, match="No report table"):
        read_baseline_docx(out.getvalue())


def test_find_area_ignores_case_and_spaces(session: Session, fx: Fixture) -> None:
    assert find_area(session, "  sundheds-  og omsorgsOMRÅDET ").id == fx.area.id


def test_two_rows_for_one_initiative_are_refused(session: Session, fx: Fixture) -> None:
    document = Document()
    table = document.add_table(rows=3, cols=4)
    for cell, text in zip(table.rows[0].cells, ["Udviklingsspor", "Tiltag", "", ""], strict=True):
        cell.text = text
    for r in (1, 2):
        table.cell(r, 0).text = "Organisering"
        table.cell(r, 1).text = "Ny mødestruktur i ledergruppen"
    out = io.BytesIO()
    document.save(out)
    with use_locale("en"), pytest.raises(InvalidInput, match="rows 2 and 3"):
        _import(session, fx, out.getvalue())


def test_a_status_longer_than_the_edit_form_can_show_is_refused_with_its_row() -> None:
    """Issue 14.7: an imported status must fit the edit form like a typed one."""
    document = Document()
    table = document.add_table(rows=3, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ["Udviklingsspor", "Tiltag", "", "Status"], strict=True
    ):
        cell.text = text
    for r in (1, 2):
        table.cell(r, 0).text = "Organisering"
        table.cell(r, 1).text = f"Tiltag {r}"
    table.cell(1, 3).text = "Kort status."
    status = table.cell(2, 3)
    status.text = "Første afsnit."
    for n in range(45):
        status.add_paragraph(f"Afsnit {n}: " + "tekst " * 500)  # 45 × ~3,000 characters
    out = io.BytesIO()
    document.save(out)
    with use_locale("en"), pytest.raises(InvalidInput, match="Table row 3: the status is too long"):
        read_baseline_docx(out.getvalue())
