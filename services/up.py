"""`jikenbo up`: the whole pipeline on this machine.

Starts the embedded broker unless a broker URL is configured, optionally the
demo feed server, then every stage of services.common.pipeline (fetcher, parser,
alerter, archive) as child processes, and the read-only web view over the
archive (loopback, services.web). The embedded broker is supervised like the
children (services.common.broker_watch).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from services.alerter.subscriptions import subscriptions_from_config
from services.common.broker_watch import keep_broker_running
from services.common.embedded_broker import EmbeddedBroker, clear_runtime_broker, write_runtime_broker
from services.common.config import Config
from services.common.kafka import ensure_pipeline_topics
from services.common.config import bootstrap_servers
from services.common.pipeline import STAGES
from services.common.supervisor import Child, pause, resume, service_argv, supervise
from services.common.errors import JikenboError
from services.demo.feed import SUBSCRIPTIONS_FILE, start_demo_server

if TYPE_CHECKING:
    from services.web.app import WebServer

log = logging.getLogger("jikenbo.up")

SERVICES = tuple(stage.name for stage in reversed(STAGES))  # consumers first, so nothing waits on them


async def run_up(config: Config, config_file: str | None, demo: bool) -> None:
    """Run everything until cancelled (Ctrl-C / SIGTERM)."""
    env = dict(os.environ)
    if config_file:
        env["JIKENBO_CONFIG"] = str(Path(config_file).resolve())
    state_dir = config.state_dir
    demo_runner = None
    if demo:
        # A fresh state per demo run, so every run shows posts flowing again.
        state_dir = config.state_dir / "demo"
        shutil.rmtree(state_dir, ignore_errors=True)
        demo_runner, feed_url = await start_demo_server()
        env["JIKENBO_FEEDS"] = f"demo={feed_url}"
        env["JIKENBO_FEED_INTERVAL"] = "5s"
        env["JIKENBO_ALLOW_PRIVATE_NETWORKS"] = "true"
        if not config.subscriptions and config.subscriptions_file is None:
            env["JIKENBO_SUBSCRIPTIONS_FILE"] = str(SUBSCRIPTIONS_FILE)
        log.info("demo: serving the bundled sample corpus at %s, one more post every few seconds", feed_url)
    # Owner only, as FetcherState makes it: the fetcher's database in it holds WebSub secrets.
    config.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state_dir.mkdir(mode=0o700, exist_ok=True)  # the demo's, inside it
    env["JIKENBO_STATE_DIR"] = str(state_dir)
    subscriptions_from_config(config)  # fail now, not in a child, on a bad subscription
    broker = None
    watch: asyncio.Task[None] | None = None
    web_view: WebServer | None = None
    try:
        if config.embedded:
            broker = await EmbeddedBroker(state_dir).start()
            env["JIKENBO_BROKER_URL"] = broker.url
            bootstrap = broker.bootstrap
            write_runtime_broker(config.state_dir, broker.url)
        else:
            assert config.broker_url is not None
            bootstrap = bootstrap_servers(config.broker_url)
        await ensure_pipeline_topics(config, bootstrap)
        log.info("pipeline up on %s; follow incidents as they are archived with: jikenbo incidents tail%s (alerts: jikenbo alerts tail)",
                 env.get("JIKENBO_BROKER_URL", config.broker_url), " --demo" if demo else "")
        # Each child its own metrics port, even when $JIKENBO_METRICS_PORT is set for this process.
        children = [Child(name, service_argv(name), {**env, "JIKENBO_METRICS_PORT": str(config.metrics.service_port(name))}) for name in SERVICES]
        if broker is not None:
            watch = asyncio.create_task(keep_broker_running(broker, lambda: pause(children), back_again(config, bootstrap, children)), name="broker")
        web_view = await start_web_view(config, state_dir)
        await supervise(children)
    finally:
        if web_view is not None:
            await web_view.close()
        if watch is not None:
            watch.cancel()
            await asyncio.gather(watch, return_exceptions=True)
        if broker is not None:
            broker.stop()
            clear_runtime_broker(config.state_dir, broker.url)
        if demo_runner is not None:
            await demo_runner.cleanup()


def back_again(config: Config, bootstrap: str, children: list[Child]) -> Callable[[], Awaitable[None]]:
    """What follows a restart of the embedded broker: its topics, then the services."""

    async def restore() -> None:
        await ensure_pipeline_topics(config, bootstrap)
        resume(children)

    return restore


async def start_web_view(config: Config, state_dir: Path) -> WebServer | None:
    """The read-only web view on loopback; a busy port costs the view, not the pipeline (like a busy metrics port)."""
    from services.web.app import start_web

    try:
        return await start_web(config, state_dir=state_dir)
    except JikenboError as exc:
        log.warning("%s; running without the web view", exc)
        return None
