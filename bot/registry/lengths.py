"""How long a registry name may be: as long as its column, and as long as the
column of its look-up key (:func:`~bot.registry.identity.text_key`), which
folds case and so can be longer than the name (``ß`` → ``ss``).

The limits are read from the models, so a column made wider widens them.
PostgreSQL refuses a value longer than its column (SQLite stores it), so a
name must be checked here, with a message, before it is written.
"""

from __future__ import annotations

from sqlalchemy import Column

from bot.registry.identity import text_key
from bot.workflow.messages import N_, translate
from storage.models import Area, Initiative, Person, Track

# kind → (column of the name or None when unlimited, column of its key or None,
#         message when the name is too long, message when only its key is)
_RULES: dict[str, tuple[Column | None, Column | None, str, str]] = {
    "area": (
        Area.__table__.c.name,
        Area.__table__.c.key,
        N_("The area name is longer than {limit} characters."),
        N_("The area name is longer than {limit} characters once case is folded (ß counts as ss)."),
    ),
    "track": (
        Track.__table__.c.name,
        Track.__table__.c.key,
        N_("The track name is longer than {limit} characters."),
        N_(
            "The track name is longer than {limit} characters once case is folded (ß counts as ss)."
        ),
    ),
    "title": (
        None,  # Text
        Initiative.__table__.c.key,
        N_("The initiative's title is longer than {limit} characters."),
        N_(
            "The initiative's title is longer than {limit} characters once case is folded "
            "(ß counts as ss)."
        ),
    ),
    "key": (
        Initiative.__table__.c.nr,
        None,
        N_("The key is longer than {limit} characters."),
        "",
    ),
    "email": (
        Person.__table__.c.email,
        None,
        N_("The e-mail address is longer than {limit} characters."),
        "",
    ),
}


def limit(kind: str) -> int:
    """The most characters a ``kind`` name may have (ignoring case folding)."""
    column, key_column, *_ = _RULES[kind]
    lengths = [c.type.length for c in (column, key_column) if c is not None]
    return min(length for length in lengths if length is not None)


def too_long(kind: str, value: str) -> str | None:
    """The translated reason ``value`` does not fit, or None when it does."""
    _column, key_column, long_message, key_message = _RULES[kind]
    if len(value) > limit(kind):
        return translate(long_message, limit=limit(kind))
    if key_column is not None and len(text_key(value)) > key_column.type.length:
        return translate(key_message, limit=key_column.type.length)
    return None
