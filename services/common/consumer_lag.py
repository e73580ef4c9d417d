"""Consumer lag: how far a stage's group is behind on the topics it reads, and whether that is ready.

Each Faust worker measures its own group every `[metrics] lag_interval`; the
gauge `jikenbo_consumer_lag{group,topic}` and `/readyz` show the result.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka.errors import KafkaError

from services.common.config import KafkaSecurity
from services.common.kafka import committed_offsets, end_offsets, lag
from services.common.metrics import CONSUMER_LAG

log = logging.getLogger("jikenbo.ops")

RETRY_WHILE_AWAY = 3.0  # seconds between lag checks while the broker cannot be reached


def lag_readiness(lag_now: int | None, checked_at: float | None, now: float, max_lag: int, interval: float, error: str | None) -> tuple[bool, str]:
    """Ready when a recent measurement succeeded and the lag is at most `max_lag`."""
    if checked_at is None:
        return False, f"not connected to the broker yet{f' ({error})' if error else ''}"
    if now - checked_at > 3 * interval + 10:
        return False, f"no lag measurement for {now - checked_at:.0f}s{f' ({error})' if error else ''}"
    if error is not None:  # the latest attempt failed, whatever the one before found
        return False, f"broker unreachable since the last lag check ({error[:300]}); retrying"
    if lag_now is not None and lag_now > max_lag:
        return False, f"catching up: lag {lag_now} > {max_lag}"
    return True, f"ready, lag {lag_now}"


class LagMonitor:
    """Measures a consumer group's lag on the topics it reads every `interval` seconds."""

    def __init__(self, bootstrap: str, security: KafkaSecurity, group: str, topics: tuple[str, ...], max_lag: int,
                 interval: float) -> None:
        self.bootstrap = bootstrap
        self.security = security
        self.group = group
        self.topics = topics
        self.max_lag = max_lag
        self.interval = interval
        self.lag: int | None = None
        self.checked_at: float | None = None
        self.error: str | None = None

    async def measure(self) -> int:
        total = 0
        for topic in self.topics:
            ends = await end_offsets(self.bootstrap, topic, self.security)
            committed = await committed_offsets(self.bootstrap, self.group, topic, ends, self.security)
            topic_lag = lag(committed, ends)
            CONSUMER_LAG.labels(self.group, topic).set(topic_lag)
            total += topic_lag
        self.lag, self.checked_at, self.error = total, time.time(), None
        return total

    async def run(self) -> None:
        while True:
            try:
                await self.measure()
            except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.debug("consumer lag of %s not measured: %s", self.group, self.error)
            # Sooner while the broker is away, so that /readyz turns ready soon after it is back.
            await asyncio.sleep(self.interval if self.error is None else min(self.interval, RETRY_WHILE_AWAY))

    def readiness(self) -> tuple[bool, str]:
        return lag_readiness(self.lag, self.checked_at, time.time(), self.max_lag, self.interval, self.error)
