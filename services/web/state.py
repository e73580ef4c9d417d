"""What the handlers share through the aiohttp application."""

from __future__ import annotations

import asyncio

from aiohttp import web

from services.web.mirror import CountingMirror
from services.web.overview import OverviewCache
from services.web.reader import ArchiveReader

READER = web.AppKey("reader", ArchiveReader)
CACHE = web.AppKey("overview_cache", OverviewCache)
MIRROR = web.AppKey("counting_mirror", CountingMirror)
TASKS = web.AppKey("background_tasks", set)
CLOSING = web.AppKey("closing", asyncio.Event)  # set on shutdown: event streams end at once
