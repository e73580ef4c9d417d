"""The web view's aiohttp application, and `start_web` for `jikenbo web` and `jikenbo up`.

Only GET routes exist: nothing here changes the archive or anything else.
Every response carries a Content-Security-Policy that allows this origin's
own stylesheet and script only, a second guard behind autoescaping.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

from services.archive.database import ArchiveError
from services.common.config import Config
from services.common.errors import JikenboError
from services.common.pipeline import ARCHIVE
from services.web import api, live, pages
from services.web.auth import Handler, loopback_host_only, required_token, token_middleware
from services.web.mirror import CountingMirror
from services.web.overview import OverviewCache
from services.web.reader import ArchiveReader
from services.web.state import CACHE, CLOSING, MIRROR, READER, TASKS
from services.web.views import static_file

log = logging.getLogger("jikenbo.web")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8480
STATIC = {"style.css": "text/css", "live.js": "text/javascript"}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
                               " frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def make_app(archive_path: Path, token: str | None = None) -> web.Application:
    """The application over one archive file; with `token`, every request must bring it."""
    middlewares = [_headers, token_middleware(token) if token else loopback_host_only]
    app = web.Application(middlewares=middlewares)
    app[READER] = ArchiveReader(archive_path)
    app[CACHE] = OverviewCache()
    app[MIRROR] = CountingMirror()
    app[TASKS] = set()
    app[CLOSING] = asyncio.Event()
    app.router.add_get("/", pages.overview_page)
    app.router.add_get("/incidents", pages.list_page)
    app.router.add_get("/incidents/{incident_id}", pages.incident_page)
    app.router.add_get("/api/incidents", api.incidents)
    app.router.add_get("/api/incidents/{incident_id}", api.incident)
    app.router.add_get("/api/stats", api.stats_endpoint)
    app.router.add_get("/api/events", live.events)
    for name, content_type in STATIC.items():
        app.router.add_get(f"/static/{name}", _static(name, content_type))
    app.on_startup.append(_warm_up)
    app.on_shutdown.append(_end_streams)
    app.on_cleanup.append(_close_reader)
    return app


@dataclass
class WebServer:
    """A running web view: where it listens, and how to stop it."""

    runner: web.AppRunner
    url: str
    token: str | None

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_web(config: Config, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str | None = None,
                    state_dir: Path | None = None,
                    announce: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> WebServer:
    """Serve the archive of `state_dir` (default `config.state_dir`) until `close()`; logs its address.

    Off loopback without a token, one is generated and passed to `announce`
    (stderr by default) in a ready-to-open link, once: never logged. A port in
    use is a JikenboError naming it."""
    token, generated = required_token(host, token)
    archive = ARCHIVE.state_path(state_dir or config.state_dir)
    runner = web.AppRunner(make_app(archive, token), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        reason = exc.strerror or str(exc).rsplit(": ", 1)[-1]  # asyncio wraps the errno text in a long sentence
        raise JikenboError(f"web view: cannot listen on {host}:{port} ({reason})") from None
    sockets = site._server.sockets if site._server else []  # aiohttp exposes no public accessor
    bound = sockets[0].getsockname()[1] if sockets else port
    url = f"http://{f'[{host}]' if ':' in host else host}:{bound}/"
    log.info("web view at %s%s", url, " (access token required)" if token else "")
    if generated:
        announce(f"web view access token (shown once): {url}?token={token}")
    return WebServer(runner, url, token)


def _static(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    body = static_file(name)

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, headers={"Cache-Control": "max-age=300"})

    return serve


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The security headers on every response, and the handler's own time (Server-Timing, read by bench/web.py)."""
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(HEADERS)
        raise
    if not response.prepared:  # an event stream has sent its headers already
        response.headers.update(HEADERS)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


async def _warm_up(app: web.Application) -> None:
    """Copy the archive into the counting mirror and count the default overview and the quick
    periods before the first visitor asks (in the background: the server answers meanwhile)."""
    async def count() -> None:
        try:
            for _, filters in pages.periods():
                await pages.current_overview(app, filters)
        except ArchiveError:
            pass  # no archive yet: the first view after it appears counts

    task = asyncio.create_task(count())
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


async def _end_streams(app: web.Application) -> None:
    app[CLOSING].set()


async def _close_reader(app: web.Application) -> None:
    for task in list(app[TASKS]):
        task.cancel()
    await asyncio.gather(*app[TASKS], return_exceptions=True)
    app[READER].close()
