"""STATUSBOT_SMTP_URL, STATUSBOT_MAIL_FROM, STATUSBOT_PUBLIC_URL: parsed, checked
together, a bad value stops with one line naming the variable."""

from __future__ import annotations

import pytest

from bot.mail.smtp_url import parse_smtp_url
from bot.settings import SettingsError, load_settings
from tests.cli_runner import statusbot_runner

GOOD = {
    "STATUSBOT_SMTP_URL": "smtp://user:p%40ss@mail.kommune.dk:587?starttls=true",
    "STATUSBOT_MAIL_FROM": "Statusbot <status@kommune.dk>",
    "STATUSBOT_PUBLIC_URL": "https://status.kommune.dk/",
}


def test_the_smtp_url_is_parsed() -> None:
    server = parse_smtp_url(GOOD["STATUSBOT_SMTP_URL"])
    assert (server.host, server.port, server.starttls, server.ssl) == (
        "mail.kommune.dk", 587, True, False,
    )  # fmt: skip
    assert (server.user, server.password) == ("user", "p@ss")
    tls = parse_smtp_url("smtps://relay.kommune.dk")
    assert (tls.port, tls.ssl, tls.user) == (465, True, None)
    assert parse_smtp_url("smtp://localhost").port == 25


def test_mail_settings_together() -> None:
    settings = load_settings(**GOOD)
    assert settings.mail_enabled and settings.public_url == "https://status.kommune.dk"
    assert not load_settings().mail_enabled  # unset: no e-mail, as before


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"STATUSBOT_SMTP_URL": "http://mail.kommune.dk"}, "STATUSBOT_SMTP_URL"),
        ({"STATUSBOT_SMTP_URL": "smtp://:99999"}, "STATUSBOT_SMTP_URL"),
        ({"STATUSBOT_SMTP_URL": "smtp://h?starttls=maybe"}, "STATUSBOT_SMTP_URL"),
        ({"STATUSBOT_SMTP_URL": "smtps://h?starttls=true"}, "STATUSBOT_SMTP_URL"),
        ({"STATUSBOT_MAIL_FROM": "not an address"}, "STATUSBOT_MAIL_FROM"),
        ({"STATUSBOT_MAIL_FROM": "a@b.dk\r\nBcc: c@d.dk"}, "STATUSBOT_MAIL_FROM"),
        ({"STATUSBOT_PUBLIC_URL": "status.kommune.dk"}, "STATUSBOT_PUBLIC_URL"),
        ({"STATUSBOT_MAIL_FROM": ""}, "STATUSBOT_MAIL_FROM"),
        ({"STATUSBOT_PUBLIC_URL": ""}, "STATUSBOT_PUBLIC_URL"),
    ],
)
def test_a_bad_or_missing_mail_setting_names_its_variable(overrides, named) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError) as caught:
        load_settings(**{**GOOD, **overrides})
    message = str(caught.value)
    assert message.startswith(named) and "\n" not in message


def test_the_cli_stops_with_one_line(db_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run = statusbot_runner(db_url, tmp_path, monkeypatch)
    monkeypatch.setenv("STATUSBOT_SMTP_URL", "smtp://mail.kommune.dk")
    result = run("cycle", "list", code=2)
    assert result.stderr.strip() == (
        "statusbot: STATUSBOT_MAIL_FROM is not set (required with STATUSBOT_SMTP_URL)"
    )
