"""The fetcher loop: poll each feed on its schedule, publish new or changed posts.

A failed poll is logged as one line with its reason and retried with
exponential backoff plus jitter; nothing a feed does can stop the others.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.common import serde
from services.common.config import Config, FeedConfig
from services.common.errors import JikenboError
from services.common.topics import Topics
from services.fetcher.errors import FetchError
from services.fetcher.feeds import parse_feed
from services.fetcher.http import fetch, make_session
from services.fetcher.state import FeedState, FetcherState

log = logging.getLogger("jikenbo.fetcher")

BASE_BACKOFF = 30.0


def backoff_delay(errors: int, cap: float, rng: random.Random = random.Random()) -> float:
    """Exponential backoff with full jitter in its upper half, capped; never shorter than 1 s."""
    delay = min(cap, BASE_BACKOFF * 2 ** max(0, errors - 1))
    return max(1.0, delay * (0.5 + rng.random() / 2))


@dataclass
class PollOutcome:
    """What one poll did, for logs and tests."""

    status: str  # "200", "304" or "error"
    published: int = 0
    seen: int = 0
    error: str | None = None


class Publisher:
    """Publishes raw posts and records them once the broker acknowledged them."""

    def __init__(self, producer: AIOKafkaProducer, topics: Topics, state: FetcherState) -> None:
        self.producer = producer
        self.topics = topics
        self.state = state

    async def publish(self, feed: str, posts: list[dict[str, Any]]) -> int:
        """Send the posts not yet published in this version; return how many were sent."""
        latest: dict[str, dict[str, Any]] = {}
        for post in posts:  # duplicate ids within a feed: the last one wins
            latest[post["post_id"]] = post
        todo = self.state.unpublished((p["post_id"], p["content_hash"]) for p in latest.values())
        fresh = [p for p in latest.values() if (p["post_id"], p["content_hash"]) in todo]
        if not fresh:
            return 0
        futures = [
            await self.producer.send(self.topics.raw_posts, serde.dumps(post), key=serde.key(post["post_id"]))
            for post in fresh
        ]
        await asyncio.gather(*futures)
        self.state.mark_published(feed, [(p["post_id"], p["content_hash"]) for p in fresh])
        return len(fresh)


class FetcherService:
    """Runs one polling task per configured feed until cancelled."""

    def __init__(self, config: Config, producer: AIOKafkaProducer, state: FetcherState) -> None:
        self.config = config
        self.state = state
        self.publisher = Publisher(producer, Topics(config.topic_prefix), state)
        self.session: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        async with make_session(self.config.fetcher) as session:
            self.session = session
            await asyncio.gather(*(self.follow(feed) for feed in self.config.feeds))

    async def follow(self, feed: FeedConfig) -> None:
        """Poll one feed forever, sleeping until its next scheduled poll."""
        state = self.state.feed(feed.name, feed.url)
        while True:
            delay = state.next_poll_at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.poll(feed, state)

    async def poll(self, feed: FeedConfig, state: FeedState) -> PollOutcome:
        """One poll: fetch, parse, publish, reschedule. Never raises for feed problems."""
        assert self.session is not None, "poll() needs run() to have opened the session"
        started = time.time()
        try:
            result = await fetch(
                self.session, feed.url, self.config.fetcher,
                etag=state.etag, last_modified=state.last_modified, headers=feed.headers,
            )
            if result.not_modified:
                outcome = PollOutcome(status="304")
            else:
                parsed = await asyncio.to_thread(parse_feed, result.body, result.headers, feed.name, "live")
                if parsed.warning:
                    log.warning("feed %s: %s", feed.name, parsed.warning, extra={"feed": feed.name})
                posts = [p for p in parsed.posts if _wanted(p, feed)]
                sent = await self.publisher.publish(feed.name, posts)
                outcome = PollOutcome(status="200", published=sent, seen=len(posts))
            state.etag, state.last_modified = result.etag, result.last_modified
            state.error_count, state.last_error = 0, None
            state.next_poll_at = started + feed.interval
        except (JikenboError, KafkaError) as exc:
            if isinstance(exc, KafkaError):
                exc = JikenboError(f"broker unavailable, posts kept for the next poll: {exc}")
            state.error_count += 1
            state.last_error = str(exc)
            retry_after = exc.retry_after if isinstance(exc, FetchError) else None
            delay = retry_after if retry_after is not None else backoff_delay(state.error_count, self.config.fetcher.max_backoff)
            state.next_poll_at = time.time() + delay
            outcome = PollOutcome(status="error", error=str(exc))
            log.warning("feed %s: poll failed: %s; retrying in %.0fs", feed.name, exc, delay, extra={"feed": feed.name})
        state.last_status, state.last_poll_at = outcome.status, started
        self.state.save_feed(state)
        if outcome.status == "200":
            log.info(
                "feed %s: %d entries, %d published", feed.name, outcome.seen, outcome.published, extra={"feed": feed.name}
            )
        return outcome


def _wanted(post: dict[str, Any], feed: FeedConfig) -> bool:
    """Apply the feed's optional label filter."""
    return not feed.labels or bool(set(feed.labels) & set(post["labels"]))
