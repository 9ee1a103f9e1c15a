from datetime import UTC, date, datetime

import pytest
from report_fixture import HOSTILE_TITLE, Fixture, build_fixture
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.errors import NotFound
from reports import build_document, deleted_texts, previous_cycle_id
from reports.model import ReportDocument
from storage.models import Cycle, CycleState, Entry, EntrySource, Initiative, Person
from storage.richtext import StatusText


def row(doc: ReportDocument, title: str):  # type: ignore[no-untyped-def]
    return next(r for r in doc.rows if r.title == title)


def test_texts_in_danish(doc: ReportDocument) -> None:
    assert doc.title == "Status på udviklingsproces på Sundheds- og Omsorgsområdet pr. april 2024"
    assert doc.labels.track == "Udviklingsspor"
    assert doc.labels.initiative == "Tiltag"
    assert doc.labels.plan == "Iværksættelse af tiltag"
    assert doc.labels.status == "Status på tiltag pr. 1/4-24"
    legend = f"{doc.labels.legend_before}{doc.labels.legend_marked}{doc.labels.legend_after}"
    assert legend == "Ændringer i forhold til seneste status i september 2023 er markeret med rødt."
    assert doc.intro[1] == "Nedenfor er en skematisk oversigt over status på tiltagene."


def test_texts_in_english(session: Session, fx: Fixture) -> None:
    doc = build_document(session, fx.second.id, locale="en")
    assert doc.title == (
        "Status of the development process in Sundheds- og Omsorgsområdet as of April 2024"
    )
    assert doc.labels.track == "Development track"
    assert doc.labels.legend_before.startswith(
        "Changes since the previous status in September 2023"
    )
    assert row(doc, "Dashboard til ledelsesinformation").notes == (
        "No update received; the previous status is repeated.",
    )


def test_cycle_title_wins(session: Session, fx: Fixture) -> None:
    fx.second.title = "Halvårsstatus forår 2024"
    session.commit()
    assert build_document(session, fx.second.id).title == "Halvårsstatus forår 2024"


def test_tracks_and_rows_in_registry_order(doc: ReportDocument) -> None:
    assert [t.name for t in doc.tracks] == [
        "Organisering",
        "Digitalisering og data",
        "Økonomi og styring",
    ]
    assert [len(t.rows) for t in doc.tracks] == [3, 2, 2]
    assert doc.tracks[0].rows[0].title == "Ansættelse af ny områdechef"
    assert row(doc, "Ansættelse af ny områdechef").answered_by == "Birgitte Lund"


def test_row_flags(doc: ReportDocument) -> None:
    changed = row(doc, "Ansættelse af ny områdechef")
    assert changed.flags.changed and not changed.flags.new
    assert [s.text for s in changed.blocks[0].segments if s.changed] == [
        "Anne Holm er ansat som områdechef pr. 1. maj 2024."
    ]

    carried = row(doc, "Ny mødestruktur i ledergruppen")
    assert carried.flags.carried_forward and not carried.flags.changed
    assert carried.notes == ("Uændret siden seneste status.",)

    new = row(doc, "Fælles introduktionsforløb for nye medarbejdere")
    assert new.flags.new and new.flags.changed
    assert all(s.changed for b in new.blocks for s in b.segments)
    assert [b.kind for b in new.blocks] == ["p", "li", "li"]

    pending = row(doc, "Dashboard til ledelsesinformation")
    assert pending.flags.no_answer and not pending.flags.changed
    assert pending.blocks[0].text.startswith("En første udgave af dashboardet")
    assert pending.notes == ("Ingen opdatering modtaget – seneste status er gentaget.",)

    completed = row(doc, "Eftersyn af budgetmodellen")
    assert completed.flags.completed and completed.flags.changed
    assert completed.deleted == ("Analysen er i gang og forventes afsluttet i maj.",)

    hostile = row(doc, HOSTILE_TITLE)
    assert not hostile.flags.changed
    assert "<script>" in hostile.blocks[0].text  # kept as text; renderers escape


def test_deleted_texts_for_review(doc: ReportDocument) -> None:
    gone = {d.title: d.texts for d in deleted_texts(doc)}
    assert gone == {
        "Udbud af nyt omsorgssystem": ("2,4", "Tidsplanen afhænger af den fælleskommunale aftale."),
        "Eftersyn af budgetmodellen": ("Analysen er i gang og forventes afsluttet i maj.",),
    }


