"""What the committee's slides say, as data: built from a :class:`ReportDocument`
(its change marks come from :mod:`reports.diff`), laid out by
:mod:`reports.slide_fit` and drawn by :mod:`reports.pptx_render`.

Per track, *Hvad er sket siden sidst?* names the initiatives whose status text
changed since the previous report, each with only its changed sentences
(:func:`changed_sentences`); the unchanged ones are counted in one closing line
and the unanswered ones named.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import accumulate
from typing import Literal

from babel.dates import format_date

from bot.i18n import normalise_locale, translator
from reports import texts
from reports.model import MarkedBlock, ReportDocument, ReportRow, ReportTrack, Segment
from reports.sentences import split_sentences

Bullet = Literal["bullet", "dash", "number", "none"]
CHECK = "✓"


@dataclass(frozen=True)
class Line:
    """One paragraph of a slide's body. ``context`` are the headings it belongs
    under (an initiative's title), repeated with "(continued)" when the line
    opens a slide; ``heading`` lines are never left last on a slide. Every
    item of a numbered list has its ``number``."""

    runs: tuple[Segment, ...]
    level: int = 0
    bullet: Bullet = "bullet"
    number: int | None = None  # the first item of a numbered list, and its delimiter
    delim: str = "."
    heading: bool = False
    context: tuple[Line, ...] = ()
    continues: bool = False  # the rest of a paragraph cut at a slide's end

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class SlideSpec:
    """A slide before it is fitted: ``lines`` may fill several slides."""

    title: str
    lines: tuple[Line, ...] = ()
    subtitle: tuple[str, ...] = ()
    kind: Literal["title", "content"] = "content"


@dataclass(frozen=True)
class DeckTexts:
    """Everything the deck says besides the slides' bodies."""

    title: str
    subtitle: tuple[str, ...]
    subject: str
    language: str  # da-DK / en-GB
    draft: bool
    draft_label: str
    continued: Callable[[str, int, int], str] = field(repr=False)
    continued_heading: str = ""


@dataclass(frozen=True)
class Deck:
    texts: DeckTexts
    slides: tuple[SlideSpec, ...]


def _plain(text: str, *, bold: bool = False, italic: bool = False) -> tuple[Segment, ...]:
    return (Segment(text, bold=bold, italic=italic),)


def changed_sentences(block: MarkedBlock) -> list[tuple[Segment, ...]]:
    """The sentences of ``block`` that hold changed text, each with its runs
    (bold, italics, links kept); the unchanged sentences are left out."""
    ends = list(accumulate(len(s) for s in split_sentences(block.text)))
    if not ends:
        return []
    sentences: list[list[Segment]] = [[] for _ in ends]
    at = 0
    for segment in block.segments:
        rest = segment.text
        while rest:
            index = min(bisect_right(ends, at), len(ends) - 1)
            piece = rest[: max(ends[index] - at, 1)]
            if not segment.deleted:  # a draft's struck-through text is not news
                sentences[index].append(replace(segment, text=piece))
            at += len(piece)
            rest = rest[len(piece) :]
    return [
        _tidy(pieces) for pieces in sentences if any(s.changed and s.text.strip() for s in pieces)
    ]


def _tidy(pieces: list[Segment]) -> tuple[Segment, ...]:
    """One line of text: line breaks as spaces, no space at either end."""
    runs = [replace(s, text=s.text.replace("\n", " ")) for s in pieces]
    runs[0] = replace(runs[0], text=runs[0].text.lstrip())
    runs[-1] = replace(runs[-1], text=runs[-1].text.rstrip())
    return tuple(r for r in runs if r.text)


def status_changed(row: ReportRow) -> bool:
    """News for the committee: the status text changed, or the initiative was
    completed since the previous report."""
    if row.flags.no_answer:
        return False
    return row.flags.newly_completed or any(block.changed for block in row.blocks)


class _Words:
    def __init__(self, locale: str) -> None:
        self._ = texts.gettext_for(locale)
        self.ngettext = translator(texts.DOMAIN, normalise_locale(locale)).ngettext


def _row_heading(row: ReportRow, w: _Words) -> Line:
    _ = w._
    runs: list[Segment] = []
    if row.flags.completed:
        runs.append(Segment(CHECK + " ", bold=True))
    runs.append(Segment(row.title, bold=True))
    # Not by colour alone: completed and new initiatives say so in words too.
    if row.flags.completed:
        runs.append(Segment(" – " + _("completed"), italic=True))
    elif row.flags.new:
        runs.append(Segment(" – " + _("new initiative"), italic=True))
    return Line(tuple(runs), level=0, heading=True)


def _row_lines(row: ReportRow, w: _Words) -> list[Line]:
    heading = _row_heading(row, w)
    lines = [heading]
    for block in row.blocks:
        for sentence in changed_sentences(block):
            if block.kind == "p":
                lines.append(Line(sentence, level=1, bullet="dash", context=(heading,)))
            else:  # a list item stays a list item, one level in
                numbered = block.kind == "ol" and block.number is not None
                lines.append(
                    Line(
                        sentence,
                        level=2,
                        bullet="number" if numbered else "bullet",
                        number=block.number if numbered else None,
                        delim=block.delim,
                        context=(heading,),
                    )
                )
    return lines


def track_lines(track: ReportTrack, locale: str, has_previous: bool = True) -> tuple[Line, ...]:
    """*Hvad er sket siden sidst?* for one track."""
    w = _Words(locale)
    _ = w._
    if not has_previous:
        return (
            Line(
                _plain(_("There is no earlier report to compare with."), italic=True),
                bullet="none",
            ),
        )
    lines: list[Line] = []
    changed = [row for row in track.rows if status_changed(row)]
    missing = [row for row in track.rows if row.flags.no_answer]
    unchanged = len(track.rows) - len(changed) - len(missing)
    for row in changed:
        lines += _row_lines(row, w)
    if not changed:
        lines.append(
            Line(_plain(_("No status has changed since the previous report.")), bullet="none")
        )
    if unchanged and changed:
        text = w.ngettext("Unchanged: {n} initiative", "Unchanged: {n} initiatives", unchanged)
        lines.append(Line(_plain(text.format(n=unchanged), italic=True), bullet="none"))
    if missing:
        titles = "; ".join(row.title for row in missing)
        text = w.ngettext(
            "No answer received: {titles}", "No answers received: {titles}", len(missing)
        )
        lines.append(Line(_plain(text.format(titles=titles), italic=True), bullet="none"))
    return tuple(lines)


def next_lines(document: ReportDocument, locale: str) -> tuple[Line, ...]:
    """What comes next: the plan (*iværksættelse*) of each initiative not yet
    completed, under its track."""
    _ = texts.gettext_for(locale)
    lines: list[Line] = []
    for track in document.tracks:
        rows = [r for r in track.rows if not r.flags.completed and r.plan.strip()]
        if not rows:
            continue
        header = Line(_plain(track.name, bold=True), bullet="none", heading=True)
        lines.append(header)
        for row in rows:
            title = Line(_plain(row.title, bold=True), level=1, heading=True, context=(header,))
            lines.append(title)
            for block in row.plan_marked:
                runs = tuple(s for s in block.segments if not s.deleted)
                if runs:
                    lines.append(
                        Line(
                            _tidy(list(runs)),
                            level=2,
                            bullet="dash",
                            context=(header, title),
                        )
                    )
    if not lines:
        lines.append(Line(_plain(_("No initiative has a plan still to carry out.")), bullet="none"))
    return tuple(lines)


def genitive(name: str) -> str:
    """Danish genitive: "Socialudvalgets", "Børns'" (after s, x or z only an apostrophe)."""
    return name + ("'" if name[-1:].casefold() in "sxz" else "s")


def meeting_line(committee: str | None, meeting: date | None, locale: str) -> str:
    """ "Til Socialudvalgets møde den 3. juni 2025" / "For the Social Committee
    meeting on 3 June 2025"; without a name "udvalgets"/"the committee"."""
    _ = texts.gettext_for(locale)
    name = (committee or "").strip()
    if name and locale.startswith("da"):
        name = genitive(name)
    if meeting is None:
        return (
            _("For the {committee} meeting").format(committee=name)
            if name
            else _("For the committee meeting")
        )
    day = format_date(meeting, "long", locale=language_tag(locale).replace("-", "_"))
    if name:
        return _("For the {committee} meeting on {date}").format(committee=name, date=day)
    return _("For the committee meeting on {date}").format(date=day)


def language_tag(locale: str) -> str:
    """The presentation's language: da-DK, or en-GB for English areas."""
    return "en-GB" if locale.startswith("en") else "da-DK"


def build_deck(
    document: ReportDocument,
    *,
    committee: str | None = None,
    meeting: date | None = None,
    draft: bool = False,
) -> Deck:
    locale = document.locale
    _ = texts.gettext_for(locale)
    line = meeting_line(committee, meeting, locale)
    draft_label = _("DRAFT – not approved")
    subtitle = (line, draft_label) if draft else (line,)
    slides: list[SlideSpec] = [SlideSpec(document.title, subtitle=subtitle, kind="title")]
    focus = tuple(
        Line(_plain(track.name), bullet="number", number=i + 1)
        for i, track in enumerate(document.tracks)
    )
    slides.append(SlideSpec(_("Focus areas"), focus))
    for track in document.tracks:
        title = _("{track}: What has happened since last time?").format(track=track.name)
        slides.append(SlideSpec(title, track_lines(track, locale, document.has_marks)))
    slides.append(SlideSpec(_("Next steps"), next_lines(document, locale)))

    def continued(title: str, page: int, pages: int) -> str:
        if pages <= 2:
            return _("{title} (continued)").format(title=title)
        return _("{title} (continued, {page} of {pages})").format(
            title=title, page=page, pages=pages
        )

    deck_texts = DeckTexts(
        title=document.title,
        subtitle=subtitle,
        subject=line,
        language=language_tag(locale),
        draft=draft,
        draft_label=draft_label,
        continued=continued,
        continued_heading=_("(continued)"),
    )
    return Deck(deck_texts, tuple(slides))
