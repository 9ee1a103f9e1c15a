"""The agenda item's generated *Sagsfremstilling*: the area's standing
background, then the status told from the data, then the committee's previous
decision quoted with its date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.committee.flowback import CommitteeNotice
from bot.committee.i18n import gettext_for, ngettext_for
from bot.review.compile import Summary
from reports.model import ReportDocument, ReportRow
from reports.texts import long_date

PHASE_ORDER = ("completed", "in_progress", "not_started", "postponed", None)


def paragraphs_of(text: str | None) -> list[str]:
    """A stored text's paragraphs (blank lines part them; lines inside join)."""
    if not text:
        return []
    parts = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return [p for p in parts if p]


def _join(items: Sequence[str], and_word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {and_word} " + items[-1]


def _phase_counts(rows: Sequence[ReportRow], locale: str) -> str:
    _ = gettext_for(locale)
    counts = Counter(row.phase if row.phase in PHASE_ORDER else None for row in rows)
    if len(counts) == 1 and len(rows) > 1:
        alike = {
            "completed": _("all completed"),
            "in_progress": _("all in progress"),
            "not_started": _("none started yet"),
            "postponed": _("all postponed"),
            None: _("none with a phase"),
        }
        return alike[next(iter(counts))]
    words = {
        "completed": _("{n} completed"),
        "in_progress": _("{n} in progress"),
        "not_started": _("{n} not started"),
        "postponed": _("{n} postponed"),
        None: _("{n} without a phase"),
    }
    items = [words[p].format(n=counts[p]) for p in PHASE_ORDER if counts[p]]
    return _join(items, _("and"))


def status_paragraphs(
    document: ReportDocument, summary: Summary, notice: CommitteeNotice | None
) -> list[str]:
    """The status as sentences: totals by phase, new and withdrawn since the
    last report, one sentence per track, the missing answers, and the
    committee's previous decision."""
    locale = document.locale
    _ = gettext_for(locale)
    n_ = ngettext_for(locale)
    rows = document.rows
    out: list[str] = []
    opening = n_(
        "The status as of {as_of} covers {n} initiative in {tracks} tracks.",
        "The status as of {as_of} covers {n} initiatives in {tracks} tracks.",
        len(rows),
    ).format(as_of=long_date(document.as_of, locale), n=len(rows), tracks=len(document.tracks))
    if rows:
        opening += " " + _("By phase: {counts}.").format(counts=_phase_counts(rows, locale))
    out.append(opening)
    if document.previous_as_of is not None:
        new = sum(1 for row in rows if row.flags.new)
        withdrawn = len(summary.withdrawn)
        since = long_date(document.previous_as_of, locale)
        if new and withdrawn:
            out.append(
                _(
                    "Since the last report as of {since}, {new} initiatives were added "
                    "and {withdrawn} withdrawn."
                ).format(since=since, new=new, withdrawn=withdrawn)
            )
        elif new:
            out.append(
                n_(
                    "Since the last report as of {since}, {n} initiative was added and none "
                    "withdrawn.",
                    "Since the last report as of {since}, {n} initiatives were added and none "
                    "withdrawn.",
                    new,
                ).format(since=since, n=new)
            )
        elif withdrawn:
            out.append(
                n_(
                    "Since the last report as of {since}, {n} initiative was withdrawn and none "
                    "added.",
                    "Since the last report as of {since}, {n} initiatives were withdrawn and none "
                    "added.",
                    withdrawn,
                ).format(since=since, n=withdrawn)
            )
        else:
            out.append(
                _(
                    "Since the last report as of {since}, no initiatives were added or withdrawn."
                ).format(since=since)
            )
    for track in document.tracks:
        out.append(
            n_(
                "{track}: {n} initiative, {counts}.",
                "{track}: {n} initiatives, {counts}.",
                len(track.rows),
            ).format(track=track.name, n=len(track.rows), counts=_phase_counts(track.rows, locale))
            if track.rows
            else _("{track}: no initiatives.").format(track=track.name)
        )
    if summary.missing:
        titles = [_("“{title}”").format(title=m.title) for m in summary.missing]
        out.append(
            n_(
                "{n} initiative was not answered, and its last status is repeated: {titles}.",
                "{n} initiatives were not answered, and their last status is repeated: {titles}.",
                len(titles),
            ).format(n=len(titles), titles=_join(titles, _("and")))
        )
    else:
        out.append(_("Every initiative was answered."))
    if notice is not None:
        out.append(decision_quote(notice, locale))
    return out


def decision_quote(notice: CommitteeNotice, locale: str) -> str:
    """ "På mødet den 14. marts 2026 besluttede udvalget: »…«"."""
    _ = gettext_for(locale)
    return _("At its meeting on {date} the committee decided: “{text}”").format(
        date=long_date(notice.meeting_date, locale), text=" ".join(notice.text.split())
    )


def sagsfremstilling(
    background: str | None,
    document: ReportDocument,
    summary: Summary,
    notice: CommitteeNotice | None,
) -> list[str]:
    return [*paragraphs_of(background), *status_paragraphs(document, summary, notice)]
