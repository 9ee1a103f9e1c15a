"""Texts of the committee feature (gettext domain ``committee``)."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import translator

DOMAIN = "committee"

Gettext = Callable[[str], str]
NGettext = Callable[[str, str, int], str]


def gettext_for(locale: str | None) -> Gettext:
    return translator(DOMAIN, locale).gettext


def ngettext_for(locale: str | None) -> NGettext:
    return translator(DOMAIN, locale).ngettext
