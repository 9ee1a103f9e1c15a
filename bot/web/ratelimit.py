"""A limit on personal-link guesses per client address, in this process.

Each address may present at most ``limit`` unknown links per ``window``
seconds; past that, every ``/answer/`` request from it gets 429 until the
window has passed (valid links too: otherwise a different answer would tell a
right guess from a wrong one). Memory is bounded: at most ``max_clients``
addresses are remembered, the least recently seen forgotten first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class GuessLimiter:
    def __init__(
        self,
        *,
        limit: int = 30,
        window: float = 600.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._lock = threading.Lock()
        # address → (start of its window, failures in it)
        self._failures: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again; 0: not blocked."""
        now = self._clock()
        with self._lock:
            start, count = self._failures.get(client, (now, 0))
            if now - start >= self.window:
                self._failures.pop(client, None)
                return 0
            return int(start + self.window - now) + 1 if count >= self.limit else 0

    def failed(self, client: str) -> None:
        """``client`` presented a link that is not one."""
        now = self._clock()
        with self._lock:
            start, count = self._failures.pop(client, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._failures[client] = (start, count + 1)  # now the most recent
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def __len__(self) -> int:
        return len(self._failures)
