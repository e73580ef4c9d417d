"""A local aiohttp server for feeds, whose responses tests can change on the fly."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FeedServer:
    """Serves `body` at /feed with an ETag; counts requests."""

    body: bytes = b""
    honour_etag: bool = True
    requests: int = 0
    not_modified: int = 0
    runner: web.AppRunner | None = None
    url: str = ""
    extra_routes: dict[str, web.StreamResponse] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if self.honour_etag and request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=self.body, content_type="application/atom+xml", headers={"ETag": etag})

    async def start(self) -> "FeedServer":
        app = web.Application()
        app.router.add_get("/feed", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/feed"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
