"""The operations endpoint of each service: /metrics, /healthz and /readyz.

- /healthz answers 200 whenever the process's event loop answers at all: a
  loop blocked by CPU work or a deadlock makes the request time out, which
  is what a container healthcheck or a liveness probe needs to see.
- /readyz answers 200 only when the service can do its job: the fetcher's
  producer is started; a Faust consumer is connected and its group's lag on
  its input topics is under `[metrics] ready_max_lag`.

A port that is already taken logs one warning and the service runs on
without the endpoint: observability must never stop the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

import faust
from aiohttp import web
from aiokafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.common.config import Config, KafkaSecurity, bootstrap_servers
from services.common.kafka import committed_offsets, end_offsets, lag
from services.common.metrics import ASSIGNED_PARTITIONS, CONSUMER_LAG
from services.common.pipeline import Stage
from services.common.topics import Topics

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
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        return app

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

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


def lag_readiness(lag_now: int | None, checked_at: float | None, now: float, max_lag: int, interval: float, error: str | None) -> tuple[bool, str]:
    """Ready when a recent measurement succeeded and the lag is at most `max_lag`."""
    if checked_at is None:
        return False, f"not connected to the broker yet{f' ({error})' if error else ''}"
    if now - checked_at > 3 * interval + 10:
        return False, f"no lag measurement for {now - checked_at:.0f}s{f' ({error})' if error else ''}"
    if lag_now is not None and lag_now > max_lag:
        return False, f"catching up: lag {lag_now} > {max_lag}"
    return True, f"ready, lag {lag_now}"


class LagMonitor:
    """Measures a consumer group's lag on the topics it reads every `interval` seconds."""

    def __init__(self, bootstrap: str, security: KafkaSecurity, group: str, topics: tuple[str, ...], max_lag: int,
                 interval: float) -> None:
        self.bootstrap = bootstrap
        self.security = security
        self.group = group
        self.topics = topics
        self.max_lag = max_lag
        self.interval = interval
        self.lag: int | None = None
        self.checked_at: float | None = None
        self.error: str | None = None

    async def measure(self) -> int:
        total = 0
        for topic in self.topics:
            ends = await end_offsets(self.bootstrap, topic, self.security)
            committed = await committed_offsets(self.bootstrap, self.group, topic, ends, self.security)
            topic_lag = lag(committed, ends)
            CONSUMER_LAG.labels(self.group, topic).set(topic_lag)
            total += topic_lag
        self.lag, self.checked_at, self.error = total, time.time(), None
        return total

    async def run(self) -> None:
        while True:
            try:
                await self.measure()
            except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.debug("consumer lag of %s not measured: %s", self.group, self.error)
            await asyncio.sleep(self.interval)

    def readiness(self) -> tuple[bool, str]:
        return lag_readiness(self.lag, self.checked_at, time.time(), self.max_lag, self.interval, self.error)


def serve_faust_ops(app: faust.App, stage: Stage, config: Config, broker_url: str) -> None:
    """Run the ops server and the lag monitor of `stage` as a task of the Faust worker, on its loop."""
    port = config.metrics.port(stage.name)
    topics = Topics(config.topic_prefix)
    inputs = stage.input_topics(topics)
    for topic in inputs:
        ASSIGNED_PARTITIONS.labels(topic).set(0)

    @app.on_partitions_assigned.connect
    async def count_assigned(sender: Any, assigned: set[Any], **kwargs: Any) -> None:
        for topic in inputs:
            ASSIGNED_PARTITIONS.labels(topic).set(sum(1 for tp in assigned if tp.topic == topic))

    if not port:
        return
    monitor = LagMonitor(
        bootstrap_servers(broker_url), config.security, stage.group(topics), inputs,
        config.metrics.ready_max_lag, config.metrics.lag_interval,
    )
    server = OpsServer(stage.name, monitor.readiness)

    @app.task
    async def ops() -> None:
        await server.start(config.metrics.host, port)
        try:
            await monitor.run()
        finally:
            await server.stop()
