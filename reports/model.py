"""The report as data: what every renderer draws, built once per cycle.

Texts that depend on the language (title, legend, column headers, notes) are
resolved when the document is built, so renderers only lay them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from storage.richtext import continues_list


# Text runs and blocks are the bulk of a document (a hundred thousand of them at
# 10,000 initiatives), so they are slotted dataclasses, ~150 bytes each rather
# than ~1 kB as pydantic models; pydantic validates and serialises them as
# fields of the models below all the same.
@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text in one format; ``changed`` runs are drawn in red and underlined.

    ``deleted`` runs (text of the previous report that is gone) appear only in
    the coordinator's draft, struck through where they were. ``"\\n"``
    in ``text`` is a line break; ``link`` is a URL already checked to be http,
    https or mailto (renderers still escape it)."""

    text: str
    changed: bool = False
    deleted: bool = False
    bold: bool = False
    italic: bool = False
    link: str | None = None


@dataclass(frozen=True, slots=True)
class MarkedBlock:
    """A paragraph (``p``), bullet item (``li``) or numbered item (``ol``) made of
    runs. A numbered item keeps its own number and delimiter ("1)")."""

    kind: Literal["p", "li", "ol"] = "p"
    segments: tuple[Segment, ...] = ()
    number: int | None = None
    delim: str = "."

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.segments)

    @property
    def deleted(self) -> bool:
        return any(s.deleted for s in self.segments)


_GROUP = {"li": "ul", "ol": "ol"}  # a list item's kind → its list's


def list_groups(blocks: Iterable[MarkedBlock]) -> list[tuple[str, list[MarkedBlock]]]:
    """Paragraphs alone (``"p"``), consecutive bullet items together (``"ul"``), and
    numbered items numbered on from each other together (``"ol"``; the list starts
    at its first item's number)."""
    out: list[tuple[str, list[MarkedBlock]]] = []
    for block in blocks:
        if out and continues_list(out[-1][1][-1], block):
            out[-1][1].append(block)
        else:
            out.append((_GROUP.get(block.kind, "p"), [block]))
    return out


def plan_lines(plan: str) -> list[str]:
    """A plan's non-empty lines, spaces collapsed."""
    return [" ".join(line.split()) for line in plan.splitlines() if line.strip()]


class RowFlags(BaseModel):
    model_config = ConfigDict(frozen=True)

    changed: bool = False  # some text differs from the previous report
    no_answer: bool = False  # nobody answered: the previous status is repeated
    carried_forward: bool = False  # the owner said "no change"
    new: bool = False  # no status in the previous report
    completed: bool = False  # phase "completed"
    newly_completed: bool = False  # completed now, not in the report compared with


class ReportRow(BaseModel):
    """One initiative (*tiltag*)."""

    model_config = ConfigDict(frozen=True)

    initiative_id: int
    entry_id: int
    title: str
    plan: str
    blocks: tuple[MarkedBlock, ...]
    # The plan's lines, marked against the plan last reported (like a status).
    plan_blocks: tuple[MarkedBlock, ...] = ()
    # The Tiltag cell's further paragraphs, under the title.
    description: tuple[str, ...] = ()
    phase: str | None = None
    answered_by: str | None = None
    flags: RowFlags = RowFlags()
    # Text of the previous report that is gone now, each in its sentence (the
    # gone runs are ``deleted``); for the coordinators' review only.
    deleted: tuple[MarkedBlock, ...] = ()
    # Short notes under the status ("No update received …"), already translated.
    notes: tuple[str, ...] = ()

    @property
    def plan_marked(self) -> tuple[MarkedBlock, ...]:
        """The plan's lines with their change marks (unmarked lines when the
        row was made without them)."""
        if self.plan_blocks:
            return self.plan_blocks
        return tuple(
            MarkedBlock("p", (Segment(line, self.flags.new),)) for line in plan_lines(self.plan)
        )


class ReportTrack(BaseModel):
    """One development track (*udviklingsspor*) and its initiatives in order."""

    model_config = ConfigDict(frozen=True)

    track_id: int
    name: str
    rows: tuple[ReportRow, ...]


class ReportLabels(BaseModel):
    """Fixed texts of the document in its language."""

    model_config = ConfigDict(frozen=True)

    track: str
    initiative: str
    plan: str
    status: str
    legend_before: str | None = None  # "Ændringer … er markeret med "
    legend_marked: str | None = None  # "rødt"
    legend_after: str | None = None  # "." (may be empty)
    legend_deleted: str | None = None  # drafts: "Text deleted … is struck through …"
    page: str = "Page"
    of: str = "of"
    empty_status: str = "–"
    # Heads the cells of an entry's later rows when it is taller than a page.
    continued: str = "{name} (continued)"


class ReportDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    cycle_id: int
    area_id: int
    area_name: str
    locale: str  # the labels' language (the reader's)
    # The language the area's own texts (names, intro, plans, statuses) are
    # written in: the installation's STATUSBOT_LOCALE, whatever ``locale`` is.
    text_locale: str = "da"
    as_of: date
    title: str
    intro: tuple[str, ...]
    previous_cycle_id: int | None = None
    previous_as_of: date | None = None
    labels: ReportLabels
    tracks: tuple[ReportTrack, ...]
    # When the files were made: the DOCX/PDF creation and modification dates.
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    # The area's organisation (document author), and its date line above the
    # title ("Grenaa, 3. april 2023"), already filled in.
    author: str | None = None
    date_line: str | None = None
    # The cycle's state (storage.models.CycleState) when built from the database.
    cycle_state: str | None = None

    @property
    def rows(self) -> list[ReportRow]:
        return [row for track in self.tracks for row in track.rows]

    @property
    def has_marks(self) -> bool:
        return self.previous_cycle_id is not None

    @property
    def is_draft(self) -> bool:
        """Not (yet) approved: the slides say so."""
        return self.cycle_state not in (None, "approved", "published")


class DeletedText(BaseModel):
    """Text removed since the previous report, for a coordinator's review."""

    model_config = ConfigDict(frozen=True)

    initiative_id: int
    entry_id: int
    track: str
    title: str
    texts: tuple[MarkedBlock, ...]  # each deletion in its sentence


def deleted_texts(document: ReportDocument) -> list[DeletedText]:
    """Every initiative that lost text since the previous report, in report order."""
    return [
        DeletedText(
            initiative_id=row.initiative_id,
            entry_id=row.entry_id,
            track=track.name,
            title=row.title,
            texts=row.deleted,
        )
        for track in document.tracks
        for row in track.rows
        if row.deleted
    ]
