"""Slack's interactivity payload, decoded fast.

Buttons and modal submissions arrive form-encoded: ``payload=<JSON,
percent-encoded>``, and a modal's JSON (its blocks and everything typed)
runs to several kilobytes — several thousand ``%XX`` escapes. The standard
library decodes those a character group at a time in Python, which costs a
manager's click about as much as storing their answer. Percent-encoding is
quoted-printable with ``%`` for ``=``, so :func:`binascii.a2b_qp` (C) decodes
it once the body is checked to be exactly what the form encoding produces;
anything else is left to the standard parser.
"""

from __future__ import annotations

import binascii
import re

_PREFIX = b"payload="
# Only what application/x-www-form-urlencoded produces: unreserved characters,
# "+" for a space, and %XX escapes (no raw "=", "&", line breaks or non-ASCII).
_ENCODED = re.compile(rb"(?:[A-Za-z0-9*\-._~+!'()]|%[0-9A-Fa-f]{2})*")


def interactive_json(raw: bytes) -> str | None:
    """The JSON text of a ``payload=…`` body, or None when the body is anything
    else (then the caller parses it the standard way)."""
    if not raw.startswith(_PREFIX):
        return None
    encoded = raw[len(_PREFIX) :]
    if _ENCODED.fullmatch(encoded) is None:
        return None
    # "=" does not occur (checked above), so after "%" → "=" every "=" starts
    # an escape; "_" stays "_" (a2b_qp maps it only in headers).
    decoded = binascii.a2b_qp(encoded.replace(b"+", b" ").replace(b"%", b"="))
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None
