"""`jikenbo fetcher`: the fetcher process, as `agent.py` is the parser's and the alerter's.

Topics, the replay of what the broker lost, downstream confirmation and the
poll loop (services.fetcher.polling), wired together against a broker.
"""

from __future__ import annotations

import asyncio
import logging

from services.common.config import Config
from services.common.kafka import ensure_pipeline_topics, make_producer
from services.common.ops_server import OpsServer
from services.common.pipeline import FETCHER
from services.fetcher.confirm import Confirmer, replay_if_lost
from services.fetcher.polling import Poller
from services.fetcher.state import FetcherState

log = logging.getLogger("jikenbo.fetcher")


async def run_fetcher(config: Config, bootstrap: str) -> None:
    """Create topics if needed, replay what the broker lost, then poll every feed until cancelled."""
    producing = False
    ops = OpsServer(FETCHER.name, lambda: (True, "producer started") if producing else (False, "producer not started"))
    await ops.start(config.metrics.host, config.metrics.port(FETCHER.name))
    try:
        topics = await ensure_pipeline_topics(config, bootstrap)
        state = FetcherState(FETCHER.state_path(config.state_dir))
        producer = make_producer(bootstrap, FETCHER.group(topics), config.security)
        await producer.start()
        confirmer: asyncio.Task[None] | None = None
        try:
            replayed = await replay_if_lost(state, producer, bootstrap, topics, config.security)
            if replayed:
                log.info("republished %d post(s) the broker had lost", replayed)
            # Only now: a snapshot taken before the replay would count the lost posts as
            # below the (empty) topic's end offsets and confirm them unprocessed.
            confirmer = asyncio.create_task(Confirmer(state, bootstrap, topics, config.security, producer).run())
            producing = True
            log.info("fetcher following %d feed(s): %s", len(config.feeds), ", ".join(f.name for f in config.feeds))
            await Poller(config, producer, state).run()
        finally:
            producing = False
            if confirmer is not None:
                confirmer.cancel()
                await asyncio.gather(confirmer, return_exceptions=True)
            await producer.stop()
            state.close()
            log.info("fetcher stopped")
    finally:
        await ops.stop()
