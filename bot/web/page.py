"""What the answer page shows: the person's initiatives of one cycle, grouped
by track, each prefilled (their answer so far, else last time's status, in the
status markup of :mod:`storage.markup`), and the preview of what was typed as
the report will show it — marked by the report's own diff and HTML rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.blocks.kit import fmt_date, fmt_datetime, fmt_time
from bot.blocks.modals import PHASES, phase_label
from bot.delivery.surfaces import locale_of, person_entries, zone_of
from bot.i18n import translator
from bot.registry.history import last_known_entries
from bot.settings import Settings
from bot.web.form import LATER, SAME, UPDATE, ItemInput
from bot.workflow.entries import ANSWERABLE
from reports.diff import diff_status, plain_block
from reports.html import status_html
from storage.models import Cycle, Entry, EntrySource, Person
from storage.richtext import StatusText


@dataclass
class Item:
    entry_id: int
    track: str
    title: str
    plan: str
    previous: StatusText | None  # last known status before this cycle
    previous_phase: str | None
    answered: bool
    carried: bool
    answered_at: str | None  # formatted, in the reader's zone
    version: int
    can_carry: bool  # there is an earlier status to keep ("No change")
    editable: bool  # may still be answered or revised (deadline)
    input: ItemInput  # the form's values: prefilled, or as typed
    preview: Markup | None = None  # the row's status as the report will show it
    preview_phase: str | None = None


@dataclass
class Track:
    name: str
    items: list[Item]


@dataclass
class FormPage:
    locale: str
    person: str
    area: str
    title: str | None
    as_of: str
    deadline: str
    collecting: bool
    tracks: list[Track]
    phases: list[tuple[str, str]]  # (value, label)
    items: dict[int, Item] = field(default_factory=dict)


def reader(person: Person, settings: Settings) -> tuple[str, ZoneInfo]:
    return locale_of(person, settings), zone_of(person, settings)


def load_page(
    session: Session, cycle: Cycle, person: Person, settings: Settings, now: datetime
) -> FormPage:
    locale, zone = reader(person, settings)
    entries = person_entries(session, cycle.id, person.id)
    earlier = last_known_entries(session, cycle, [e.initiative_id for e in entries])
    collecting = cycle.state in ANSWERABLE
    items = [_item(e, earlier.get(e.initiative_id), cycle, now, zone, locale) for e in entries]
    slack_words = translator("slack", locale).gettext  # the phases' names, as in Slack
    return FormPage(
        locale=locale,
        person=person.display_name or person.label,
        area=cycle.area.name,
        title=cycle.title,
        as_of=fmt_date(cycle.as_of, locale),
        deadline=fmt_datetime(cycle.deadline, zone, locale),
        collecting=collecting,
        tracks=[Track(name, list(group)) for name, group in groupby(items, lambda i: i.track)],
        phases=[(p, phase_label(p, slack_words)) for p in PHASES],
        items={item.entry_id: item for item in items},
    )


def _item(
    entry: Entry, earlier: Entry | None, cycle: Cycle, now: datetime, zone: ZoneInfo, locale: str
) -> Item:
    previous = earlier.status if earlier is not None and earlier.status else None
    answered = entry.source != EntrySource.PENDING
    shown = entry.status if answered and entry.status else previous
    phase = entry.phase if answered else (earlier.phase if earlier is not None else None)
    carried = entry.source == EntrySource.CARRY_FORWARD
    return Item(
        entry_id=entry.id,
        track=entry.initiative.track.name,
        title=entry.initiative.title,
        plan=entry.plan or entry.initiative.plan or "",
        previous=previous,
        previous_phase=earlier.phase if earlier is not None else None,
        answered=answered,
        carried=carried,
        answered_at=fmt_time(entry.answered_at, zone, locale) if entry.answered_at else None,
        version=entry.version,
        can_carry=previous is not None,
        editable=not answered or now <= cycle.deadline,
        input=ItemInput(
            entry_id=entry.id,
            choice=SAME if carried else UPDATE,
            markup=shown.to_markup() if shown else "",
            phase=phase,
            note=(entry.note or "") if answered else "",
            version=entry.version,
        ),
    )


def take_typed(page: FormPage, typed: list[ItemInput]) -> None:
    """Show what was typed instead of the prefill (errors, preview, refusals)."""
    for item_input in typed:
        item = page.items.get(item_input.entry_id)
        if item is not None:
            item.input = item_input


def add_previews(page: FormPage) -> None:
    """Each item's status as its report row will show it: the report's diff
    against the last known status, rendered by the report's HTML renderer
    (changes as ``<ins class="chg">``, red and underlined)."""
    phases = dict(page.phases)
    for item in page.items.values():
        typed = item.input
        if typed.choice == LATER or typed.errors:
            continue
        if typed.choice == SAME and item.previous is not None:
            blocks = [plain_block(b) for b in item.previous.blocks]
            phase = item.previous_phase
        elif typed.status is not None:
            blocks = diff_status(item.previous, typed.status).blocks
            phase = typed.phase
        else:
            continue
        item.preview = status_html(blocks)
        item.preview_phase = phases.get(phase or "")
