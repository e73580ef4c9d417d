"""The alerter as a Faust agent: incidents in, alerts out, each exactly once.

Alerts are keyed by subscription name. The ledger row and the channel
outbox rows are written in one transaction after the broker acknowledged the
alert; see `services.alerter.ledger` for why that gives at-least-once with
stable alert ids and no repeated alert. Channel delivery runs in its own
tasks (`services.alerter.dispatch`), never inside this loop.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import faust

from services.alerter.channels import make_sender
from services.alerter.core import decide, deliveries, topics_for
from services.alerter.dispatch import ChannelWorker, Dispatcher
from services.alerter.ledger import Ledger
from services.alerter.settings import AlerterSettings
from services.alerter.store import SubscriptionStore
from services.common import serde
from services.common.config import Config, bootstrap_servers
from services.common.faust_app import make_app, raw_topic
from services.common.kafka import ensure_topics
from services.common.metrics import ALERTS, observe_alert_latency
from services.common.ops import serve_faust_ops
from services.common.topics import Topics

log = logging.getLogger("jikenbo.alerter")


def build_alerter_app(config: Config, broker_url: str, store: SubscriptionStore, settings: AlerterSettings) -> faust.App:
    """The Faust app running the alerter agent, the subscription reloader and the channel workers."""
    app = make_app("alerter", config, broker_url)
    topics = Topics(config.topic_prefix)
    incidents = raw_topic(app, topics.incidents)
    serve_faust_ops(app, "alerter", config, broker_url, topics.incidents)
    ledger = Ledger(config.state_dir / "alerter.sqlite3")
    outgoing: dict[str, faust.TopicT] = {}

    async def topic(name: str) -> faust.TopicT:
        """A topic to publish on; per-subscription topics are created on first use."""
        if name not in outgoing:
            if name != topics.alerts:
                await ensure_topics(bootstrap_servers(broker_url), [name], config.partitions, config.security)
            outgoing[name] = raw_topic(app, name)
        return outgoing[name]

    dispatcher = Dispatcher([], config.state_dir / "alerter-delivery.lock")

    @app.agent(incidents, name="match-incidents")
    async def match_incidents(stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                incident = serde.loads(event.value)
                incident_id = incident["incident_id"]
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipping undecodable incident message: %s", exc)
                continue
            try:
                decisions = decide(incident, store.index, ledger)
            except (TypeError, AttributeError, ValueError) as exc:
                # A malformed incident (say `vendors` not a list) must not stop the stream;
                # Faust acks an event whose processing raised, so nothing is gained by raising.
                log.warning("skipping malformed incident: %s: %s", type(exc).__name__, exc, extra={"incident": incident_id})
                continue
            if not decisions:
                continue
            sent = []
            for d in decisions:
                for name in topics_for(d, topics):
                    sent.append(await (await topic(name)).send(key=serde.key(d.subscription.name), value=serde.dumps(d.alert)))
            await asyncio.gather(*sent)
            queued = [row for d in decisions for row in deliveries(d)]
            ledger.record([d.ledger_row for d in decisions], queued)
            dispatcher.wake({row.channel for row in queued})
            for d in decisions:
                ALERTS.labels("kafka", d.alert["kind"]).inc()
                observe_alert_latency(incident)
                log.info(
                    "alert %s for %s: %s", d.alert["kind"], d.subscription.name, incident.get("organization"),
                    extra={"incident": incident_id, "alert": d.alert["alert_id"]},
                )

    @app.task
    async def reload_subscriptions() -> None:
        while True:
            await asyncio.sleep(settings.reload_interval)
            store.refresh()

    @app.task
    async def deliver() -> None:
        ledger.prune(settings.outbox_retention)
        async with aiohttp.ClientSession(headers={"User-Agent": "jikenbo-alerter"}) as session:
            workers = [
                ChannelWorker(channel, make_sender(channel, session), ledger, settings.backfill_digest)
                for channel in settings.channels.values()
            ]
            dispatcher.workers.update({w.name: w for w in workers})
            log.info(
                "alerter ready: %d subscription(s), channels: %s", len(store.index),
                ", ".join(f"{c.name} ({c.type})" for c in settings.channels.values()) or "none besides the alerts topic",
            )
            await dispatcher.run()

    return app
