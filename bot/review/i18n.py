"""Texts of the review workflow (gettext domain ``review``)."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import translator

DOMAIN = "review"


def gettext_for(locale: str | None) -> Callable[[str], str]:
    return translator(DOMAIN, locale).gettext


def ngettext_for(locale: str | None) -> Callable[[str, str, int], str]:
    return translator(DOMAIN, locale).ngettext
