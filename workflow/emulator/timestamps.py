"""Timestamps as Step Functions reads them (Timestamp* comparators, IsTimestamp, Wait)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})"
)


def parse_timestamp(s: Any) -> datetime | None:
    """Parse an RFC 3339 timestamp as Step Functions accepts it, else return None.

    Required: an uppercase `T`, seconds, and a zone (`Z` or `+hh:mm`); fractions of up to
    nine digits are allowed. Corpus: `test_wait_timestamp_path[NO_T|NO_Z|INVALID_DATE|
    INVALID_TIME|INVALID_ISO]` are rejected, `[NANOSECONDS|SECONDS]` accepted;
    `base/test_wait::test_wait_timestamppath[.000000]` (no zone) is rejected.
    """
    if not isinstance(s, str):
        return None
    m = _TIMESTAMP.fullmatch(s)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction = (m.group(7) or "").ljust(6, "0")[:6]
    zone = m.group(8)
    try:
        if zone == "Z":
            tz = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if hours > 23 or minutes > 59:
                return None
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)
    except ValueError:
        return None
