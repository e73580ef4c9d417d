"""Keep the embedded broker alive under `jikenbo up`.

The embedded broker is a child process like the services, and the OOM killer
may pick it. When it dies it is reaped (no zombie), started again on the same
address with backoff, and its topics are created again. The services are
killed while it is down and started again once it is back (`up` passes the
hooks): a consumer that outlived the broker would commit its old positions
to the new one and skip what is published again. Started afresh, the
fetcher publishes its unconfirmed posts again (services.fetcher.confirm),
so nothing is lost; idempotent consumers (the alerter's ledger, the
archive's versions) make the replay harmless.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiokafka.errors import KafkaError

from services.common.embedded_broker import EmbeddedBroker, wait_for_metadata
from services.common.errors import BrokerError

log = logging.getLogger("jikenbo.up")

POLL_EVERY = 0.5  # seconds between checks that the broker process is alive
BACKOFF_MAX = 30.0
HEALTHY_AFTER = 10.0  # a broker up this long starts its backoff afresh: starting one is cheap


def restart_delay(failures: int) -> float:
    """1, 2, 4 … seconds, capped: the first restart is quick, a crash loop is not a busy loop."""
    return min(BACKOFF_MAX, 2.0 ** max(0, failures - 1))


async def keep_broker_running(
    broker: EmbeddedBroker,
    before_restart: Callable[[], Awaitable[None]],
    after_restart: Callable[[], Awaitable[None]],
    poll_every: float = POLL_EVERY,
) -> None:
    """Until cancelled: whenever the broker's process exits, run `before_restart`, start it again, run `after_restart`."""
    failures = 0
    started = time.monotonic()
    while True:
        process = broker.process
        if process is not None and process.poll() is None:
            await asyncio.sleep(poll_every)
            continue
        code = process.returncode if process is not None else "none"  # poll() reaped it: no zombie
        down_since = time.monotonic()
        if down_since - started > HEALTHY_AFTER:
            failures = 0
        failures += 1
        delay = restart_delay(failures)
        log.warning("embedded broker on %s exited with status %s; restarting it in %.0fs", broker.bootstrap, code, delay)
        await before_restart()
        await asyncio.sleep(delay)
        if await _restart(broker, after_restart):
            started = time.monotonic()
            log.info("embedded broker back on %s after %.1fs; lost posts are published again", broker.bootstrap, started - down_since)


async def _restart(broker: EmbeddedBroker, after_restart: Callable[[], Awaitable[None]]) -> bool:
    """Start the broker again on its address; False (and the process stopped) if it does not answer."""
    broker.spawn()
    try:
        await wait_for_metadata(broker.bootstrap, timeout=30.0)
        await after_restart()
    except (BrokerError, KafkaError, OSError) as exc:
        log.warning("embedded broker did not come back on %s: %s; see %s", broker.bootstrap, exc, broker.log_path)
        broker.stop()  # leaves no process, so the next round restarts it again
        return False
    return True
