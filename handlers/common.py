"""What every listener needs (kept in :mod:`bot.delivery.callers`, which the
jobs that finish a listener's work share)."""

from bot.delivery.callers import (
    Caller,
    Refusal,
    caller,
    check_revision_allowed,
    client_id,
    default_texts,
    entry_from_value,
    log,
    tell,
    user_id_of,
)

__all__ = [
    "Caller",
    "Refusal",
    "caller",
    "check_revision_allowed",
    "client_id",
    "default_texts",
    "entry_from_value",
    "log",
    "tell",
    "user_id_of",
]
