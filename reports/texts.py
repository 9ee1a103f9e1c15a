"""The document's fixed texts in Danish or English (gettext domain ``reports``)
and its dates (Babel)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.i18n import normalise_locale, translator
from reports.model import ReportLabels

DOMAIN = "reports"


def gettext_for(locale: str | None):  # type: ignore[no-untyped-def]
    return translator(DOMAIN, normalise_locale(locale)).gettext


def month_year(value: date, locale: str) -> str:
    """``april 2024`` / ``April 2024``."""
    return format_date(value, "MMMM yyyy", locale=normalise_locale(locale))


def short_date(value: date, locale: str) -> str:
    """``30/8-23`` in Danish (the seeds' style), ``30/8/23`` in English."""
    _ = gettext_for(locale)
    # Translators: a Babel/CLDR date pattern for the status column header.
    return format_date(value, _("d/M/yy"), locale=normalise_locale(locale))


def long_date(value: date, locale: str) -> str:
    """``30. august 2023`` / ``30 August 2023``."""
    return format_date(value, "long", locale=normalise_locale(locale))


def default_title(area_name: str, as_of: date, locale: str) -> str:
    _ = gettext_for(locale)
    return _("Status of the development process in {area} as of {month_year}").format(
        area=area_name, month_year=month_year(as_of, locale)
    )


def labels(
    as_of: date, previous_as_of: date | None, locale: str, *, with_deletions: bool = False
) -> ReportLabels:
    _ = gettext_for(locale)
    before = marked = after = deleted = None
    if previous_as_of is not None:
        # Colour alone is not a cue (WCAG 1.4.1): every format underlines too.
        red = _("red and underlined")
        legend = _("Changes since the previous status in {month_year} are marked in {red}.")
        legend = legend.replace("{month_year}", month_year(previous_as_of, locale))
        before, _sep, after = legend.partition("{red}")
        marked = red
        if with_deletions:
            deleted = _(
                "Text deleted since then is struck through (in this draft only; "
                "the committee document does not show it)."
            )
    return ReportLabels(
        track=_("Development track"),
        initiative=_("Initiative"),
        plan=_("Implementation of the initiative"),
        status=_("Status of the initiative as of {date}").format(date=short_date(as_of, locale)),
        legend_before=before,
        legend_marked=marked,
        legend_after=after,
        legend_deleted=deleted,
        page=_("Page"),
        of=_("of"),
        empty_status="–",
        # Translators: a track's or initiative's name on a page that continues it.
        continued=_("{name} (continued)"),
    )


def note_texts(locale: str) -> dict[str, str]:
    _ = gettext_for(locale)
    return {
        "no_answer": _("No update received; the previous status is repeated."),
        "no_answer_empty": _("No update received."),
        "carried_forward": _("Unchanged since the previous status."),
        "completed": _("Completed."),
        "new": _("New initiative."),
    }
