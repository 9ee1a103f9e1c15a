"""The bytes :func:`bot.mail.compose.compose` writes, read back with the
standard library's parser: no header injection, RFC 2047 for non-ASCII
names and subjects, both bodies intact."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from bot.mail.compose import compose
from bot.mail.render import RenderedMail

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TEXT = "Hej Åse\n\nLinje to — æøå\r\nhttps://status.example.dk/answer/abc\n"
HTML = "<p>Hej &lt;Åse&gt;</p>\n" * 40


def mail(
    name: str | None = "Åse Ærø",
    subject: str = "Status: Børn & Unge",
    address: str = "aase@kommune.dk",
    sender: str = "Statusbot <status@kommune.dk>",
) -> tuple[bytes, EmailMessage]:
    out = compose(
        RenderedMail(subject, TEXT, HTML),
        sender=sender, to_address=address, to_name=name, job_id=42, kind="prompt", now=NOW,
    )  # fmt: skip
    parsed = message_from_bytes(out.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert not parsed.defects
    assert (out.sender, out.recipient) == ("status@kommune.dk", address)
    return out.data, parsed


def test_non_ascii_names_and_subjects_are_rfc2047_encoded() -> None:
    raw, parsed = mail()
    assert raw.isascii() and b"=?utf-8?" in raw
    to = parsed["To"].addresses[0]
    assert (to.display_name, to.addr_spec) == ("Åse Ærø", "aase@kommune.dk")
    assert parsed["Subject"] == "Status: Børn & Unge"
    assert parsed["Message-ID"] == "<statusbot.prompt.42@kommune.dk>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"].datetime == NOW
    # Line ends become CRLF (as ``EmailMessage.set_content`` makes them).
    crlf = "\r\n".join(TEXT.splitlines()) + "\r\n"
    assert parsed.get_body(("plain",)).get_content() == crlf
    assert parsed.get_body(("html",)).get_content() == HTML.replace("\n", "\r\n")


@pytest.mark.parametrize(
    "name",
    [
        'Anne <b>"Ejer"</b> & Co\r\nBcc: evil@example.com',
        "Ånne\r\nBcc: evil@example.com",
        "Anne\nTo: evil@example.com\u2028\x00\x1b",
    ],
)
def test_a_name_cannot_start_a_header_of_its_own(name: str) -> None:
    raw, parsed = mail(name=name, subject=f"Status {name}")
    assert parsed["Bcc"] is None
    assert [a.addr_spec for a in parsed["To"].addresses] == ["aase@kommune.dk"]
    assert len(parsed.get_all("To")) == 1
    assert "evil@example.com" in parsed["Subject"]  # kept as text, on its line
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_long_names_and_subjects_are_folded_into_short_lines() -> None:
    raw, parsed = mail(name="Ø" * 300, subject="Æ" * 400 + " and more " * 40)
    # (Python's parser keeps the space between adjacent encoded words of a
    # name; RFC 2047 readers drop it. The library's own folding did the same.)
    assert parsed["To"].addresses[0].display_name.replace(" ", "") == "Ø" * 300
    assert parsed["Subject"].startswith("Æ" * 400)
    header_lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in header_lines if b"boundary" not in line)


def test_an_ascii_name_with_specials_is_quoted() -> None:
    _raw, parsed = mail(name='Leder "1" <Ø>'.replace("Ø", "O"), subject="Plain")
    assert parsed["To"].addresses[0].display_name == 'Leder "1" <O>'
    _raw, parsed = mail(name=None)
    assert parsed["To"].addresses[0].display_name == ""


@pytest.mark.parametrize(
    "address", ["a b@kommune.dk", "a@b@kommune.dk", "<a@kommune.dk>", "æ@kommune.dk", "a@"]
)
def test_an_address_that_is_not_plain_is_refused(address: str) -> None:
    with pytest.raises(ValueError):
        mail(address=address)