def _count_queries(session: Session, cycle_id: int) -> int:
    count = 0

    def before(*_args, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        session.expire_all()
        build_document(session, cycle_id)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return count


def test_query_count_does_not_grow_with_size(session: Session, fx: Fixture) -> None:
    small = _count_queries(session, fx.second.id)
    track_id = fx.initiatives["Ansættelse af ny områdechef"].track_id
    for n in range(40):
        person = Person(slack_user_id=f"U{n:04d}", display_name=f"Leder {n}")
        initiative = Initiative(
            area_id=fx.area.id,
            track_id=track_id,
            title=f"Tiltag {n}",
            key=f"tiltag {n}",
            position=10 + n,
        )
        session.add_all([person, initiative])
        session.flush()
        session.add(
            Entry(
                cycle_id=fx.first.id,
                initiative_id=initiative.id,
                status=StatusText.from_markup(f"Før {n}."),
                source=EntrySource.ANSWER,
            )
        )
        session.add(
            Entry(
                cycle_id=fx.second.id,
                initiative_id=initiative.id,
                status=StatusText.from_markup(f"Nu {n}."),
                source=EntrySource.ANSWER,
                answered_by_id=person.id,
            )
        )
    session.commit()
    large = _count_queries(session, fx.second.id)
    assert large == small
    assert small <= 6
    assert len(build_document(session, fx.second.id).rows) == 47


def _cycle(
    session: Session, fx: Fixture, as_of: date, state: str, *, baseline: bool = False
) -> Cycle:
    cycle = Cycle(
        area_id=fx.area.id,
        as_of=as_of,
        deadline=datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC),
        state=state,
        is_baseline=baseline,
    )
    session.add(cycle)
    session.flush()
    return cycle


def test_previous_prefers_approved_over_newer_closed(session: Session, fx: Fixture) -> None:
    closed = _cycle(session, fx, date(2024, 1, 1), CycleState.CLOSED)
    _cycle(session, fx, date(2024, 2, 1), CycleState.COLLECTING)
    session.commit()
    assert previous_cycle_id(session, fx.second.id) == fx.first.id
    fx.first.state = CycleState.COLLECTING  # reopened: no approved cycle before
    session.commit()
    assert previous_cycle_id(session, fx.second.id) == closed.id


def test_baseline_counts_as_approved(session: Session, fx: Fixture) -> None:
    baseline = _cycle(session, fx, date(2023, 12, 1), CycleState.APPROVED, baseline=True)
    session.commit()
    assert previous_cycle_id(session, fx.second.id) == baseline.id
    doc = build_document(session, fx.second.id)
    # The baseline has no entries, but no round erases a status (issue 11): each
    # row is compared with its last known status, from the first cycle.
    assert not row(doc, "Ansættelse af ny områdechef").flags.new
    assert row(doc, "Ansættelse af ny områdechef").flags.changed
    assert doc.labels.legend_before.endswith("i december 2023 er markeret med ")


def test_first_cycle_has_no_marks(session: Session, fx: Fixture) -> None:
    doc = build_document(session, fx.first.id)
    assert doc.previous_cycle_id is None
    assert doc.labels.legend_marked is None
    assert not any(r.flags.changed or r.flags.new for r in doc.rows)
    assert not any(s.changed for r in doc.rows for b in r.blocks for s in b.segments)


def test_later_cycles_do_not_count_as_previous(session: Session, fx: Fixture) -> None:
    _cycle(session, fx, date(2025, 1, 1), CycleState.APPROVED)
    session.commit()
    assert previous_cycle_id(session, fx.second.id) == fx.first.id


def test_unknown_cycle(session: Session) -> None:
    with pytest.raises(NotFound):
        build_document(session, 999)


def test_two_areas_do_not_mix(session: Session, fx: Fixture) -> None:
    other = build_fixture(session, name="Børne- og Familieområdet")
    session.commit()
    doc = build_document(session, other.second.id)
    assert doc.previous_cycle_id == other.first.id
    assert {r.initiative_id for r in doc.rows} == {i.id for i in other.initiatives.values()}
