from reports.diff import diff_status
from storage.richtext import StatusText


def runs(result):  # type: ignore[no-untyped-def]
    return [[(s.text, s.changed) for s in b.segments] for b in result.blocks]


def gone(result):  # type: ignore[no-untyped-def]
    """Each deletion in its sentence: (text, deleted) pieces."""
    return [[(s.text, s.deleted) for s in b.segments] for b in result.deleted]


def S(markup: str) -> StatusText:
    return StatusText.from_markup(markup)


def test_identical_text_has_no_marks() -> None:
    text = S("Arbejdet pågår.\n\n- Punkt et\n- Punkt to")
    result = diff_status(text, text)
    assert not result.changed
    assert result.deleted == []
    assert [b.kind for b in result.blocks] == ["p", "li", "li"]


def test_added_sentence_is_marked_whole() -> None:
    result = diff_status(
        S("Stillingen er slået op med frist 14. marts 2024."),
        S("Stillingen er slået op med frist 14. marts 2024. Anne er ansat pr. 1. maj."),
    )
    assert runs(result) == [
        [
            ("Stillingen er slået op med frist 14. marts 2024. ", False),
            ("Anne er ansat pr. 1. maj.", True),
        ]
    ]


def test_changed_word_is_marked_and_old_word_listed_as_deleted() -> None:
    result = diff_status(
        S("Budgettet er 2,4 mio. kr. inkl. moms."), S("Budgettet er 2,9 mio. kr. inkl. moms.")
    )
    assert runs(result) == [
        [("Budgettet er ", False), ("2,9", True), (" mio. kr. inkl. moms.", False)]
    ]
    # Listed in its sentence (issue 12: whole sentences with context, not fragments).
    assert gone(result) == [
        [("Budgettet er ", False), ("2,4", True), (" mio. kr. inkl. moms.", False)]
    ]


def test_rewritten_sentence_is_marked_whole() -> None:
    result = diff_status(
        S("Analysen er i gang og forventes afsluttet i maj."),
        S("Den nye budgetmodel blev godkendt i juni."),
    )
    assert runs(result) == [[("Den nye budgetmodel blev godkendt i juni.", True)]]
    assert gone(result) == [[("Analysen er i gang og forventes afsluttet i maj.", True)]]


def test_blocks_are_aligned_before_words() -> None:
    before = S("Indledning.\n\n- Første\n- Anden\n\nSlettet afsnit om tidsplanen.")
    after = S("Indledning.\n\nNyt afsnit om noget helt andet.\n\n- Første\n- Anden")
    result = diff_status(before, after)
    assert runs(result) == [
        [("Indledning.", False)],
        [("Nyt afsnit om noget helt andet.", True)],
        [("Første", False)],
        [("Anden", False)],
    ]
    assert gone(result) == [[("Slettet afsnit om tidsplanen.", True)]]


def test_edited_bullet_keeps_its_kind() -> None:
    result = diff_status(
        S("- Kravspecifikation udarbejdet"), S("- Kravspecifikation udarbejdet og godkendt")
    )
    assert result.blocks[0].kind == "li"
    assert runs(result) == [[("Kravspecifikation udarbejdet ", False), ("og godkendt", True)]]


def test_nothing_before_means_all_new() -> None:
    result = diff_status(None, S("Nyt tiltag.\n\n- med punkt"))
    assert runs(result) == [[("Nyt tiltag.", True)], [("med punkt", True)]]


def test_emptied_status() -> None:
    result = diff_status(S("Der var tekst."), StatusText())
    assert result.blocks == []
    assert gone(result) == [[("Der var tekst.", True)]]


def test_marks_never_start_or_end_with_space() -> None:
    result = diff_status(S("a b c d e f g h"), S("a b X Y e f g h Z"))
    for block in result.blocks:
        for segment in block.segments:
            if segment.changed:
                assert segment.text == segment.text.strip()
    assert "".join(s.text for s in result.blocks[0].segments) == "a b X Y e f g h Z"
