"""The HTML report's history appendix (``statusbot report --with-history``):
each initiative's approved statuses by as-of date, newest first, what changed
each time marked like the report's own changes; the report's titles link to
it (:func:`bot.registry.history.initiative_history`)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.i18n import normalise_locale
from bot.registry.history import HistoryRow, initiative_history
from reports.html import environment
from reports.model import ReportDocument
from reports.texts import gettext_for
from storage.models import Initiative


@dataclass(frozen=True)
class HistoryItem:
    initiative_id: int
    title: str
    rows: list[HistoryRow]


def history_labels(locale: str) -> dict[str, str]:
    _ = gettext_for(locale)
    return {
        "heading": _("Appendix: each initiative's history"),
        "intro": _(
            "Every approved status of each initiative, newest first. Text new since the "
            "report before is red and underlined, removed text is struck through."
        ),
        "approved": _("approved"),
        "published": _("published"),
        "baseline": _("previous report"),
        "missed": _("No answer in this round."),
        "unchanged": _("Unchanged since the report before."),
        "renamed": _("Renamed"),
        "moved": _("Moved"),
        "back": _("Back to the report"),
        "link": _("history"),
        "none": _("No approved status yet."),
    }


def history_items(session: Session, document: ReportDocument) -> list[HistoryItem]:
    items = []
    for row in document.rows:
        initiative = session.get(Initiative, row.initiative_id)
        if initiative is not None:
            items.append(
                HistoryItem(row.initiative_id, row.title, initiative_history(session, initiative))
            )
    return items


def history_appendix(items: list[HistoryItem], locale: str) -> Markup:
    """The appendix as HTML (escaped in the template), to put after the table."""
    template = environment().get_template("history.html.j2")
    language = normalise_locale(locale)
    return Markup(
        template.render(
            items=items,
            labels=history_labels(language),
            when=lambda day: format_date(day, "long", locale=language),
        )
    )
