"""Danish and English texts through gettext catalogs (Babel tools).

Each component has its own gettext domain so its catalog can be kept on its
own: ``workflow`` (rule messages), ``reports`` (document texts), ``slack``
(bot messages). Source strings are English; ``bot/locale/da/LC_MESSAGES/
<domain>.po`` holds the Danish, compiled to ``.mo`` with
``pybabel compile -d bot/locale -D <domain>`` (the ``.mo`` files are committed).

Usage::

    from bot.i18n import translator
    _ = translator("workflow", "da").gettext
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("da", "en")
DEFAULT_LOCALE = "da"


def normalise_locale(value: str | None) -> str:
    """Map Slack-style locales (``da-DK``, ``en-US``) to ``da``/``en``."""
    if not value:
        return DEFAULT_LOCALE
    lang = value.replace("_", "-").split("-")[0].lower()
    return lang if lang in SUPPORTED else "en"


@lru_cache(maxsize=64)
def translator(domain: str, locale: str | None) -> gettext.NullTranslations:
    lang = normalise_locale(locale)
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def text(domain: str, locale: str | None, msgid: str, /, **params: Any) -> str:
    """``msgid`` of ``domain`` in ``locale``, its ``{placeholders}`` filled in."""
    found = translator(domain, locale).gettext(msgid)
    return found.format(**params) if params else found


def plural_text(
    domain: str, locale: str | None, singular: str, plural: str, n: int, /, **params: Any
) -> str:
    """The form of a counted line that fits ``n`` (also its ``{n}``)."""
    return translator(domain, locale).ngettext(singular, plural, n).format(n=n, **params)
