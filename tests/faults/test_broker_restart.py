"""The broker comes back empty at the same address while the fetcher keeps running.

The embedded broker keeps messages in memory only. `replay_if_lost` covers a
restart of the fetcher with the broker; this covers the broker alone coming
back without its messages: the fetcher's Confirmer sees the end offsets of
the raw-posts topic go back, publishes its unconfirmed posts again with the producer it
already has, and confirms nothing that was lost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.config import Config, FetcherConfig
from services.common.kafka import ensure_pipeline_topics, make_producer
from services.common.topics import Topics
from services.fetcher.confirm import Confirmer
from services.fetcher.publisher import Publisher
from services.fetcher.state import FetcherState
from tests.faults.harness import summary
from tests.kafka_helpers import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def post(n: int) -> dict:
    return {"post_id": f"restart-{n}", "content_hash": f"h{n}", "text": f"投稿 {n}", "origin": "live", "labels": []}


@pytest.mark.timeout(120)
async def test_unconfirmed_posts_are_published_again_when_the_broker_restarts_empty_under_a_running_fetcher(tmp_path: Path, prefix: str) -> None:
    port = free_port()
    config = Config(topic_prefix=prefix, partitions=2, state_dir=tmp_path, fetcher=FetcherConfig(), feeds=())
    topics = Topics(prefix)
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    first = await EmbeddedBroker(tmp_path / "first", port=port).start()
    producer = make_producer(first.bootstrap, "test")
    second = None
    try:
        await ensure_pipeline_topics(config, first.bootstrap)
        await producer.start()
        publisher = Publisher(producer, topics, state)
        assert await publisher.publish("blog", [post(n) for n in range(5)]) == 5
        confirmer = Confirmer(state, first.bootstrap, topics, producer=producer)
        assert await confirmer.step() is None, "nobody has parsed anything yet"
        first.stop()  # its memory is gone ...
        second = await EmbeddedBroker(tmp_path / "second", port=port).start()  # ... and it is back, empty
        await ensure_pipeline_topics(config, second.bootstrap)
        assert await confirmer.step() is None
        assert state.unconfirmed_count() == 5, "nothing the broker lost may be confirmed"
        await publisher.publish("blog", [post(5)])
        replayed = [value for _, value in await read_topic(second.bootstrap, topics.raw_posts)]
    finally:
        await producer.stop()
        first.stop()
        if second is not None:
            second.stop()
        state.close()
    ids = sorted(p["post_id"] for p in replayed)
    summary(
        "broker restarted empty under a running fetcher", 6, len(set(ids)), 6 - len(set(ids)), len(ids) - len(set(ids)),
        "unconfirmed posts published again by the Confirmer",
    )
    assert ids == sorted(f"restart-{n}" for n in range(6))


@pytest.mark.timeout(120)
async def test_a_broker_refilled_past_its_old_offsets_before_the_confirmer_looks_is_still_known_to_have_lost_them(tmp_path: Path, prefix: str) -> None:
    """End offsets that went back are not enough: here they went forward. The broker's mark tells."""
    port = free_port()
    config = Config(topic_prefix=prefix, partitions=1, state_dir=tmp_path, fetcher=FetcherConfig(), feeds=())
    topics = Topics(prefix)
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    first = await EmbeddedBroker(tmp_path / "first", port=port).start()
    producer = make_producer(first.bootstrap, "test")
    second = None
    try:
        await ensure_pipeline_topics(config, first.bootstrap)
        await producer.start()
        publisher = Publisher(producer, topics, state)
        assert await publisher.publish("blog", [post(n) for n in range(3)]) == 3
        confirmer = Confirmer(state, first.bootstrap, topics, producer=producer)
        assert await confirmer.step() is None
        first.stop()
        second = await EmbeddedBroker(tmp_path / "second", port=port).start()
        await ensure_pipeline_topics(config, second.bootstrap)
        assert await publisher.publish("blog", [post(n) for n in range(3, 10)]) == 7  # more than the broker had
        assert await confirmer.step() is None
        replayed = [value["post_id"] for _, value in await read_topic(second.bootstrap, topics.raw_posts)]
    finally:
        await producer.stop()
        first.stop()
        if second is not None:
            second.stop()
        state.close()
    assert sorted(set(replayed)) == sorted(f"restart-{n}" for n in range(10)), "the three lost posts are published again"
