"""What the embedded broker loses with its memory is published again; what was processed is forgotten."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_pipeline_topics, make_producer
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.feeds import parse_feed
from services.fetcher.confirm import Confirmer, replay_if_lost
from services.fetcher.state import FetcherState
from tests.feed_server import FeedServer
from tests.fetcher_support import feed_config, poll_once
from tests.kafka_helpers import read_topic, wait_for
from tests.processes import service_env, start, stop

pytestmark = pytest.mark.integration


async def test_posts_lost_with_the_broker_are_published_again(tmp_path: Path, prefix: str) -> None:
    server = await FeedServer(body=build_atom(corpus_documents())).start()
    config = feed_config(tmp_path, prefix, server.url)
    topics = Topics(prefix)
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    try:
        async with EmbeddedBroker(tmp_path / "first") as first:
            await ensure_pipeline_topics(config, first.bootstrap)
            await poll_once(config, first.bootstrap, state)
            assert state.unconfirmed_count() == 5
        async with EmbeddedBroker(tmp_path / "second") as second:  # memory gone, as after kill -9 of `up`
            await ensure_pipeline_topics(config, second.bootstrap)
            producer = make_producer(second.bootstrap, "test")
            await producer.start()
            try:
                assert await replay_if_lost(state, producer, second.bootstrap, topics) == 5
                assert await replay_if_lost(state, producer, second.bootstrap, topics) == 0, "topic has them now"
            finally:
                await producer.stop()
            replayed = await read_topic(second.bootstrap, topics.raw_posts)
    finally:
        state.close()
        await server.stop()
    expected = parse_feed(build_atom(corpus_documents()), {}, "demo").posts
    assert sorted(post["post_id"] for _, post in replayed) == sorted(p["post_id"] for p in expected)


async def test_unconfirmed_posts_are_forgotten_once_parser_alerter_and_archive_processed_them(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    server = await FeedServer(body=build_atom(corpus_documents())).start()
    config = feed_config(tmp_path, prefix, server.url)
    topics = Topics(prefix)
    await ensure_pipeline_topics(config, broker.bootstrap)
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    confirmer = Confirmer(state, broker.bootstrap, topics)
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_SUBSCRIPTIONS_FILE=str(Path("services/demo/subscriptions.toml").resolve()))
    await poll_once(config, broker.bootstrap, state)
    assert await confirmer.step() is None, "no consumer stage has run yet"
    processes = [start([name], env, tmp_path / f"{name}.log") for name in ("parser", "alerter", "archive")]
    try:
        await wait_for(broker.bootstrap, topics.alerts, lambda seen: len(seen) > 0, timeout=60)
        confirmed = None
        for _ in range(60):
            confirmed = await confirmer.step()
            if confirmed:
                break
            await asyncio.sleep(1)
        assert confirmed is not None, [p.read_text()[-2000:] for p in tmp_path.glob("*.log")]
        assert state.unconfirmed_count() == 0
    finally:
        for process in processes:
            stop(process)
        state.close()
        await server.stop()
