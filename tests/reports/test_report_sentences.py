from hypothesis import given
from hypothesis import strategies as st

from reports.sentences import split_sentences, split_words


def test_dates_and_amounts_stay_in_their_sentence() -> None:
    text = (
        "Budgettet er 2,4 mio. kr. og aftalen blev underskrevet 14. marts 2024. "
        "Der er ansat en projektleder."
    )
    assert split_sentences(text) == [
        "Budgettet er 2,4 mio. kr. og aftalen blev underskrevet 14. marts 2024. ",
        "Der er ansat en projektleder.",
    ]


def test_ordinals_and_abbreviations_do_not_split() -> None:
    text = (
        "Pr. 15. februar 2023 er Mette ansat jf. Barnets Lov. Opstart i 1. kvartal. "
        "Se bl.a. Socialstyrelsen."
    )
    assert split_sentences(text) == [
        "Pr. 15. februar 2023 er Mette ansat jf. Barnets Lov. ",
        "Opstart i 1. kvartal. ",
        "Se bl.a. Socialstyrelsen.",
    ]


def test_amount_may_end_a_sentence() -> None:
    assert split_sentences("Prisen er 2,4 mio. kr. Det er under budget.") == [
        "Prisen er 2,4 mio. kr. ",
        "Det er under budget.",
    ]


def test_question_exclamation_and_quotes() -> None:
    assert split_sentences('Hvad nu? Intet! "Godt" sagde hun.') == [
        "Hvad nu? ",
        "Intet! ",
        '"Godt" sagde hun.',
    ]


def test_lowercase_after_stop_continues() -> None:
    assert split_sentences("Mødet er den 3. april og den 25. september 2024.") == [
        "Mødet er den 3. april og den 25. september 2024."
    ]


@given(st.text(alphabet='abcÆø .,!?12\n"KD', max_size=80))
def test_split_loses_nothing(text: str) -> None:
    assert "".join(split_sentences(text)) == text
    assert "".join(split_words(text)) == text
