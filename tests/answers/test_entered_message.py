"""The owner's notice that a coordinator entered their status: a pure Block Kit
builder, checked against Slack's limits without Slack."""

from __future__ import annotations

from bot.blocks import review as rb
from bot.blocks.check import problems
from bot.review.i18n import gettext_for


def test_the_whole_text_is_shown_escaped_and_within_limits() -> None:
    markup = "\n\n".join(f"Afsnit {n} <@U123> & mere. " + "ord " * 500 for n in range(30))
    message = rb.entered_message(
        title="Ny <b>struktur</b>",
        area="Socialområdet",
        coordinator="Karin",
        markup=markup,
        phase="I gang",
        _=gettext_for("da"),
    )
    assert problems(message) == []
    assert "Karin har indtastet din status for “Ny &lt;b&gt;struktur&lt;/b&gt;”" in (
        message["blocks"][0]["text"]["text"]
    )
    pieces = [b["text"] for b in message["blocks"][1:-1]]
    assert all(p["type"] == "plain_text" for p in pieces)  # the text is never mrkdwn
    shown = " ".join(p["text"] for p in pieces)
    assert all(f"Afsnit {n} <@U123> & mere." in shown for n in range(30))
    notes = str(message["blocks"][-1])
    assert "Fase: I gang" in notes and "Sig det til Karin" in notes


def test_an_absurdly_long_text_says_where_the_rest_is() -> None:
    markup = "\n\n".join("x" * 2_900 for _ in range(60))
    message = rb.entered_message(
        title="T", area="A", coordinator="K", markup=markup, phase=None, _=gettext_for("en")
    )
    assert problems(message) == []
    assert "The rest of the text is in the report." in str(message["blocks"][-1])
