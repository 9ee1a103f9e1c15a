"""A small area with two cycles, built through the models.

Texts are our own, written in the style of a Danish municipality's status
report. The second cycle exercises every row flag: changed, carried forward,
no answer, new initiative, completed, and hostile text that must stay text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

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
from storage.richtext import StatusText

INTRO = (
    "Kommunalbestyrelsen besluttede den 12. december 2023 at igangsætte en række tiltag "
    "for at styrke ledelse, digitalisering og økonomistyring på Sundheds- og Omsorgsområdet.\n\n"
    "Nedenfor er en skematisk oversigt over status på tiltagene."
)

HOSTILE_TITLE = "Opfølgning på <b>budget</b> & *forbrug*"
HOSTILE_STATUS = (
    '=HYPERLINK("https://example.org/x";"Se budget") <script>alert(1)</script>\n\n'
    "# ikke en overskrift [link](https://example.org) | kolonne"
)

# (track, title, plan, previous status or None (no entry), current status,
#  current source, phase)
ROWS = [
    (
        "Organisering",
        "Ansættelse af ny områdechef",
        "Rekruttering i 1. kvartal 2024",
        "Stillingen er slået op med ansøgningsfrist 14. marts 2024.",
        "Stillingen er slået op med ansøgningsfrist 14. marts 2024. "
        "Anne Holm er ansat som områdechef pr. 1. maj 2024.",
        EntrySource.ANSWER,
        Phase.IN_PROGRESS,
    ),
    (
        "Organisering",
        "Ny mødestruktur i ledergruppen",
        "Aftales i ledergruppen\nEvalueres efter et halvt år",
        "Ledergruppen mødes hver anden uge med fast dagsorden.",
        "Ledergruppen mødes hver anden uge med fast dagsorden.",
        EntrySource.CARRY_FORWARD,
        Phase.IN_PROGRESS,
    ),
    (
        "Organisering",
        "Fælles introduktionsforløb for nye medarbejdere",
        "Opstart 2. halvår 2024",
        None,
        "Forløbet tilrettelægges i samarbejde med HR.\n\n"
        "- Introduktionsdag hver måned\n- Mentorordning i første halvår",
        EntrySource.ANSWER,
        Phase.NOT_STARTED,
    ),
    (
        "Digitalisering og data",
        "Udbud af nyt omsorgssystem",
        "Udbud gennemføres i 2024",
        "Udbuddet er forberedt, og budgettet er 2,4 mio. kr. inkl. implementering.\n\n"
        "- Kravspecifikation udarbejdet\n- Markedsdialog gennemført\n\n"
        "Tidsplanen afhænger af den fælleskommunale aftale.",
        "Udbuddet er forberedt, og budgettet er 2,9 mio. kr. inkl. implementering.\n\n"
        "- Kravspecifikation udarbejdet og godkendt\n- Markedsdialog gennemført",
        EntrySource.ANSWER,
        Phase.IN_PROGRESS,
    ),
    (
        "Digitalisering og data",
        "Dashboard til ledelsesinformation",
        "",
        "En første udgave af dashboardet er taget i brug af aftaleholderne.",
        None,
        EntrySource.PENDING,
        None,
    ),
    (
        "Økonomi og styring",
        "Eftersyn af budgetmodellen",
        "Gennemføres med ekstern rådgiver",
        "Analysen er i gang og forventes afsluttet i maj.",
        "Den nye budgetmodel blev godkendt den 3. juni 2024.",
        EntrySource.ANSWER,
        Phase.COMPLETED,
    ),
    (
        "Økonomi og styring",
        HOSTILE_TITLE,
        "Løbende",
        HOSTILE_STATUS,
        HOSTILE_STATUS,
        EntrySource.ANSWER,
        Phase.IN_PROGRESS,
    ),
]


@dataclass
class Fixture:
    area: Area
    first: Cycle
    second: Cycle
    initiatives: dict[str, Initiative]
    entries: dict[str, Entry]
    owner: Person


def _utc(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)


def build_fixture(session: Session, *, name: str = "Sundheds- og Omsorgsområdet") -> Fixture:
    suffix = "".join(ch for ch in name if ch.isalpha())[:8].upper()
    owner = Person(
        slack_user_id=f"U0{suffix}", display_name="Birgitte Lund", email=f"bl.{suffix}@example.org"
    )
    area = Area(name=name, key=name.casefold(), intro=INTRO)
    session.add_all([owner, area])
    session.flush()
    tracks: dict[str, Track] = {}
    initiatives: dict[str, Initiative] = {}
    for track_name, title, plan, *_ in ROWS:
        if track_name not in tracks:
            tracks[track_name] = Track(
                area_id=area.id, name=track_name, key=track_name.casefold(), position=len(tracks)
            )
            session.add(tracks[track_name])
            session.flush()
        track = tracks[track_name]
        initiative = Initiative(
            area_id=area.id,
            track_id=track.id,
            title=title,
            key=" ".join(title.casefold().split()),
            plan=plan,
            position=sum(1 for i in initiatives.values() if i.track_id == track.id),
            owner_id=owner.id,
        )
        session.add(initiative)
        session.flush()
        initiatives[title] = initiative

    first = Cycle(
        area_id=area.id,
        as_of=date(2023, 9, 1),
        deadline=_utc(date(2023, 8, 25)),
        state=CycleState.APPROVED,
    )
    second = Cycle(
        area_id=area.id,
        as_of=date(2024, 4, 1),
        deadline=_utc(date(2024, 3, 25)),
        state=CycleState.IN_REVIEW,
    )
    session.add_all([first, second])
    session.flush()
    entries: dict[str, Entry] = {}
    for _track, title, _plan, before, now, source, phase in ROWS:
        initiative = initiatives[title]
        if before is not None:
            session.add(
                Entry(
                    cycle_id=first.id,
                    initiative_id=initiative.id,
                    status=StatusText.from_markup(before),
                    phase=Phase.IN_PROGRESS,
                    source=EntrySource.ANSWER,
                    answered_by_id=owner.id,
                    answered_at=_utc(date(2023, 8, 20)),
                )
            )
        answered = source != EntrySource.PENDING
        entry = Entry(
            cycle_id=second.id,
            initiative_id=initiative.id,
            status=StatusText.from_markup(now) if now else None,
            phase=phase,
            source=source,
            carried_forward=source == EntrySource.CARRY_FORWARD,
            answered_by_id=owner.id if answered else None,
            answered_at=_utc(date(2024, 3, 20)) if answered else None,
        )
        session.add(entry)
        entries[title] = entry
    session.flush()
    return Fixture(area, first, second, initiatives, entries, owner)
