"""Channel delivery: one asyncio task per channel, fed from the SQLite outbox.

The agent only queues deliveries (in the same transaction as the ledger row)
and wakes the workers; it never waits for a webhook or an SMTP server. The
workers read and mark the outbox through the ledger's own thread
(`services.alerter.ledger.Ledger`), so another alerter holding the file's
lock never stalls the event loop. Each
channel has its own task, so a slow or failing endpoint delays only itself.

Per channel:
- failures are retried with exponential backoff (`backoff`, doubling, capped
  at `max_backoff`), or after the time the receiver asked for (`Retry-After`,
  up to `MAX_RETRY_AFTER`) when that is longer; after `retries` retries, or at once for a permanent
  failure (HTTP 4xx, SMTP 5xx), the outbox row becomes a dead letter
  (status 'dead' with the reason) and a warning is logged; while a send
  is failing the channel backs off as a whole (one probe, not one timeout
  per queued alert);
- `rate_limit = "N/period"` allows N messages per period; alerts beyond it
  wait their turn, or, if the channel has a `digest`, go into the digest;
- `digest = "15m"` without a rate limit sends every alert in one message per
  period; backfilled incidents of `backfill = "digest"` subscriptions always
  go into a digest (period `digest`, else `[alerter] backfill_digest`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

from services.alerter.channels import DeliveryError, Sender
from services.alerter.ledger import Ledger, OutboxRow
from services.alerter.settings import ChannelSettings
from services.common.metrics import ALERTS

log = logging.getLogger("jikenbo.alerter.dispatch")

IDLE_WAIT = 1.0  # rows queued by another alerter process on this state directory are seen this late at most
MAX_RETRY_AFTER = 3600.0  # a receiver asking for more than an hour is tried again after an hour


class ChannelWorker:
    """Delivers one channel's outbox rows, honouring retries, rate limit and digest."""

    def __init__(
        self, settings: ChannelSettings, sender: Sender, ledger: Ledger, backfill_digest: float,
        clock: Callable[[], float] = time.time, wake: asyncio.Event | None = None,
    ) -> None:
        self.settings = settings
        self.sender = sender
        self.ledger = ledger
        self.backfill_digest = backfill_digest
        self.clock = clock
        self.wake = wake or asyncio.Event()  # set when rows were queued for this channel
        self._sent: deque[float] = deque()  # send times within the rate window

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def digest_period(self) -> float:
        return self.settings.digest or self.backfill_digest

    async def run(self) -> None:
        """Deliver until cancelled; an unexpected error is logged and the loop goes on."""
        while True:
            self.wake.clear()
            try:
                delay = await self.step()
            except Exception:
                log.exception("channel %s: delivery step failed", self.name)
                delay = 5.0
            try:
                await asyncio.wait_for(self.wake.wait(), delay)
            except asyncio.TimeoutError:
                pass

    async def step(self) -> float:
        """Deliver what is due now; return how long to wait before the next look."""
        now = self.clock()
        rows = await self.ledger.due(self.name, now)
        everything_digested = bool(self.settings.digest and not self.settings.rate_limit)
        batch = [r for r in rows if everything_digested or r.delivery.mode == "digest"]
        singles = [r for r in rows if not (everything_digested or r.delivery.mode == "digest")]
        waits = [IDLE_WAIT]
        failing_for = 0.0
        for index, row in enumerate(singles):
            free_at = self._rate_free_at(self.clock())
            if free_at is not None:
                if self.settings.digest:
                    batch.extend(singles[index:])
                else:
                    waits.append(free_at - self.clock())
                break
            retry_in = await self._deliver([row], digest=False)
            if retry_in:
                # The endpoint is failing: the rest waits too, rather than each costing a timeout now.
                failing_for = retry_in
                break
        if batch and not failing_for:
            last = await self.ledger.last_digest(self.name) or min(r.created_at for r in batch)
            due_at = last + self.digest_period
            if self.clock() >= due_at:
                await self._deliver(batch, digest=True)
            else:
                waits.append(due_at - self.clock())
        next_attempt = await self.ledger.next_attempt(self.name)
        if next_attempt is not None and next_attempt > now:
            waits.append(next_attempt - self.clock())
        return max(0.05, min(waits), failing_for)

    def _rate_free_at(self, now: float) -> float | None:
        """None if a message may go now, else when the rate window frees a slot."""
        if not self.settings.rate_limit:
            return None
        count, period = self.settings.rate_limit
        while self._sent and self._sent[0] <= now - period:
            self._sent.popleft()
        return None if len(self._sent) < count else self._sent[0] + period

    async def _deliver(self, rows: list[OutboxRow], digest: bool) -> float | None:
        """Send; None on success, else the delay before these rows are tried again (0: given up)."""
        ids = [r.delivery.alert_id for r in rows]
        self._sent.append(self.clock())
        sending = asyncio.ensure_future(self.sender.send([r.delivery.alert for r in rows], digest))
        try:
            await asyncio.shield(sending)
        except DeliveryError as exc:
            return await self._failed(rows, exc)
        except asyncio.CancelledError:
            # Stopping (SIGTERM) while the message is on its way: the endpoint may have it
            # already. Let the send finish (its own timeout bounds the wait) and record a
            # success, or the restart would send it again.
            with contextlib.suppress(BaseException):
                await sending
            if sending.done() and not sending.cancelled() and sending.exception() is None:
                await self.ledger.delivered(self.name, ids)
            raise
        await self.ledger.delivered(self.name, ids)
        ALERTS.labels(self.name, "delivered").inc(len(ids))
        if digest:
            await self.ledger.set_last_digest(self.name, self.clock())
        log.info("channel %s: delivered %d alert(s)%s", self.name, len(ids), " as a digest" if digest else "",
                 extra={"channel": self.name})
        return None

    async def _failed(self, rows: list[OutboxRow], exc: DeliveryError) -> float:
        ids = [r.delivery.alert_id for r in rows]
        attempts = max(r.attempts for r in rows) + 1
        if exc.permanent or attempts > self.settings.retries:
            await self.ledger.dead(self.name, ids, exc.reason)
            ALERTS.labels(self.name, "dead").inc(len(ids))
            log.warning(
                "channel %s: gave up after %d attempt(s): %s; dead letter kept in the outbox", self.name, attempts, exc.reason,
                extra={"channel": self.name, "alerts": ",".join(ids)},
            )
            return 0.0
        delay = min(self.settings.backoff * 2 ** (attempts - 1), self.settings.max_backoff)
        if exc.retry_after is not None:  # the receiver asked for time (Retry-After): give it, within reason
            delay = max(delay, min(exc.retry_after, MAX_RETRY_AFTER))
        await self.ledger.retry_later(self.name, ids, exc.reason, self.clock() + delay)
        ALERTS.labels(self.name, "failed").inc(len(ids))
        log.warning("channel %s: attempt %d failed (%s); retrying in %.1fs", self.name, attempts, exc.reason, delay,
                    extra={"channel": self.name})
        return delay


