"""The coordinators' draft shows deleted text struck through where it was (issue 12);
the committee document never does."""

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.review.compile import summarise
from reports import build_document, render
from reports.diff import diff_status
from reports.model import ReportDocument
from storage.richtext import StatusText


def S(markup: str) -> StatusText:
    return StatusText.from_markup(markup)


def pieces(blocks):  # type: ignore[no-untyped-def]
    return [[(s.text, s.changed, s.deleted) for s in b.segments] for b in blocks]


def test_changed_word_struck_before_the_new_one() -> None:
    result = diff_status(
        S("Budgettet er 2,4 mio. kr. inkl. moms."),
        S("Budgettet er 2,9 mio. kr. inkl. moms."),
        with_deletions=True,
    )
    assert pieces(result.review) == [
        [
            ("Budgettet er ", False, False),
            ("2,4", False, True),
            (" ", False, False),
            ("2,9", True, False),
            (" mio. kr. inkl. moms.", False, False),
        ]
    ]


def test_deleted_sentence_and_paragraph_stay_where_they_were() -> None:
    before = S(
        "Indledning. Denne sætning udgår. Afslutning.\n\nSlettet afsnit om tidsplanen.\n\n- Punkt"
    )
    after = S("Indledning. Afslutning.\n\n- Punkt")
    result = diff_status(before, after, with_deletions=True)
    assert pieces(result.review) == [
        [
            ("Indledning. ", False, False),
            ("Denne sætning udgår.", False, True),
            (" Afslutning.", False, False),
        ],
        [("Slettet afsnit om tidsplanen.", False, True)],
        [("Punkt", False, False)],
    ]
    assert [b.kind for b in result.review] == ["p", "p", "li"]
    # The committee's blocks are the same as without deletions.
    assert result.blocks == diff_status(before, after).blocks
    assert [b.text for b in result.blocks] == ["Indledning. Afslutning.", "Punkt"]


def test_deleted_bullet_keeps_its_kind() -> None:
    result = diff_status(S("- Et\n- To\n- Tre"), S("- Et\n- Tre"), with_deletions=True)
    assert [(b.kind, b.text, b.deleted) for b in result.review] == [
        ("li", "Et", False),
        ("li", "To", True),
        ("li", "Tre", False),
    ]


def test_words_gone_at_the_end_are_spaced() -> None:
    result = diff_status(S("Arbejdet er i gang"), S("Arbejdet er"), with_deletions=True)
    text = "".join(s.text for s in result.review[0].segments)
    assert text == "Arbejdet er i gang"
    assert pieces(result.review)[0][-1] == ("i gang", False, True)


WORDS = st.sampled_from(
    ["Arbejdet", "er", "i", "gang.", "Budgettet", "2,4", "mio.", "kr.", "Den", "nye", "plan."]
)
PARAGRAPH = st.lists(WORDS, min_size=1, max_size=14).map(" ".join)
STATUS = st.lists(PARAGRAPH, min_size=0, max_size=4).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(STATUS, STATUS)
def test_draft_holds_old_and_new_text_in_order(old: str, new: str) -> None:
    """Without the new runs the draft reads as the old text; without the gone
    runs as the new text; and the committee blocks do not change."""
    before, after = S(old), S(new)
    plain = diff_status(before, after)
    result = diff_status(before, after, with_deletions=True)
    assert result.blocks == plain.blocks
    review = result.review or []
    old_side = " ".join(s.text for b in review for s in b.segments if not s.changed)
    new_side = " ".join(s.text for b in review for s in b.segments if not s.deleted)
    assert old_side.split() == " ".join(b.text for b in before.blocks).split()
    assert new_side.split() == " ".join(b.text for b in after.blocks).split()


@pytest.fixture
def draft(session, fx) -> ReportDocument:  # type: ignore[no-untyped-def]
    return build_document(session, fx.second.id, locale="da", with_deletions=True)


def test_committee_document_never_shows_deletions(doc: ReportDocument) -> None:
    assert not any(b.deleted for r in doc.rows for b in r.blocks)
    assert doc.labels.legend_deleted is None
    for fmt in ("html", "md"):
        assert "Tidsplanen afhænger" not in render(doc, fmt).decode()


def test_draft_renders_deletions_struck_through(draft: ReportDocument) -> None:
    html = render(draft, "html").decode()
    assert '<del class="gone">Tidsplanen afhænger af den fælleskommunale aftale.</del>' in html
    assert '<del class="gone">2,4</del> <ins class="chg">2,9</ins>' in html
    assert "gennemstregning" in html  # the legend says so
    assert ".gone { color: #555; text-decoration: line-through; }" in html

    md = render(draft, "md").decode()
    assert "<del>2,4</del> <ins>2,9</ins>" in md

    with zipfile.ZipFile(io.BytesIO(render(draft, "docx"))) as z:
        xml = z.read("word/document.xml").decode()
    assert '<w:strike/><w:color w:val="555555"/></w:rPr><w:t xml:space="preserve">2,4<' in xml
    assert "Tidsplanen afhænger af den fælleskommunale aftale." in xml


def test_draft_pdf_strikes_deletions(draft: ReportDocument) -> None:
    from reports.pdf import pdf_available, typst_source

    if not pdf_available():
        pytest.skip("Typst is not installed")
    source = typst_source(draft)
    assert 'gone("2,4")' in source and "#let gone(body) = strike(" in source
    assert render(draft, "pdf").startswith(b"%PDF")


def test_counts_include_rows_that_only_lost_text(session, doc: ReportDocument) -> None:  # type: ignore[no-untyped-def]
    track = doc.tracks[0]
    first = track.rows[0]
    only_deleted = first.model_copy(
        update={
            "flags": first.flags.model_copy(update={"changed": False, "new": False}),
            "deleted": diff_status(S("Et. To."), S("Et.")).deleted,
        }
    )
    document = doc.model_copy(
        update={"tracks": (track.model_copy(update={"rows": (only_deleted,)}),)}
    )
    summary = summarise(session, document)
    assert summary.tracks[0].changed == 1
