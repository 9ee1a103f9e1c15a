"""The draft summary lists deletions as sentences with the gone text struck (issue 12)."""

from bot.blocks import review as rb
from bot.blocks.check import problems
from bot.review.i18n import gettext_for
from reports.diff import diff_status
from storage.richtext import StatusText

EN = gettext_for("en")


def _summary(*lines: rb.DeletedLine) -> rb.DraftSummary:
    counts = rb.TrackCounts("Spor", 1, 1, 0, 0, 1)
    return rb.DraftSummary(
        area="Socialområdet",
        cycle_id=7,
        draft_number=1,
        label="DRAFT 1",
        preview=False,
        collecting=False,
        tracks=(counts,),
        total=counts,
        deleted=lines,
    )


def _line(title: str, old: str, new: str) -> rb.DeletedLine:
    result = diff_status(StatusText.from_markup(old), StatusText.from_markup(new))
    return rb.DeletedLine(
        title, tuple(tuple((s.text, s.deleted) for s in b.segments) for b in result.deleted)
    )


def test_changed_amount_is_shown_in_its_sentence() -> None:
    line = _line(
        "Udbud",
        "Udbuddet er forberedt, og budgettet er 2,4 mio. kr. inkl. implementering.",
        "Udbuddet er forberedt, og budgettet er 2,9 mio. kr. inkl. implementering.",
    )
    text = str(rb.draft_message(_summary(line), EN))
    assert "og budgettet er ~2,4~ mio. kr. inkl. implementering." in text
    assert "~2,4~" in text and "~2,9~" not in text


def test_whole_sentence_struck_and_long_context_shortened() -> None:
    context = "Denne indledning er meget lang og fortsætter og fortsætter med mange ord " * 3
    line = _line(
        "Tiltag <b>",
        f"{context}slut med et ord. Hele denne sætning er væk.",
        f"{context}slut med andet ord.",
    )
    message = rb.draft_message(_summary(line), EN)
    assert problems(message) == []
    section = next(b["text"]["text"] for b in message["blocks"] if "~" in str(b))
    assert "Tiltag &lt;b&gt;" in section
    struck = [row for row in section.splitlines() if "~et~" in row]
    assert len(struck) == 1 and len(struck[0]) < 160
    assert struck[0].startswith("    … ")  # the long start is cut, with an ellipsis
    # The replaced stretch is shown as the old sentences, the gone words struck.
    assert struck[0].endswith("slut med ~et~ ord. ~Hele denne sætning er væk.~")


def test_many_sentences_are_capped() -> None:
    old = "\n\n".join(f"Sætning nummer {n} udgår." for n in range(8)) + "\n\nBliver."
    line = _line("Mange", old, "Bliver.")
    text = str(rb.draft_message(_summary(line), EN))
    assert text.count("~Sætning nummer") == rb.MAX_SENTENCES
    assert f"… and {8 - rb.MAX_SENTENCES} more." in text


def test_long_list_stops_at_a_whole_initiative() -> None:
    gone = "Denne lange sætning om planen udgår helt og holdent fra rapporten. " * 3
    old = f"{gone}\n\n{gone}\n\nBliver."
    lines = [_line(f"Tiltag {n}", old, "Bliver.") for n in range(14)]
    message = rb.draft_message(_summary(*lines), EN)
    assert problems(message) == []
    section = next(b["text"]["text"] for b in message["blocks"] if "Tiltag 0" in str(b))
    assert len(section) <= 3000
    assert section.count("~") % 2 == 0  # no strike cut in half
    shown = section.count("• *Tiltag")
    assert 0 < shown < 14 and section.endswith(f"… and {14 - shown} more.")