class Dispatcher:
    """All channel workers of the process.

    Several alerter workers may share one state directory (scale-out on one
    machine); they share the outbox, and a lock file makes sure only one of
    them delivers, so no message goes out twice. The others wait to take over.

    It holds one wake event per configured channel from the start, before the
    workers exist (they need an HTTP session, made inside the running loop):
    the agent may queue and wake as soon as it runs, and no wake is lost.
    """

    def __init__(self, channels: Iterable[str], lock_path: Path) -> None:
        self.wakes = {name: asyncio.Event() for name in channels}
        self.lock_path = lock_path

    def worker(self, settings: ChannelSettings, sender: Sender, ledger: Ledger, backfill_digest: float) -> ChannelWorker:
        """The worker of one configured channel, listening to that channel's wake event."""
        return ChannelWorker(settings, sender, ledger, backfill_digest, wake=self.wakes[settings.name])

    def wake(self, channels: set[str]) -> None:
        """New rows were queued for these channels."""
        for name in channels:
            if name in self.wakes:
                self.wakes[name].set()

    async def run(self, workers: list[ChannelWorker]) -> None:
        """Run the workers (made by `worker`) once this process holds the delivery lock."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    await asyncio.sleep(2.0)  # another alerter process delivers; take over when it stops
            await asyncio.gather(*(worker.run() for worker in workers))
        finally:
            os.close(fd)  # releases the lock
