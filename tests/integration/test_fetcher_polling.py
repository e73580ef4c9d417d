"""Polling behaviour against local servers, publishing to the embedded broker."""

from __future__ import annotations

import asyncio
import gzip
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

import brotli
import pytest
from aiohttp import web

from services.common.embedded_broker import EmbeddedBroker
from services.common.topics import Topics
from services.demo.feed import atom_entry, build_atom, corpus_documents
from services.fetcher.state import FetcherState
from tests.feed_server import FeedServer, Harness
from tests.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

FEED = build_atom(corpus_documents())
HEAD = "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"


def small_feed(*entries: tuple[str, str]) -> bytes:
    stamp = datetime(2025, 1, 1, tzinfo=timezone.utc)
    body = "".join(atom_entry(pid, title, f"<p>{title}</p>", stamp, f"http://x/{pid}") for pid, title in entries)
    return (HEAD + body + "</feed>").encode()


@pytest.fixture
async def server() -> FeedServer:
    running = await FeedServer(body=FEED).start()
    yield running
    await running.stop()


@pytest.fixture
async def harness(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> Harness:
    async with Harness(broker.bootstrap, prefix, tmp_path, read_timeout=0.5, total_timeout=5.0) as running:
        yield running


async def test_304_with_etag_costs_no_parsing(harness: Harness, server: FeedServer) -> None:
    feed = harness.feed(server.url)
    assert (await harness.poll(feed)).status == "200"
    outcome = await harness.poll(feed)
    assert outcome.status == "304" and outcome.seen == 0
    assert server.last_headers["If-None-Match"] == harness.feed_state(feed).etag


async def test_304_with_last_modified_only(harness: Harness, server: FeedServer) -> None:
    server.send_etag, server.last_modified = False, "Wed, 01 Jan 2025 00:00:00 GMT"
    feed = harness.feed(server.url)
    assert (await harness.poll(feed)).status == "200"
    assert (await harness.poll(feed)).status == "304"
    assert server.last_headers["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert "If-None-Match" not in server.last_headers


async def test_429_retry_after_seconds_delays_next_poll(harness: Harness, server: FeedServer) -> None:
    server.routes["/busy"] = lambda request: _status(429, {"Retry-After": "120"})
    feed = harness.feed(server.base + "/busy")
    before = time.time()
    outcome = await harness.poll(feed)
    state = harness.feed_state(feed)
    assert outcome.status == "error" and "retry after 120s" in (state.last_error or "")
    assert 119 <= state.next_poll_at - before <= 122


async def test_429_retry_after_date_delays_next_poll(harness: Harness, server: FeedServer) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=600), usegmt=True)
    server.routes["/busy"] = lambda request: _status(503, {"Retry-After": later})
    feed = harness.feed(server.base + "/busy")
    before = time.time()
    await harness.poll(feed)
    assert 590 <= harness.feed_state(feed).next_poll_at - before <= 602


async def test_500_backs_off_then_recovers(harness: Harness, server: FeedServer) -> None:
    failing = {"left": 2}

    async def flaky(request: web.Request) -> web.Response:
        if failing["left"]:
            failing["left"] -= 1
            return web.Response(status=500)
        return web.Response(body=FEED, content_type="application/atom+xml")

    server.routes["/flaky"] = flaky
    feed = harness.feed(server.base + "/flaky")
    first, second = await harness.poll(feed), await harness.poll(feed)
    state = harness.feed_state(feed)
    assert (first.status, second.status, state.error_count) == ("error", "error", 2)
    assert state.next_poll_at - time.time() > 25, "second failure backs off at least half of 60 s"
    third = await harness.poll(feed)
    assert third.status == "200" and third.published == 5
    assert (state.error_count, state.last_error) == (0, None)


async def test_redirect_chain_is_followed(harness: Harness, server: FeedServer) -> None:
    server.routes["/a"] = lambda request: _status(301, {"Location": "/b"})
    server.routes["/b"] = lambda request: _status(302, {"Location": f"{server.alias_base}/feed"})
    outcome = await harness.poll(harness.feed(server.base + "/a"))
    assert outcome.status == "200" and outcome.published == 5
    assert server.hits["/a"] == server.hits["/b"] == server.hits["/feed"] == 1


async def test_redirect_loop_is_a_clear_error(harness: Harness, server: FeedServer) -> None:
    server.routes["/a"] = lambda request: _status(302, {"Location": "/b"})
    server.routes["/b"] = lambda request: _status(302, {"Location": "/a"})
    outcome = await harness.poll(harness.feed(server.base + "/a"))
    assert outcome.status == "error" and "redirect loop" in (outcome.error or "")


async def test_stalled_server_hits_the_read_timeout(harness: Harness, server: FeedServer) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/atom+xml"})
        await response.prepare(request)
        await response.write(FEED[:100])
        await asyncio.sleep(1.5)
        return response

    server.routes["/stall"] = stall
    started = time.monotonic()
    outcome = await harness.poll(harness.feed(server.base + "/stall"))
    assert outcome.status == "error" and "read timeout" in (outcome.error or "")
    assert time.monotonic() - started < 2


