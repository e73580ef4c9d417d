"""Stamping the broker's lifetime mark while posts are being published stalls nothing."""

from __future__ import annotations

import asyncio
import time

import pytest

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics, make_producer
from services.common.topics import Topics
from services.fetcher import broker_epoch
from services.fetcher.broker_epoch import BrokerEpoch

pytestmark = pytest.mark.integration


async def test_stamping_the_first_mark_while_posts_are_published_delays_no_post(
    broker: EmbeddedBroker, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the fetcher's own producer wrote the mark, fetching the new topic's metadata while raw
    posts were in flight left those posts unanswered for 40 s on the embedded broker, then failed them."""
    async def no_mark_yet(*_: object) -> None:
        return None

    monkeypatch.setattr(broker_epoch, "read_mark", no_mark_yet)  # a broker that has no mark: stamp one now
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 4)
    producer = make_producer(broker.bootstrap, "epoch-test")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topics.raw_posts, b"warm", key=f"w{n}".encode()) for n in range(4)])
        stamping = asyncio.create_task(BrokerEpoch(broker.bootstrap, topics).current())
        waits: list[float] = []
        pending = []
        until = time.monotonic() + 1.0
        while time.monotonic() < until or not stamping.done():  # posts keep coming, as from a polling fetcher
            future = await producer.send(topics.raw_posts, b"post" * 500, key=f"p{len(pending)}".encode())
            future.add_done_callback(lambda _, began=time.monotonic(): waits.append(time.monotonic() - began))
            pending.append(future)
            await asyncio.sleep(0.002)
        await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 60)
        failed = [f.exception() for f in pending if f.exception() is not None]
        mark = await stamping
        learned = producer.client.cluster.topics()
    finally:
        await producer.stop()
    assert len(mark) == 32
    # The mark goes through a producer of its own: the posts' producer never fetches the new
    # topic's metadata while posts are in flight (bench/e2e.py's live phase stalled on that).
    assert topics.epoch not in learned
    assert not failed, failed[:3]
    assert max(waits) < 5, f"a post waited {max(waits):.1f}s for the broker"
