"""Pause the cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block.

    A large document is a few hundred thousand small acyclic objects, and
    building or rendering it allocates as many again; the collector would scan
    the whole growing heap over and over (making 10,000 initiatives far more
    than ten times slower than 1,000) and free nothing. Reference counting
    still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
