"""Outbox delivery: job handlers (prompts, reminders, digests, notices).

Every module in this package registers its handlers with
:func:`bot.delivery.registry.job_handler` on import; :func:`load_handlers`
imports them all, so adding a module is enough to add a job kind.
"""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_handlers() -> None:
    """Import every module of this package (idempotent)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "registry":
            continue
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
