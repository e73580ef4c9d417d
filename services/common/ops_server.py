"""The operations endpoint of each service: /metrics, /healthz and /readyz.

- /healthz answers 200 whenever the process's event loop answers at all: a
  loop blocked by CPU work or a deadlock makes the request time out, which
  is what a container healthcheck or a liveness probe needs to see.
- /readyz answers 200 only when the service can do its job: the fetcher's
  producer is started; a Faust consumer is connected and its group's lag on
  its input topics is under `[metrics] ready_max_lag`
  (services.common.consumer_lag; the Faust hookup is in services.common.faust_app).

/metrics is prometheus-client's own aiohttp handler: the OpenMetrics format
when the scraper asks for it (`Accept: application/openmetrics-text`), only
the families named by `name[]` query parameters, gzip when accepted.

A port that is already taken logs one warning and the service runs on
without the endpoint: observability must never stop the pipeline.
"""

from __future__ import annotations

import logging
from typing import Callable

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler

log = logging.getLogger("jikenbo.ops")

Readiness = Callable[[], tuple[bool, str]]


class OpsServer:
    """A small aiohttp server on the service's own port."""

    def __init__(self, service: str, ready: Readiness) -> None:
        self.service = service
        self.ready = ready
        self.runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", make_aiohttp_handler())
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        return app

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text=f"{self.service}: alive\n")

    async def readyz(self, request: web.Request) -> web.Response:
        ok, reason = self.ready()
        return web.Response(status=200 if ok else 503, text=f"{self.service}: {reason}\n")

    async def start(self, host: str, port: int) -> bool:
        """Listen on host:port; False (and one warning) if disabled or the port is busy."""
        if not port:
            return False
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            log.warning("%s: metrics and health endpoint not started on %s:%d: %s; running without it",
                        self.service, host, port, exc.strerror or exc, extra={"service": self.service})
            return False
        self.runner = runner
        log.info("%s: /metrics, /healthz, /readyz on http://%s:%d", self.service, host, port, extra={"service": self.service})
        return True

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
