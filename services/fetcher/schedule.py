"""When to poll next: pure functions, so that the schedule is testable without a clock.

After a success the interval adapts to how often the feed publishes; after a
failure the feed backs off exponentially with jitter, or waits as long as
the server asked (Retry-After).
"""

from __future__ import annotations

import random
import statistics
from datetime import datetime
from typing import Iterable

BASE_BACKOFF = 30.0
MAX_RETRY_AFTER = 86400.0  # a server asking for more than a day is asked again after a day
POLLS_PER_GAP = 4  # poll about four times in the typical gap between two posts
_RECENT = 10


def backoff_delay(errors: int, cap: float, rng: random.Random = random.Random()) -> float:
    """Exponential backoff with jitter in its upper half, capped; never shorter than 1 s."""
    delay = min(cap, BASE_BACKOFF * 2 ** max(0, errors - 1))
    return max(1.0, delay * (0.5 + rng.random() / 2))


def retry_after_delay(retry_after: float) -> float:
    """The server's pause, kept between 1 s (no hot loop) and a day."""
    return min(MAX_RETRY_AFTER, max(1.0, retry_after))


def adaptive_interval(published: Iterable[str | None], now: float, default: float, bounds: tuple[float, float]) -> float:
    """The poll interval for a feed whose recent posts were published at these times.

    A feed is polled about POLLS_PER_GAP times per typical gap between its
    recent posts; a feed quiet for longer than that gap is treated as if
    the gap were that long, so that dead feeds slow down to the upper bound.
    """
    low, high = bounds
    stamps = sorted(
        (datetime.fromisoformat(p.replace("Z", "+00:00")).timestamp() for p in published if p), reverse=True
    )[:_RECENT]
    if len(stamps) < 2:
        return min(high, max(low, default))
    gaps = [newer - older for newer, older in zip(stamps, stamps[1:])]
    typical = max(statistics.median(gaps), now - stamps[0])
    return min(high, max(low, typical / POLLS_PER_GAP))
