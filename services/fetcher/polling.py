"""The fetcher loop: poll each feed on its schedule, publish new or changed posts.

A failed poll is logged as one line with its reason, stored on the feed, and
retried later (backoff, or the server's Retry-After); nothing a feed does can
stop the others. A verified WebSub delivery goes through the same path as a
poll that found a changed feed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urljoin

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.common.config import Config, FeedConfig
from services.common.errors import JikenboError
from services.common.logsetup import printable
from services.common.metrics import FETCHED_BYTES, POLLS
from services.common.topics import Topics
from services.fetcher import fallback
from services.fetcher.errors import FetchError
from services.fetcher.feeds import ParsedFeed, parse_feed
from services.fetcher.http import HttpClient, make_session
from services.fetcher.publisher import Publisher
from services.fetcher.schedule import adaptive_interval, backoff_delay, retry_after_delay
from services.fetcher.state import FeedState, FetcherState
from services.fetcher.websub import WebSub

log = logging.getLogger("jikenbo.fetcher")


@dataclass
class PollOutcome:
    """What one poll did, for logs and tests."""

    status: str  # "200", "304" or "error"
    published: int = 0
    seen: int = 0
    error: str | None = None
    warning: str | None = None


class Poller:
    """Runs one polling task per configured feed until cancelled."""

    def __init__(self, config: Config, producer: AIOKafkaProducer, state: FetcherState) -> None:
        self.config = config
        self.state = state
        self.publisher = Publisher(producer, Topics(config.topic_prefix), state)
        self.client: HttpClient | None = None
        self.websub: WebSub | None = None
        self.states: dict[str, FeedState] = {}
        # Polls in flight, fetch to publish: bounds memory when thousands of feeds are due at once (start-up).
        self.in_flight = asyncio.Semaphore(config.fetcher.max_connections)

    def feed_state(self, feed: FeedConfig) -> FeedState:
        """The one in-memory state of a feed, shared by its poll loop and push deliveries."""
        if feed.name not in self.states:
            self.states[feed.name] = self.state.feed(feed.name, feed.url)
        return self.states[feed.name]

    async def run(self) -> None:
        async with make_session(self.config.fetcher) as session:
            self.client = HttpClient(session, self.config.fetcher)
            runner = await self.start_websub() if self.config.fetcher.websub_callback_url else None
            try:
                await asyncio.gather(*(self.follow(feed) for feed in self.config.feeds))
            finally:
                fallback.stop_children()  # a poll's lenient parser would hold up the shutdown
                if runner is not None:
                    await runner.cleanup()

    async def start_websub(self) -> web.AppRunner:
        """Listen for hub callbacks at fetcher.websub_listen."""
        assert self.client is not None and self.config.fetcher.websub_callback_url
        self.websub = WebSub(
            self.state, self.client.session, self.config.fetcher.websub_callback_url,
            self.config.fetcher.websub_lease, self.deliver, self.config.fetcher.max_bytes,
        )
        host, _, port = self.config.fetcher.websub_listen.rpartition(":")
        runner = web.AppRunner(self.websub.app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
        log.info("WebSub callbacks on %s, announced as %s", self.config.fetcher.websub_listen, self.config.fetcher.websub_callback_url)
        return runner

    async def follow(self, feed: FeedConfig) -> None:
        """Poll one feed forever, sleeping until its next scheduled poll."""
        state = self.feed_state(feed)
        while True:
            delay = state.next_poll_at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.poll(feed, state)
            await self.push_subscribe(feed, state)

    async def poll(self, feed: FeedConfig, state: FeedState) -> PollOutcome:
        """One poll: fetch, parse, publish, reschedule. Never raises for feed problems."""
        async with self.in_flight:
            return await self._poll(feed, state)

    async def _poll(self, feed: FeedConfig, state: FeedState) -> PollOutcome:
        assert self.client is not None, "poll() needs run() (or a test) to have set the client"
        started = time.time()
        try:
            result = await self.client.fetch(feed.url, etag=state.etag, last_modified=state.last_modified, headers=feed.headers)
            FETCHED_BYTES.labels(feed.name).inc(len(result.body))
            if result.not_modified:
                outcome = PollOutcome(status="304")
            else:
                outcome, parsed = await self.take(feed, state, result.body, result.headers)
                hub = result.links.get("hub") or parsed.links.get("hub")
                state.hub = urljoin(result.url, hub) if hub else None
                state.topic = urljoin(result.url, result.links.get("self") or parsed.links.get("self") or feed.url)
            state.etag, state.last_modified = result.etag, result.last_modified
            state.error_count, state.last_error = 0, None
            state.next_poll_at = started + (state.interval or feed.interval)
        except (JikenboError, KafkaError) as exc:
            outcome = self.failed(feed, state, exc)
        state.last_status, state.last_poll_at = outcome.status, started
        self.state.save_feed(state)
        POLLS.labels(feed.name, outcome.status).inc()
        return outcome

    async def take(self, feed: FeedConfig, state: FeedState, body: bytes, headers: Mapping[str, str]) -> tuple[PollOutcome, ParsedFeed]:
        """Parse a changed feed document off the event loop, publish its posts, adapt the interval."""
        parsed = await asyncio.to_thread(parse_feed, body, headers, feed.name, "live")
        if parsed.warning:
            log.warning("feed %s: %s", feed.name, printable(parsed.warning), extra={"feed": feed.name})
        posts = [p for p in parsed.posts if wanted(p, feed)]
        sent = await self.publisher.publish(feed.name, posts)
        state.interval = adaptive_interval((p["published"] for p in parsed.posts), time.time(), feed.interval, feed.interval_bounds)
        log.info("feed %s: %d entries, %d published", feed.name, len(posts), sent, extra={"feed": feed.name})
        return PollOutcome(status="200", published=sent, seen=len(posts), warning=parsed.warning), parsed

    def failed(self, feed: FeedConfig, state: FeedState, exc: Exception) -> PollOutcome:
        """Record the reason on the feed and schedule the retry."""
        if isinstance(exc, KafkaError):
            exc = JikenboError(f"broker unavailable, posts kept for the next poll: {exc}")
        state.error_count += 1
        state.last_error = str(exc)
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        if retry_after is not None:
            delay = retry_after_delay(retry_after)
        else:
            delay = backoff_delay(state.error_count, self.config.fetcher.max_backoff)
        state.next_poll_at = time.time() + delay
        log.warning("feed %s: poll failed: %s; retrying in %.0fs", feed.name, printable(exc), delay, extra={"feed": feed.name})
        return PollOutcome(status="error", error=str(exc))

    async def push_subscribe(self, feed: FeedConfig, state: FeedState) -> None:
        """Subscribe (or renew) at the feed's hub when push is on, unsubscribe when it was turned off; a failure only logs."""
        if self.websub is None:
            return
        try:
            if not feed.push:
                await self.websub.cancel(feed.name)
            elif state.hub and state.topic:
                await self.websub.ensure(feed.name, state.hub, state.topic)
        except JikenboError as exc:
            log.warning("feed %s: WebSub: %s; polling continues", feed.name, printable(exc), extra={"feed": feed.name})

    async def deliver(self, feed_name: str, body: bytes, headers: Mapping[str, str]) -> None:
        """A verified WebSub delivery: handled like a poll that found the feed changed."""
        feed = next((f for f in self.config.feeds if f.name == feed_name), None)
        if feed is None:
            return
        state = self.feed_state(feed)
        try:
            await self.take(feed, state, body, headers)
        except (JikenboError, KafkaError) as exc:
            log.warning("feed %s: WebSub delivery not used: %s", feed.name, printable(exc), extra={"feed": feed.name})
            return
        self.state.save_feed(state)


def wanted(post: dict[str, Any], feed: FeedConfig) -> bool:
    """Apply the feed's optional label filter."""
    return not feed.labels or bool(set(feed.labels) & set(post["labels"]))
