"""`Retry-After`: how long an HTTP server asked to be left alone, for the fetcher and the alerter alike."""

from __future__ import annotations

import time
from datetime import timezone
from email.utils import parsedate_to_datetime


def seconds_to_wait(value: str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for: delta-seconds or an HTTP date (always GMT,
    RFC 9110 §5.6.7), never negative; None when the header is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
