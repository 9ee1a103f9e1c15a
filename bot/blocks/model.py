"""Plain data the builders render. Loaders fill it from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.committee.flowback import CommitteeNotice


@dataclass(frozen=True)
class Viewer:
    """Who reads the surface: language and time zone for every date shown."""

    locale: str  # "da" or "en"
    tz: ZoneInfo


@dataclass(frozen=True)
class ItemView:
    """One initiative of one cycle, as a manager sees it."""

    entry_id: int
    cycle_id: int
    track: str
    title: str
    previous: str = ""  # plain text of the previous status ("" if none)
    current: str = ""  # plain text of this cycle's answer
    answered: bool = False
    carried_forward: bool = False
    answered_at: datetime | None = None
    answered_by: str | None = None  # label of who answered
    owner_user: str | None = None  # Slack user id of the owner
    delegate_user: str | None = None  # Slack user id of the delegate
    viewer_is_delegate: bool = False
    collecting: bool = True  # the cycle takes answers
    editable: bool = True  # answered items: revisions still allowed (before deadline)
    # The committee's words when its last decision asks about this initiative.
    committee_asks: str | None = None


@dataclass(frozen=True)
class CycleHeader:
    cycle_id: int
    area: str
    title: str | None
    as_of: date
    deadline: datetime


@dataclass(frozen=True)
class PromptView:
    """Everything one manager is asked in one cycle."""

    cycle: CycleHeader
    recipient: str  # display name
    items: list[ItemView] = field(default_factory=list)
    # The committee's last decision on the area (bot.committee.flowback.CommitteeNotice).
    committee: CommitteeNotice | None = None


@dataclass(frozen=True)
class AwayView:
    """One person's absence as shown beside their name."""

    until: date
    stand_in_user: str | None = None
    stand_in_label: str | None = None


@dataclass(frozen=True)
class OwnerProgressView:
    label: str
    slack_user: str | None
    answered: int
    missing_titles: list[str]
    away: AwayView | None = None  # on leave on the day the view was made


@dataclass(frozen=True)
class ProgressView:
    cycle: CycleHeader
    state: str
    total: int
    answered: int
    carried_forward: int
    owners: list[OwnerProgressView]
