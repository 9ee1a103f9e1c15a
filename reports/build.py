"""Build a :class:`ReportDocument` for one cycle from the database.

The number of queries is fixed (six) whatever the size of the area: the cycle
with its area, the area's earlier cycles, the cycle's entries with their
initiatives, their tracks, the people who answered, and each initiative's last
known status (:mod:`bot.registry.history`); a seventh finds the compared report
of an area without earlier cycles of its own (an area split). Nothing is
loaded lazily.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from bot.i18n import normalise_locale
from bot.registry.history import last_known_query
from bot.workflow.messages import cycle_not_found
from reports import texts
from reports.diff import (
    DiffResult,
    StoredBlock,
    StoredRun,
    StoredStatus,
    diff_status,
    plain_block,
)
from reports.gcpause import no_cyclic_gc
from reports.model import ReportDocument, ReportRow, ReportTrack, RowFlags, plan_lines
from storage.markup import parse_markup
from storage.models import (
    Area,
    Cycle,
    CycleState,
    Entry,
    EntrySource,
    Initiative,
    Person,
    Phase,
    Track,
)

_APPROVED = {CycleState.APPROVED.value, CycleState.PUBLISHED.value}
_CLOSED = {CycleState.CLOSED.value, CycleState.IN_REVIEW.value}


@dataclass(frozen=True)
class _Earlier:
    id: int
    as_of: date
    state: str


def choose_previous(cycle_id: int, as_of: date, earlier: list[_Earlier]) -> _Earlier | None:
    """The area's most recent earlier approved/published cycle (baselines are
    approved), else its most recent earlier closed/in-review one."""
    candidates = [c for c in earlier if (c.as_of, c.id) < (as_of, cycle_id)]
    for states in (_APPROVED, _CLOSED):
        pool = [c for c in candidates if c.state in states]
        if pool:
            return max(pool, key=lambda c: (c.as_of, c.id))
    return None


def previous_cycle_id(session: Session, cycle_id: int) -> int | None:
    """The id of the cycle a cycle is compared with, if any."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise cycle_not_found(cycle_id)
    earlier = _load_earlier(session, cycle.area_id, cycle.id)
    chosen = choose_previous(cycle.id, cycle.as_of, earlier)
    return chosen.id if chosen else None


def _load_earlier(session: Session, area_id: int, cycle_id: int) -> list[_Earlier]:
    rows = session.execute(
        select(Cycle.id, Cycle.as_of, Cycle.state).where(
            Cycle.area_id == area_id,
            Cycle.id != cycle_id,
            Cycle.state.in_(_APPROVED | _CLOSED),
        )
    )
    return [_Earlier(r.id, r.as_of, r.state) for r in rows]


def _stored_status(raw: str | None) -> StoredStatus | None:
    """A status as stored. It was validated and cleaned when written, so it is
    read as plain tuples without validating again (that cost more than the
    whole diff)."""
    if not raw:
        return None
    blocks = json.loads(raw).get("blocks") or ()
    return StoredStatus(tuple(_stored_block(b) for b in blocks))


def _stored_block(b: dict) -> StoredBlock:  # type: ignore[type-arg]
    runs = b.get("runs")
    if not runs:
        return StoredBlock(b.get("kind", "p"), b["text"], (), b.get("number"), b.get("delim", "."))
    stored = tuple(
        StoredRun(r["text"], r.get("bold", False), r.get("italic", False), r.get("link"))
        for r in runs
    )
    text = "".join(r.text for r in stored)
    return StoredBlock(b.get("kind", "p"), text, stored, b.get("number"), b.get("delim", "."))


def _raw_status():  # type: ignore[no-untyped-def]
    return type_coerce(Entry.status, Text).label("status")


