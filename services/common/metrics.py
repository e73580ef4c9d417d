"""Prometheus metrics of the pipeline: the one place they are named.

Each service process exports the ones it moves (services.common.ops_server serves
them at /metrics); names follow Prometheus conventions, so counters appear
with a `_total` suffix. Labels stay low-cardinality: feed and channel names
come from the configuration, never from posts.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

POLLS = Counter("jikenbo_polls", "Feed polls, by feed and result (200, 304, error).", ["feed", "result"])
FETCHED_BYTES = Counter("jikenbo_fetched_bytes", "Bytes of feed documents received, by feed.", ["feed"])
POSTS_PUBLISHED = Counter("jikenbo_posts_published", "Raw posts acknowledged by the broker, by origin (live, backfill).", ["origin"])
POSTS_PARSED = Counter("jikenbo_posts_parsed", "Raw posts this parser worker handled (incidents or dead letter).")
INCIDENTS_PARSED = Counter("jikenbo_incidents_parsed", "Incidents the parser published.")
DEAD_LETTERS = Counter("jikenbo_dead_letters", "Posts the parser sent to the dead-letter topic.")
ALERTS = Counter(
    "jikenbo_alerts",
    "Alerts by channel and result: channel 'kafka' counts alerts published (result new/update); "
    "other channels count deliveries (delivered, failed, dead).",
    ["channel", "result"],
)
ARCHIVED = Counter(
    "jikenbo_archived", "Messages the archive wrote, by outcome (new, revised, unchanged, replayed incidents; alerts).", ["outcome"]
)
CONSUMER_LAG = Gauge("jikenbo_consumer_lag", "Messages the consumer group has still to process on its input topic.", ["group", "topic"])
ASSIGNED_PARTITIONS = Gauge("jikenbo_assigned_partitions", "Partitions of the input topic assigned to this worker.", ["topic"])
END_TO_END = Histogram(
    "jikenbo_end_to_end_latency_seconds",
    "From a post's publication (else its first sight by the fetcher) to its alert, by origin.",
    ["origin"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 7 * 86400),
)


def parse_time(value: Any) -> float | None:
    """Unix seconds of an ISO 8601 timestamp such as `2025-01-09T03:00:00Z`; None if unusable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.timestamp() if stamp.tzinfo else None


def latency_start(source: dict[str, Any] | None) -> float | None:
    """When the clock of an incident starts: the post's publication, else when the fetcher first saw it."""
    source = source or {}
    return parse_time(source.get("published")) or parse_time(source.get("fetched_at"))


def observe_alert_latency(incident: dict[str, Any], now: float | None = None) -> None:
    """Record the end-to-end latency of an alert just published for `incident`."""
    source = incident.get("source") or {}
    start = latency_start(source)
    if start is not None:
        END_TO_END.labels(source.get("origin") or "live").observe(max(0.0, (now or time.time()) - start))
