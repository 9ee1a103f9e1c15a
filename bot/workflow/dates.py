"""Parsing the operator's dates: ISO dates, deadlines and reminder offsets."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.workflow.messages import fail

_OFFSET = re.compile(r"^(\d+)\s*([wdhms])$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_SUFFIX = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_date(text: str, *, field: str = "as_of") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise fail(
            InvalidInput,
            "“{value}” is not a date; write it as YYYY-MM-DD, e.g. 2024-04-01.",
            field=field,
            value=text,
        ) from None


def parse_deadline(text: str, zone: ZoneInfo, *, field: str = "deadline") -> datetime:
    """ISO date-time, read in ``zone`` when it has no offset; a bare date means
    the end of that day (23:59). Returned in UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(23, 59))
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            InvalidInput,
            "“{value}” is not a date and time; write it as YYYY-MM-DDTHH:MM, "
            "e.g. 2024-04-01T12:00.",
            field=field,
            value=text,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_offsets(text: str) -> list[timedelta]:
    """``"3d,1d,2h,30m,10s"`` → offsets before the deadline, largest first,
    without duplicates. An empty text means no reminders."""
    offsets: set[timedelta] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _OFFSET.match(part)
        if not match or int(match.group(1)) == 0:
            raise fail(
                InvalidInput,
                "“{value}” is not a reminder offset; use a comma list such as 3d,1d,2h,30m,10s.",
                field="remind",
                value=part,
            )
        offsets.add(timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
    return sorted(offsets, reverse=True)


def format_offsets(offsets: list[timedelta]) -> str:
    """Inverse of :func:`parse_offsets` (each offset in its largest exact unit)."""
    parts = []
    for offset in offsets:
        seconds = int(offset.total_seconds())
        for suffix, size in _SUFFIX:
            if seconds % size == 0:
                parts.append(f"{seconds // size}{suffix}")
                break
    return ",".join(parts)