async def test_oversized_body_is_abandoned_and_keeps_schedule(broker: EmbeddedBroker, prefix: str, tmp_path: Path, server: FeedServer) -> None:
    async with Harness(broker.bootstrap, prefix, tmp_path, max_bytes=10_000) as harness:
        server.routes["/chunked"] = _chunked(FEED)
        for path in ("/feed", "/chunked"):
            feed = harness.feed(server.base + path, name=path.strip("/"))
            outcome = await harness.poll(feed)
            assert outcome.status == "error" and "10000-byte cap" in (outcome.error or "")
            assert harness.feed_state(feed).error_count == 1


async def test_brotli_and_gzip_bodies_are_decoded(harness: Harness, server: FeedServer) -> None:
    async def compressed(request: web.Request) -> web.Response:
        accepted = request.headers.get("Accept-Encoding", "")
        if "br" in accepted:
            return web.Response(body=brotli.compress(FEED), headers={"Content-Encoding": "br", "Content-Type": "application/atom+xml"})
        return web.Response(body=gzip.compress(FEED), headers={"Content-Encoding": "gzip", "Content-Type": "application/atom+xml"})

    server.routes["/br"] = compressed
    outcome = await harness.poll(harness.feed(server.base + "/br"))
    assert "br" in server.last_headers.get("Accept-Encoding", "") and "gzip" in server.last_headers["Accept-Encoding"]
    assert outcome.status == "200" and outcome.published == 5


async def test_html_page_is_a_per_feed_error(harness: Harness, server: FeedServer) -> None:
    server.body, server.content_type = b"<!DOCTYPE html><html><body>blog</body></html>", "text/html"
    feed = harness.feed(server.url)
    await harness.poll(feed)
    assert "HTML page, not a feed" in (harness.feed_state(feed).last_error or "")


async def test_empty_feed_is_a_success_with_nothing_published(harness: Harness, server: FeedServer) -> None:
    server.body = (HEAD + "</feed>").encode()
    outcome = await harness.poll(harness.feed(server.url))
    assert (outcome.status, outcome.seen, outcome.published) == ("200", 0, 0)


async def test_duplicate_ids_within_a_feed_publish_the_last_once(harness: Harness, server: FeedServer) -> None:
    server.body = small_feed(("dup", "first"), ("dup", "second"), ("other", "third"))
    outcome = await harness.poll(harness.feed(server.url))
    messages = await read_topic(harness.bootstrap, Topics(harness.prefix).raw_posts)
    assert outcome.published == 2 and len(messages) == 2
    assert sorted(post["title"] for _, post in messages) == ["second", "third"]


async def test_malformed_feed_publishes_with_a_warning(harness: Harness, server: FeedServer) -> None:
    server.body = small_feed(("a", "one"), ("b", "two")).replace(b"</feed>", b"<oops></feed>")
    outcome = await harness.poll(harness.feed(server.url))
    assert outcome.status == "200" and outcome.published == 2
    assert outcome.warning and "malformed feed" in outcome.warning


async def test_per_host_delay_spaces_requests(broker: EmbeddedBroker, prefix: str, tmp_path: Path, server: FeedServer) -> None:
    async with Harness(broker.bootstrap, prefix, tmp_path) as harness:
        harness.service.client.gate.min_delay = 0.3  # type: ignore[union-attr]
        feeds = [harness.feed(server.url + f"?n={n}", name=f"f{n}") for n in range(3)]
        started = time.monotonic()
        await asyncio.gather(*(harness.poll(feed) for feed in feeds))
        assert time.monotonic() - started >= 0.6


async def test_restart_keeps_schedule_and_validators(broker: EmbeddedBroker, prefix: str, tmp_path: Path, server: FeedServer) -> None:
    async with Harness(broker.bootstrap, prefix, tmp_path) as first:
        feed = first.feed(server.url)
        await first.poll(feed)
        before = first.feed_state(feed)
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    after = state.feed(feed.name, feed.url)
    state.close()
    assert after.next_poll_at == before.next_poll_at > time.time()
    assert (after.etag, after.interval) == (before.etag, before.interval)
    assert after.interval is not None and feed.interval_bounds[0] <= after.interval <= feed.interval_bounds[1]
    async with Harness(broker.bootstrap, prefix, tmp_path) as second:
        assert (await second.poll(second.feed(server.url))).status == "304"


async def _status(status: int, headers: dict[str, str]) -> web.Response:
    return web.Response(status=status, headers=headers)


def _chunked(body: bytes):  # noqa: ANN202 - a handler factory
    async def serve(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/atom+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 8192):
            await response.write(body[start : start + 8192])
        return response

    return serve
