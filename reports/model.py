"""The report as data: what every renderer draws, built once per cycle.

Texts that depend on the language (title, legend, column headers, notes) are
resolved when the document is built, so renderers only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict


# Text runs and blocks are the bulk of a document (a hundred thousand of them at
# 10,000 initiatives), so they are slotted dataclasses, ~150 bytes each rather
# than ~1 kB as pydantic models; pydantic validates and serialises them as
# fields of the models below all the same.
@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text; ``changed`` runs are drawn in red."""

    text: str
    changed: bool = False


@dataclass(frozen=True, slots=True)
class MarkedBlock:
    """A paragraph (``p``) or bullet item (``li``) made of runs."""

    kind: Literal["p", "li"] = "p"
    segments: tuple[Segment, ...] = ()

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.segments)


class RowFlags(BaseModel):
    model_config = ConfigDict(frozen=True)

    changed: bool = False  # some text differs from the previous report
    no_answer: bool = False  # nobody answered: the previous status is repeated
    carried_forward: bool = False  # the owner said "no change"
    new: bool = False  # no status in the previous report
    completed: bool = False  # phase "completed"


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
    # Text of the previous report that is gone now; for the review view only.
    deleted: tuple[str, ...] = ()
    # Short notes under the status ("No update received …"), already translated.
    notes: tuple[str, ...] = ()

    @property
    def plan_marked(self) -> tuple[MarkedBlock, ...]:
        """The plan's lines with their change marks (unmarked lines when the
        row was made without them)."""
        if self.plan_blocks:
            return self.plan_blocks
        lines = [" ".join(line.split()) for line in self.plan.splitlines() if line.strip()]
        return tuple(MarkedBlock("p", (Segment(line, self.flags.new),)) for line in lines)


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
    page: str = "Page"
    of: str = "of"
    empty_status: str = "–"


class ReportDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    cycle_id: int
    area_id: int
    area_name: str
    locale: str
    as_of: date
    title: str
    intro: tuple[str, ...]
    previous_cycle_id: int | None = None
    previous_as_of: date | None = None
    labels: ReportLabels
    tracks: tuple[ReportTrack, ...]

    @property
    def rows(self) -> list[ReportRow]:
        return [row for track in self.tracks for row in track.rows]

    @property
    def has_marks(self) -> bool:
        return self.previous_cycle_id is not None


class DeletedText(BaseModel):
    """Text removed since the previous report, for a coordinator's review."""

    model_config = ConfigDict(frozen=True)

    initiative_id: int
    entry_id: int
    track: str
    title: str
    texts: tuple[str, ...]


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
