"""The answer form's words (gettext domain ``web``), in the reader's language."""

from __future__ import annotations

from typing import Any

from bot.i18n import normalise_locale, translator

DOMAIN = "web"


class Texts:
    """``t("…")`` in one locale; templates call it as ``t(...)``."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalise_locale(locale)
        self._gettext = translator(DOMAIN, self.locale).gettext
        self._ngettext = translator(DOMAIN, self.locale).ngettext

    def __call__(self, msgid: str, /, **params: Any) -> str:
        found = self._gettext(msgid)
        return found.format(**params) if params else found

    def plural(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        return self._ngettext(singular, plural, n).format(n=n, **params)


def texts(locale: str | None) -> Texts:
    return Texts(locale)
