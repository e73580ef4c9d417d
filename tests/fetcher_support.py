"""Running the fetcher's poll in tests, without its endless loop."""

from __future__ import annotations

from pathlib import Path

from services.common.config import Config, FeedConfig, FetcherConfig
from services.common.kafka import make_producer
from services.fetcher.http import HttpClient, make_session
from services.fetcher.polling import Poller, PollOutcome
from services.fetcher.state import FetcherState


def feed_config(tmp_path: Path, prefix: str, url: str) -> Config:
    """One feed on a local server, private addresses allowed."""
    return Config(
        topic_prefix=prefix,
        partitions=2,
        state_dir=tmp_path,
        fetcher=FetcherConfig(allow_private_networks=True),
        feeds=(FeedConfig(name="demo", url=url, interval=60),),
    )


async def poll_once(config: Config, bootstrap: str, state: FetcherState) -> PollOutcome:
    """A fetcher with its own producer and session polls the first feed once."""
    producer = make_producer(bootstrap, "test")
    await producer.start()
    try:
        service = Poller(config, producer, state)
        async with make_session(config.fetcher) as session:
            service.client = HttpClient(session, config.fetcher)
            feed = config.feeds[0]
            return await service.poll(feed, state.feed(feed.name, feed.url))
    finally:
        await producer.stop()