def _intro(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    parts = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(p for p in parts if p)


def build_document(
    session: Session,
    cycle_id: int,
    *,
    locale: str = "da",
    now: datetime | None = None,
    zone: str = "Europe/Copenhagen",
    with_deletions: bool = False,
    text_locale: str | None = None,
) -> ReportDocument:
    """The report of one cycle, with change marks against the previous report.

    ``locale`` is the language of the labels; ``text_locale`` the one the
    area's texts are written in (default: ``STATUSBOT_LOCALE``), so that a
    report with English labels still marks its Danish texts as Danish.

    ``now`` is when the files are made (their creation date; default: now), and
    ``{date}`` in the area's date line is that day in ``zone``. ``with_deletions``
    (the coordinators' draft, never the committee document) keeps the text gone
    since the previous report, struck through where it was.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with no_cyclic_gc():
        document = _build(
            session, cycle_id, normalise_locale(locale), moment, ZoneInfo(zone), with_deletions
        )
    written_in = normalise_locale(text_locale or os.environ.get("STATUSBOT_LOCALE"))
    return document.model_copy(update={"text_locale": written_in})


def date_line(template: str | None, moment: datetime, zone: ZoneInfo, locale: str) -> str | None:
    """The area's date line with ``{date}`` filled in (nothing else is a placeholder)."""
    if not template:
        return None
    return template.replace("{date}", texts.long_date(moment.astimezone(zone).date(), locale))


def _build(
    session: Session,
    cycle_id: int,
    locale: str,
    moment: datetime,
    zone: ZoneInfo,
    with_deletions: bool,
) -> ReportDocument:
    found = session.execute(
        select(Cycle, Area).join(Area, Cycle.area_id == Area.id).where(Cycle.id == cycle_id)
    ).first()
    if found is None:
        raise cycle_not_found(cycle_id)
    cycle, area = found

    previous = choose_previous(cycle.id, cycle.as_of, _load_earlier(session, area.id, cycle.id))

    entries = session.execute(
        select(
            Entry.id,
            Entry.initiative_id,
            _raw_status(),
            Entry.phase,
            Entry.source,
            Entry.carried_forward,
            Entry.answered_by_id,
            func.coalesce(Entry.plan, Initiative.plan).label("plan"),
            Initiative.track_id,
            Initiative.title,
            Initiative.description,
            Initiative.position,
        )
        .join(Initiative, Entry.initiative_id == Initiative.id)
        .where(Entry.cycle_id == cycle.id, Entry.withdrawn_at.is_(None))
    ).all()

    # Tracks by the entries' initiatives: an initiative moved on since keeps its row.
    tracks = {
        t.id: t
        for t in session.execute(
            select(Track.id, Track.name, Track.position).where(
                Track.id.in_(
                    select(Initiative.track_id)
                    .join(Entry, Entry.initiative_id == Initiative.id)
                    .where(Entry.cycle_id == cycle.id)
                )
            )
        )
    }
    people = {
        p.id: p.label
        for p in session.scalars(
            select(Person).where(
                Person.id.in_(
                    select(Entry.answered_by_id).where(
                        Entry.cycle_id == cycle.id, Entry.answered_by_id.is_not(None)
                    )
                )
            )
        )
    }
    # Each initiative's last known status, however many rounds it missed and
    # in whichever area it was reported (bot.registry.history).
    known = last_known_query(
        cycle.as_of, cycle.id, select(Entry.initiative_id).where(Entry.cycle_id == cycle.id)
    ).subquery()
    earlier: dict[int, _Known] = {
        r.initiative_id: _Known(
            _stored_status(r.status) if r.has_status else None, r.plan, r.phase
        )
        for r in session.execute(
            select(
                known.c.initiative_id, known.c.has_status, _raw_status(), Entry.plan, Entry.phase
            )
            .join(Entry, Entry.id == known.c.entry_id)
        )
    }
    if previous is None and earlier:
        # A new area (a split): compared with the initiatives' reports elsewhere.
        elsewhere = session.execute(
            select(Cycle.id, Cycle.as_of, Cycle.state)
            .where(Cycle.id.in_(select(known.c.cycle_id)))
            .order_by(Cycle.as_of.desc(), Cycle.id.desc())
            .limit(1)
        ).first()
        if elsewhere is not None:
            previous = _Earlier(elsewhere.id, elsewhere.as_of, elsewhere.state)

    notes = texts.note_texts(locale)
    by_track: dict[int, list[tuple[int, int, ReportRow]]] = {}
    for e in entries:
        row = _row(e, previous is not None, earlier, people, notes, with_deletions)
        by_track.setdefault(e.track_id, []).append((e.position, e.initiative_id, row))

    ordered = sorted(by_track, key=lambda tid: (tracks[tid].position, tid))
    report_tracks = tuple(
        ReportTrack(
            track_id=tid,
            name=tracks[tid].name,
            rows=tuple(r for _p, _i, r in sorted(by_track[tid], key=lambda x: (x[0], x[1]))),
        )
        for tid in ordered
    )
    previous_as_of = previous.as_of if previous else None
    return ReportDocument(
        cycle_id=cycle.id,
        area_id=area.id,
        area_name=area.name,
        locale=locale,
        as_of=cycle.as_of,
        title=cycle.title or texts.default_title(area.name, cycle.as_of, locale),
        intro=_intro(area.intro),
        previous_cycle_id=previous.id if previous else None,
        previous_as_of=previous_as_of,
        labels=texts.labels(cycle.as_of, previous_as_of, locale, with_deletions=with_deletions),
        tracks=report_tracks,
        generated_at=moment,
        author=area.organisation,
        date_line=date_line(area.date_line, moment, zone, locale),
        cycle_state=cycle.state,
    )


@dataclass(frozen=True)
class _Known:
    """An initiative's last known report: its status, the plan and the phase it had."""

    status: StoredStatus | None
    plan: str | None
    phase: str | None = None


_INLINE_MARKUP = re.compile(r"[*_\[\\]")


def _plan_line(line: str) -> StoredBlock:
    """A plan line; italic, bold and links typed in it (``*…*``) are kept."""
    if not _INLINE_MARKUP.search(line):
        return StoredBlock("p", line)
    parsed = parse_markup(line).blocks
    if len(parsed) != 1 or parsed[0].kind != "p":
        return StoredBlock("p", line)  # "- …" or "1. …": the line as written
    runs = tuple(StoredRun(r.text, r.bold, r.italic, r.link) for r in parsed[0].runs)
    return StoredBlock("p", parsed[0].text, runs)


def _plan_status(plan: str) -> StoredStatus:
    return StoredStatus(tuple(_plan_line(line) for line in plan_lines(plan)))


def _plan_diff(plan: str, known: _Known | None, has_previous: bool) -> DiffResult:
    """The plan's lines, marked word by word against the plan last reported
    (an entry older than the plan snapshots counts as unchanged)."""
    current = _plan_status(plan)
    if not has_previous:
        return DiffResult([plain_block(b) for b in current.blocks])
    if known is None:
        return diff_status(None, current)
    if known.plan is None:
        return DiffResult([plain_block(b) for b in current.blocks])
    return diff_status(_plan_status(known.plan), current)


def _row(
    e,  # type: ignore[no-untyped-def]
    has_previous: bool,
    earlier: dict[int, _Known],
    people: dict[int, str],
    notes: dict[str, str],
    with_deletions: bool = False,
) -> ReportRow:
    status = _stored_status(e.status)
    had_entry = e.initiative_id in earlier
    known = earlier.get(e.initiative_id)
    before = known.status if known else None
    no_answer = e.source == EntrySource.PENDING.value
    carried = bool(e.carried_forward) or e.source == EntrySource.CARRY_FORWARD.value
    new = has_previous and not had_entry
    row_notes: list[str] = []

    if no_answer:
        shown = status or before
        diff = DiffResult([plain_block(b) for b in shown.blocks] if shown else [])
        row_notes.append(notes["no_answer"] if shown else notes["no_answer_empty"])
    else:
        current = status if status else (before if carried else None)
        if not has_previous:
            diff = DiffResult(
                [plain_block(b) for b in current.blocks] if current else []
            )
        else:
            diff = diff_status(
                before if had_entry else None, current, with_deletions=with_deletions
            )
        if carried:
            row_notes.append(notes["carried_forward"])
    plan = _plan_diff(e.plan or "", known, has_previous)
    completed = e.phase == Phase.COMPLETED.value
    if new:
        row_notes.append(notes["new"])
    if completed:
        row_notes.append(notes["completed"])

    return ReportRow(
        initiative_id=e.initiative_id,
        entry_id=e.id,
        title=e.title,
        plan=e.plan or "",
        plan_blocks=tuple(plan.blocks),
        description=tuple(_intro(e.description)),
        blocks=tuple(diff.review if diff.review is not None else diff.blocks),
        phase=e.phase,
        answered_by=people.get(e.answered_by_id) if e.answered_by_id else None,
        flags=RowFlags(
            changed=diff.changed or plan.changed,
            no_answer=no_answer,
            carried_forward=carried,
            new=new,
            completed=completed,
            newly_completed=completed
            and has_previous
            and (known is None or known.phase != Phase.COMPLETED.value),
        ),
        deleted=tuple(diff.deleted + plan.deleted),
        notes=tuple(row_notes),
    )
