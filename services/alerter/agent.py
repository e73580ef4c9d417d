"""The alerter as a Faust agent: incidents in, alerts out, each exactly once.

Alerts are keyed by subscription name. Incidents are taken in batches: the
batch's alerts are sent together, and once the broker acknowledged all of
them their ledger rows and channel outbox rows are written in one
transaction, and only then are the incidents acknowledged (each holds an
extra reference until then, as in the parser agent). Waiting for the broker
once per batch instead of once per incident is what lets a backfill through;
see `services.alerter.ledger` for why this gives at-least-once with stable
alert ids and no repeated alert. Channel delivery runs in its own
tasks (`services.alerter.dispatch`), never inside this loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import faust

from services.alerter.channels import make_sender
from services.alerter.decisions import BatchLedger, Decision, decide, deliveries, topics_for
from services.alerter.dispatch import ChannelWorker, Dispatcher
from services.alerter.ledger import Ledger
from services.alerter.reloading import ReloadingSubscriptions
from services.alerter.settings import AlerterSettings
from services.common import serde
from services.common.config import Config, bootstrap_servers
from services.common.faust_app import hold, make_app, raw_topic, release, restart_for_redelivery, serve_faust_ops
from services.common.kafka import ensure_topics
from services.common.metrics import ALERTS, observe_alert_latency
from services.common.pipeline import ALERTER
from services.common.topics import Topics

log = logging.getLogger("jikenbo.alerter")

BATCH = 500
BATCH_WAIT = 0.01  # seconds: latency added at most when incidents trickle in


def build_alerter_app(config: Config, broker_url: str, in_force: ReloadingSubscriptions, settings: AlerterSettings) -> faust.App:
    """The Faust app running the alerter agent, the subscription reloader and the channel workers."""
    app = make_app(ALERTER.name, config, broker_url)
    topics = Topics(config.topic_prefix)
    incidents = raw_topic(app, topics.incidents)
    serve_faust_ops(app, ALERTER, config, broker_url)
    ledger = Ledger(ALERTER.state_path(config.state_dir))
    outgoing: dict[str, faust.TopicT] = {}

    async def topic(name: str) -> faust.TopicT:
        """A topic to publish on; per-subscription topics are created on first use."""
        if name not in outgoing:
            if name != topics.alerts:
                await ensure_topics(bootstrap_servers(broker_url), [name], config.partitions, config.security)
            outgoing[name] = raw_topic(app, name)
        return outgoing[name]

    dispatcher = Dispatcher([], config.state_dir / "alerter-delivery.lock")

    def decide_batch(events: list[faust.EventT]) -> list[tuple[dict[str, Any], list[Decision]]]:
        """Decisions for a batch; an incident seen twice in it is judged against the first one's alert."""
        view = BatchLedger(ledger)
        decided = []
        for event in events:
            try:
                incident = serde.loads(event.value)
                incident_id = incident["incident_id"]
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipping undecodable incident message: %s", exc)
                continue
            try:
                decisions = decide(incident, in_force.index, view)
            except (TypeError, AttributeError, ValueError) as exc:
                # A malformed incident (say `vendors` not a list) must not stop the stream.
                log.warning("skipping malformed incident: %s: %s", type(exc).__name__, exc, extra={"incident": incident_id})
                continue
            view.add(decisions)
            if decisions:
                decided.append((incident, decisions))
        return decided

    async def publish(decided: list[tuple[dict[str, Any], list[Decision]]]) -> None:
        """Send the batch's alerts, wait for the broker's ack, then record them all in one transaction."""
        sent = []
        for _, decisions in decided:
            for d in decisions:
                for name in topics_for(d, topics):
                    sent.append(await (await topic(name)).send(key=serde.key(d.subscription.name), value=serde.dumps(d.alert)))
        await asyncio.gather(*sent)
        queued = [row for _, decisions in decided for d in decisions for row in deliveries(d)]
        ledger.record([d.ledger_row for _, decisions in decided for d in decisions], queued)
        dispatcher.wake({row.channel for row in queued})

    @app.agent(incidents, name="match-incidents")
    async def match_incidents(stream: faust.StreamT) -> None:
        async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
            events = hold(list(batch))  # released once the batch's alerts are acknowledged and recorded
            decided = decide_batch(events)
            try:
                await publish(decided)
            except Exception as exc:  # noqa: BLE001 — the broker refused or timed out
                restart_for_redelivery(log, "alerts", exc)
                return
            await release(stream, events)
            for incident, decisions in decided:
                for d in decisions:
                    ALERTS.labels("kafka", d.alert["kind"]).inc()
                    observe_alert_latency(incident)
                    log.info(
                        "alert %s for %s: %s", d.alert["kind"], d.subscription.name, incident.get("organization"),
                        extra={"incident": incident["incident_id"], "alert": d.alert["alert_id"]},
                    )

    @app.task
    async def reload_subscriptions() -> None:
        while True:
            await asyncio.sleep(settings.reload_interval)
            in_force.refresh()

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
                "alerter ready: %d subscription(s), channels: %s", len(in_force.index),
                ", ".join(f"{c.name} ({c.type})" for c in settings.channels.values()) or "none besides the alerts topic",
            )
            await dispatcher.run()

    return app
