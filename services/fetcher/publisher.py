"""Raw posts onto the raw-posts topic, recorded as published once the broker has them.

Polling, WebSub pushes, `jikenbo backfill` and `jikenbo ingest` all publish
through `Publisher`, so each version of a post is sent once and kept until
confirmed downstream (services.fetcher.confirm).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer

from services.common import serde
from services.common.logsetup import printable
from services.common.metrics import POSTS_PUBLISHED
from services.common.topics import Topics
from services.fetcher.state import FetcherState

log = logging.getLogger("jikenbo.fetcher")


class Publisher:
    """Publishes raw posts and records them once the broker acknowledged them.

    One feed at a time hands its posts to the producer: with hundreds of
    feeds sending at once, aiokafka's accumulator wakes every waiting sender
    each time a batch drains, which cost 40x the CPU in bench/fetch.py.
    """

    def __init__(self, producer: AIOKafkaProducer, topics: Topics, state: FetcherState) -> None:
        self.producer = producer
        self.topics = topics
        self.state = state
        self._enqueue = asyncio.Lock()

    async def publish(self, feed: str, posts: list[dict[str, Any]]) -> int:
        """Send the posts not yet published in this version; return how many were sent."""
        latest: dict[str, dict[str, Any]] = {}
        for post in posts:  # duplicate ids within a feed: the last one wins
            latest[post["post_id"]] = post
        todo = self.state.unpublished((p["post_id"], p["content_hash"]) for p in latest.values())
        fresh = [p for p in latest.values() if (p["post_id"], p["content_hash"]) in todo]
        if not fresh:
            return 0
        messages = [serde.dumps(post) for post in fresh]
        async with self._enqueue:
            futures = [
                await self.producer.send(self.topics.raw_posts, message, key=serde.key(post["post_id"]))
                for post, message in zip(fresh, messages)
            ]
        await asyncio.gather(*futures)
        self.state.mark_published(feed, [(p["post_id"], p["content_hash"], m) for p, m in zip(fresh, messages)])
        for post in fresh:
            POSTS_PUBLISHED.labels(post.get("origin") or "live").inc()
            log.debug("post published", extra={"feed": feed, "post": printable(post["post_id"])})
        return len(fresh)
