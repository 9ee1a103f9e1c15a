"""The bot's data, as SQLAlchemy 2 typed declarative models.

Every row of the bot's own data belongs to one Slack workspace: areas and
people carry ``team_id`` directly, everything else hangs off an area or a
person. A single-workspace install uses the empty team id ``""``.

Nothing is deleted: initiatives are retired, entries keep every revision in
:class:`Revision`, and operator actions land in :class:`AuditEvent`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.richtext import StatusText
from storage.types import StatusTextType, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"


class CycleState(StrEnum):
    COLLECTING = "collecting"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    POSTPONED = "postponed"


class EntrySource(StrEnum):
    """Where an entry's current status came from."""

    PENDING = "pending"  # no answer yet
    ANSWER = "answer"  # the owner or delegate wrote it
    CARRY_FORWARD = "carry_forward"  # the owner said "no change"
    COORDINATOR = "coordinator"  # a coordinator edited it
    IMPORT = "import"  # loaded from a previous report (baseline)


class RevisionReason(StrEnum):
    ANSWER = "answer"
    CARRY_FORWARD = "carry_forward"
    COORDINATOR_EDIT = "coordinator_edit"
    IMPORT = "import"


class JobState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"  # gave up after retries; reported
    CANCELLED = "cancelled"


class DocumentKind(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id"),
        UniqueConstraint("team_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(16))
    tz: Mapped[str | None] = mapped_column(String(64))
    # Set when users.lookupByEmail failed (e.g. "users_not_found"); cleared on success.
    lookup_error: Mapped[str | None] = mapped_column(String(100))
    lookup_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How prompts and reminders reach them: ``slack`` (default) or ``email``.
    channel: Mapped[str] = mapped_column(String(10), default="slack", server_default="slack")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(back_populates="person")

    @property
    def label(self) -> str:
        return self.display_name or self.email or self.slack_user_id or f"person {self.id}"


class Area(Base):
    """An organisational area: one consolidated report per area and cycle."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))  # casefolded name, for look-ups
    intro: Mapped[str | None] = mapped_column(Text)
    # The line above the report's title ("Grenaa, {date}"), and the organisation
    # named as the documents' author.
    date_line: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    report_channel: Mapped[str | None] = mapped_column(String(64))
    approvals_required: Mapped[int] = mapped_column(Integer, default=1)
    default_reminders: Mapped[str] = mapped_column(String(100), default="3d,1d")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tracks: Mapped[list[Track]] = relationship(back_populates="area", order_by="Track.position")
    cycles: Mapped[list[Cycle]] = relationship(back_populates="area")


class Track(Base):
    """An *udviklingsspor*: a workstream grouping initiatives in the report."""

    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("area_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship(back_populates="tracks")
    initiatives: Mapped[list[Initiative]] = relationship(
        back_populates="track", order_by="Initiative.position"
    )


class Initiative(Base):
    """A *tiltag*: one row of the report, with a responsible manager."""

    __tablename__ = "initiative"
    __table_args__ = (UniqueConstraint("track_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(1000))  # normalised title, stable import key
    # The operator's stable key (import column ``nr``/``key``, e.g. "SOC-07"),
    # unique per workspace: with it, title, track and area may all change.
    nr: Mapped[str | None] = mapped_column(String(100), index=True)
    plan: Mapped[str] = mapped_column(Text, default="")
    # Further paragraphs of the Tiltag cell (import column ``beskrivelse``).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    track: Mapped[Track] = relationship(back_populates="initiatives")
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    delegate: Mapped[Person | None] = relationship(foreign_keys=[delegate_id])


class RoleGrant(Base):
    """``admin`` (area is NULL) or ``coordinator`` of one area."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("person_id", "role", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    granted_by: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="grants")
    area: Mapped[Area | None] = relationship()


class Cycle(Base):
    """One reporting round of one area: collecting → closed → in_review →
    approved → published, with reopen back to collecting."""

    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    reminder_offsets: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default=CycleState.COLLECTING, index=True)
    # A baseline is a previous report imported as history; it is never collected.
    is_baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    draft_number: Mapped[int] = mapped_column(Integer, default=0)
    draft_stale: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    area: Mapped[Area] = relationship(back_populates="cycles")
    entries: Mapped[list[Entry]] = relationship(back_populates="cycle")

    __mapper_args__ = {"version_id_col": version}


class Entry(Base):
    """One initiative's status in one cycle."""

    __tablename__ = "entry"
    __table_args__ = (UniqueConstraint("cycle_id", "initiative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    # None until someone answers (or the previous text is carried forward).
    status: Mapped[StatusText | None] = mapped_column(StatusTextType)
    phase: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default=EntrySource.PENDING)
    carried_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # the owner's note to the coordinator
    # The initiative's plan as this cycle reports it (kept in step with the
    # registry until the cycle is approved); None in rows older than 0004.
    plan: Mapped[str | None] = mapped_column(Text)
    # Set when the initiative was retired or moved away while the cycle ran:
    # nobody is asked about it any more and the report leaves it out.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    cycle: Mapped[Cycle] = relationship(back_populates="entries")
    initiative: Mapped[Initiative] = relationship()
    answered_by: Mapped[Person | None] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="entry", order_by="Revision.number"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def answered(self) -> bool:
        return self.source != EntrySource.PENDING


class Revision(Base):
    """Append-only history of an entry: every text it ever had, who and why."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[StatusText] = mapped_column(StatusTextType)
    phase: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    author_label: Mapped[str | None] = mapped_column(String(200))  # CLI user, import file
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="revisions")
    author: Mapped[Person | None] = relationship()


class AuditEvent(Base):
    """An operator action: who did what, when."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_label: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Person | None] = relationship()


class Job(Base):
    """Outbox: work the bot must do later (prompts, reminders, digests).

    The CLI enqueues, a serving process claims due jobs in a transaction and
    marks them done only after Slack accepted the work. ``dedupe_key`` makes
    enqueueing idempotent; ``result`` keeps what Slack returned (e.g. message
    ``ts``) so a retried job can see it was already delivered.
    """

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=JobState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PromptMessage(Base):
    """A prompt DM the bot posted, so it can be updated in place."""

    __tablename__ = "prompt_message"
    __table_args__ = (UniqueConstraint("cycle_id", "person_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    part: Mapped[int] = mapped_column(Integer, default=0)  # long prompts span messages
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProcessedEvent(Base):
    """Keys of Slack deliveries already handled (event ids, submission ids)."""

    __tablename__ = "processed_event"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Document(Base):
    """A rendered report: drafts, and the immutable approved snapshot."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    draft_number: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Approval(Base):
    """One coordinator's approval of one draft of a cycle in one review round:
    a newer draft needs its own approvals (nobody approves text they never saw)."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("cycle_id", "person_id", "round", "draft_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    round: Mapped[int] = mapped_column(Integer, default=0)  # the cycle's reopen_count
    # The cycle's draft_number when approved (0: approved before any draft).
    draft_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    with_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewRequest(Base):
    """A coordinator sent an entry back to its owner with a comment."""

    __tablename__ = "review_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoundState(StrEnum):
    """A scheduled round's fate (see :mod:`bot.workflow.schedules`)."""

    PLANNED = "planned"
    POSTPONED = "postponed"  # planned, on a later opening date a coordinator chose
    SKIPPED = "skipped"
    OPENED = "opened"  # cycle_id: the round opened (by the schedule or by hand)
    FAILED = "failed"  # opening was refused (reason says why); the next round is planned


class AreaSchedule(Base):
    """An area's recurring rounds: the as-of dates of the year, how many days
    before each the round opens, working days to answer, default reminders."""

    __tablename__ = "area_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), unique=True)
    as_of_dates: Mapped[str] = mapped_column(String(200))  # "03-31,09-30"
    open_before_days: Mapped[int] = mapped_column(Integer)
    answer_days: Mapped[int] = mapped_column(Integer)
    reminders: Mapped[str | None] = mapped_column(String(100))  # None: the area's default
    title: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduledRound(Base):
    """One round of an area's schedule: when it opens, and what became of it."""

    __tablename__ = "scheduled_round"
    __table_args__ = (UniqueConstraint("area_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    opens_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default=RoundState.PLANNED)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessLink(Base):
    """A personal link to the web form (see :mod:`bot.web.links`): only the
    SHA-256 of its random token is stored; bound to one person and one cycle."""

    __tablename__ = "access_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(100))

    person: Mapped[Person] = relationship()
    cycle: Mapped[Cycle] = relationship()


class Absence(Base):
    """A person's leave, ``starts_on`` to ``ends_on`` (both days included).

    While it lasts nobody prompts or reminds the person: their items go to the
    stand-in as a delegation (``delegations`` remembers the delegate each
    initiative had before, so the end of the leave can put it back). Several
    per person; a cancelled one stays with ``cancelled_at``, nothing is deleted.
    """

    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    stand_in_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    set_by_label: Mapped[str | None] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_label: Mapped[str | None] = mapped_column(String(200))
    # initiative id (as text) → the delegate it had before the stand-in (or None).
    delegations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    stand_in: Mapped[Person | None] = relationship(foreign_keys=[stand_in_id])


class CommitteeAccess(StrEnum):
    OPEN = "open"  # *Åben sag*
    CLOSED = "closed"  # *Lukket sag*


class CommitteeSettings(Base):
    """What an area's agenda item for its political committee says besides the
    status: the committee, the case, and the standing texts of its sections."""

    __tablename__ = "committee_settings"

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    committee: Mapped[str | None] = mapped_column(String(200))
    case_number: Mapped[str | None] = mapped_column(String(100))
    access: Mapped[str] = mapped_column(String(10), default=CommitteeAccess.OPEN)
    background: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[str | None] = mapped_column(Text)
    economy: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CommitteeDecision(Base):
    """The committee's decision on a cycle's report. A replaced decision is kept
    (``replaced_at`` set), so nothing recorded is ever lost."""

    __tablename__ = "committee_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    # Members absent from the meeting, as written ("Navn (Org)").
    absent: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Ids of the initiatives the committee asks about.
    asks_about: Mapped[list[int]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_by_label: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cycle: Mapped[Cycle] = relationship()
