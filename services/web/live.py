"""Live updates: a server-sent event whenever the archive changes, so open pages add new incidents without a reload.

Each stream checks the archive's version once a `POLL` (a pragma and an
indexed max, microseconds) and sends `event: archive` with the newest row id
when it changed; the page then asks `/api/incidents` for what it lacks. A
comment every `KEEPALIVE` keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio

import orjson
from aiohttp import web

from services.archive.database import ArchiveError
from services.web.state import CLOSING, READER

POLL = 1.0
KEEPALIVE = 15.0


async def events(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    reader = request.app[READER]
    closing = request.app[CLOSING]
    last: tuple[int, int] | None = None
    idle = 0.0
    try:
        while True:
            try:
                current = await reader.version()
            except ArchiveError:
                current = None
            if current is not None and current != last:
                last = current
                await response.write(b"event: archive\ndata: " + orjson.dumps({"newest": current[1]}) + b"\n\n")
                idle = 0.0
            elif idle >= KEEPALIVE:
                await response.write(b": keepalive\n\n")
                idle = 0.0
            try:
                await asyncio.wait_for(closing.wait(), POLL)
                break  # the server is stopping
            except asyncio.TimeoutError:
                idle += POLL
    except ConnectionResetError:  # the page was closed
        pass
    return response
