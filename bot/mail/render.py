"""An :class:`bot.delivery.message.OwnerMessage` as e-mail: subject, plain
text and accessible HTML, in the recipient's language.

The templates (``templates/*.j2``, next to this file) autoescape HTML, so
every imported name and title is escaped; they load no image, font or style
sheet from anywhere and carry no tracking pixel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.blocks.kit import fmt_date, fmt_datetime
from bot.committee.flowback import CommitteeNotice, asked_text
from bot.delivery.message import MessageKind, OwnerMessage
from bot.i18n import translator

DOMAIN = "mail"
PREVIOUS_MAX = 280  # characters of last time's status shown per item


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TrackGroup:
    name: str
    items: list[tuple[str, str, str]]  # (title, last status abridged, the committee's question)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(text: str, limit: int = 300) -> str:
    """``text`` without line breaks or control characters (names, titles, headers)."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def abridge(text: str, limit: int = PREVIOUS_MAX) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


@cache
def _environment(html: bool, locale: str) -> Environment:
    """One environment per kind and language (the translations are installed
    once: jobs render from several threads)."""
    env = Environment(
        loader=PackageLoader("bot.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False)
        if html
        else False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the code: no stat() per mail
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translator(DOMAIN, locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def _decision(notice: CommitteeNotice | None, locale: str) -> tuple[str, str] | None:
    """(the line above it, the decision's words abridged): the committee's last
    decision, as the Slack prompt shows it above the initiatives."""
    if notice is None:
        return None
    return notice.lead(locale, fmt_date(notice.meeting_date, locale)), notice.abridged


@lru_cache(maxsize=256)
def _dates(as_of: date, deadline: datetime, tz: ZoneInfo, locale: str) -> tuple[str, str]:
    """The cycle's dates as its owners read them (the same for a whole
    fan-out: Babel's formatting once, not per mail)."""
    return fmt_date(as_of, locale), fmt_datetime(deadline, tz, locale)


def render_mail(message: OwnerMessage, link: str) -> RenderedMail:
    """Subject, text and HTML of ``message`` with the personal ``link``."""
    locale = message.viewer.locale
    gettext = translator(DOMAIN, locale)
    cycle = message.cycle
    as_of, deadline = _dates(cycle.as_of, cycle.deadline, message.viewer.tz, locale)
    _ = gettext.gettext
    if message.kind is MessageKind.REMINDER:
        subject = _("Reminder: status report {area} due {deadline}")
    else:
        subject = _("Status report {area}: please answer by {deadline}")
    context = {
        "kind": message.kind.value,
        "recipient": one_line(message.view.recipient),
        "area": one_line(cycle.area),
        "title": cycle.title or _("Status report: {area}").format(area=cycle.area),
        "as_of": as_of,
        "deadline": deadline,
        "link": link,
        "count": len(message.items),
        "lang": locale,
        "decision": _decision(message.view.committee, locale),
        "tracks": [
            TrackGroup(
                one_line(track),
                [
                    (
                        one_line(i.title, 2000),
                        abridge(i.previous),
                        asked_text(i.committee_asks, locale) if i.committee_asks else "",
                    )
                    for i in items
                ],
            )
            for track, items in groupby(message.items, key=lambda i: i.track)
        ],
    }
    rendered = []
    for html in (False, True):
        env = _environment(html, locale)
        name = "owner.html.j2" if html else "owner.txt.j2"
        rendered.append(env.get_template(name).render(**context))
    return RenderedMail(
        subject=subject.format(area=cycle.area, deadline=deadline),
        text=rendered[0],
        html=rendered[1],
    )
