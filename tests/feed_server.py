"""A local aiohttp server for feeds, whose responses tests can change on the fly,
and a harness that polls it with the real fetcher against the embedded broker."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from services.common.config import Config, FeedConfig, FetcherConfig
from services.common.kafka import ensure_pipeline_topics, make_producer
from services.fetcher.http import HttpClient, make_session
from services.fetcher.polling import Poller, PollOutcome
from services.fetcher.state import FeedState, FetcherState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FeedServer:
    """Serves `body` at /feed with an ETag (and a Last-Modified if set); other paths via `routes`.

    Counts requests per path and keeps the headers of the last request, so
    tests can check what the fetcher sent.
    """

    body: bytes = b""
    honour_etag: bool = True
    send_etag: bool = True
    last_modified: str | None = None
    content_type: str = "application/atom+xml"
    requests: int = 0
    not_modified: int = 0
    runner: web.AppRunner | None = None
    url: str = ""
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    last_headers: dict[str, str] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        headers = {"ETag": etag} if self.send_etag else {}
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        fresh_etag = self.send_etag and self.honour_etag and request.headers.get("If-None-Match") == etag
        fresh_date = self.last_modified and request.headers.get("If-Modified-Since") == self.last_modified
        if fresh_etag or (fresh_date and "If-None-Match" not in request.headers):
            self.not_modified += 1
            return web.Response(status=304, headers=headers)
        return web.Response(body=self.body, headers={**headers, "Content-Type": self.content_type})

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.last_headers = dict(request.headers)
        if request.path in self.routes:
            return await self.routes[request.path](request)
        if request.path == "/feed":
            return await self.handle(request)
        raise web.HTTPNotFound()

    async def start(self) -> "FeedServer":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"{self.base}/feed"
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alias_base(self) -> str:
        """The same server under another host name, as Blogger's next links name www.blogger.com."""
        return f"http://localhost:{self.port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


class Harness:
    """One fetcher (service, state, producer) for one test, polling feeds by hand."""

    def __init__(self, bootstrap: str, prefix: str, tmp_path: Path, **fetcher: Any) -> None:
        self.bootstrap = bootstrap
        self.prefix = prefix
        self.state_path = tmp_path / "fetcher.sqlite3"
        self.config = Config(
            topic_prefix=prefix, partitions=2, state_dir=tmp_path,
            fetcher=FetcherConfig(allow_private_networks=True, per_host_delay=0.0, **fetcher), feeds=(),
        )
        self.producer = make_producer(bootstrap, "test")
        self.state = FetcherState(self.state_path)
        self.service = Poller(self.config, self.producer, self.state)

    async def __aenter__(self) -> "Harness":
        await ensure_pipeline_topics(self.config, self.bootstrap)
        await self.producer.start()
        self.session = make_session(self.config.fetcher)
        self.service.client = HttpClient(self.session, self.config.fetcher)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.producer.stop()
        self.state.close()

    def feed(self, url: str, name: str = "demo", **settings: Any) -> FeedConfig:
        feed = FeedConfig(name=name, url=url, interval=60, **settings)
        self.config = replace(self.config, feeds=(*self.config.feeds, feed))
        self.service.config = self.config
        return feed

    def feed_state(self, feed: FeedConfig) -> FeedState:
        return self.service.feed_state(feed)

    async def poll(self, feed: FeedConfig) -> PollOutcome:
        return await self.service.poll(feed, self.service.feed_state(feed))
