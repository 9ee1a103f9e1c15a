"""CSRF tokens for the answer form: signed, timed, bound to one personal link.

The hidden field holds an ``itsdangerous`` signature over the link's id and
the time the page was rendered. Only the server can make one (the key is
derived from ``SLACK_SIGNING_SECRET``, which every ``serve --http`` process
shares, so any gunicorn worker accepts another's), and one made for another
link does not fit this one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from enum import Enum

from itsdangerous import BadSignature, URLSafeSerializer

FIELD = "csrf"
SALT = "statusbot.web.answer-form"
# A page may stay open while someone writes; after this it must be reloaded
# (the form comes back with everything typed, so nothing is lost).
MAX_AGE_SECONDS = 24 * 3600


class Check(Enum):
    OK = "ok"
    MISSING = "missing"  # absent, forged, or for another link: refuse
    EXPIRED = "expired"  # ours, but old: show the form again with the text kept


def key_from(signing_secret: str | None) -> bytes:
    """The form's key: derived from the Slack signing secret (never the secret
    itself), or random for this process when there is none (tests, demo)."""
    if not signing_secret:
        return secrets.token_bytes(32)
    return hmac.new(signing_secret.encode(), b"statusbot web csrf", hashlib.sha256).digest()


class CsrfTokens:
    def __init__(
        self,
        key: bytes,
        *,
        max_age: int = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._serializer = URLSafeSerializer(key, salt=SALT)
        self.max_age = max_age
        self._clock = clock

    def issue(self, binding: str) -> str:
        return self._serializer.dumps([binding, int(self._clock())])

    def check(self, value: str | None, binding: str) -> Check:
        if not value or len(value) > 500:
            return Check.MISSING
        try:
            bound, issued = self._serializer.loads(value)  # the signature: constant-time
        except (BadSignature, TypeError, ValueError):
            return Check.MISSING
        if not isinstance(bound, str) or not isinstance(issued, int):
            return Check.MISSING
        if not hmac.compare_digest(bound.encode(), binding.encode()):
            return Check.MISSING
        return Check.EXPIRED if self._clock() - issued > self.max_age else Check.OK
