"""`jikenbo fetcher`: the polling service against a configured broker."""

from __future__ import annotations

import logging

from services.common.config import Config
from services.common.kafka import ensure_pipeline_topics, make_producer
from services.fetcher.service import FetcherService
from services.fetcher.state import FetcherState

log = logging.getLogger("jikenbo.fetcher")


async def run_fetcher(config: Config, bootstrap: str) -> None:
    """Create topics if needed, then poll every configured feed until cancelled."""
    await ensure_pipeline_topics(config, bootstrap)
    state = FetcherState(config.state_dir / "fetcher.sqlite3")
    producer = make_producer(bootstrap, f"{config.topic_prefix}-fetcher")
    await producer.start()
    log.info("fetcher following %d feed(s): %s", len(config.feeds), ", ".join(f.name for f in config.feeds))
    try:
        await FetcherService(config, producer, state).run()
    finally:
        await producer.stop()
        state.close()
        log.info("fetcher stopped")
