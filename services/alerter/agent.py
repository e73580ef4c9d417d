"""The alerter as a Faust agent: incidents in, alerts out, each exactly once.

Alerts are keyed by subscription name. Incidents are taken in batches: the
batch's alerts are sent together, and once the broker acknowledged all of
them their ledger rows and channel outbox rows are written in one
transaction, and only then are the incidents acknowledged (each holds an
extra reference until then, as in the parser agent). Waiting for the broker
once per batch instead of once per incident is what lets a backfill through;
see `services.alerter.ledger` for why this gives at-least-once with stable
alert ids and no repeated alert. The ledger is read once per batch and
written once per batch, both on the ledger's own thread: another worker
holding the SQLite file's lock delays this batch, never the event loop.
Channel delivery runs in its own tasks (`services.alerter.dispatch`), never
inside this loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import faust

from services.alerter.channels import make_sender
from services.alerter.decisions import BatchLedger, Decision, decide, deliveries, topics_for
from services.alerter.dispatch import Dispatcher
from services.alerter.ledger import Fingerprints, Ledger
from services.alerter.match import SubscriptionIndex
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

Decided = tuple[dict[str, Any], list[Decision]]  # an incident and the alerts it produces


def build_alerter_app(config: Config, broker_url: str, in_force: ReloadingSubscriptions, settings: AlerterSettings) -> faust.App:
    """The Faust app running the alerter agent, the subscription reloader and the channel workers.

    Built in this order: the app and its ops endpoints, the ledger, the dispatcher
    (with a wake event per channel before anything can queue), the publisher, then
    the agent and the two tasks that use them.
    """
    app = make_app(ALERTER.name, config, broker_url)
    topics = Topics(config.topic_prefix)
    incidents = raw_topic(app, topics.incidents)
    serve_faust_ops(app, ALERTER, config, broker_url)
    ledger = Ledger(ALERTER.state_path(config.state_dir))
    dispatcher = Dispatcher([c.name for c in settings.channels.values()], config.state_dir / "alerter-delivery.lock")
    publisher = AlertPublisher(app, topics, config, broker_url)
    add_matching_agent(app, incidents, in_force, ledger, publisher, dispatcher)
    add_subscription_reloader(app, in_force, settings.reload_interval)
    add_channel_delivery(app, dispatcher, ledger, settings, in_force)
    return app


def decode_batch(events: list[faust.EventT]) -> list[dict[str, Any]]:
    """The incidents of a batch; a message that is not one is logged and skipped."""
    incidents = []
    for event in events:
        try:
            incident = serde.loads(event.value)
            if not isinstance(incident["incident_id"], str):
                raise TypeError("incident_id is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("skipping undecodable incident message: %s", exc)
            continue
        incidents.append(incident)
    return incidents


def decide_batch(incidents: list[dict[str, Any]], index: SubscriptionIndex, recorded: Fingerprints) -> list[Decided]:
    """Decisions for a batch, given what the ledger `recorded` of its incidents.

    An incident seen twice in the batch is judged against the first one's alert.
    """
    view = BatchLedger(recorded)
    decided = []
    for incident in incidents:
        try:
            decisions = decide(incident, index, view)
        except (TypeError, AttributeError, ValueError) as exc:
            # A malformed incident (say `vendors` not a list) must not stop the stream.
            log.warning("skipping malformed incident: %s: %s", type(exc).__name__, exc, extra={"incident": incident["incident_id"]})
            continue
        view.add(decisions)
        if decisions:
            decided.append((incident, decisions))
    return decided


class AlertPublisher:
    """Sends alerts to the alerts topic and to the subscriptions' own topics, created on first use."""

    def __init__(self, app: faust.App, topics: Topics, config: Config, broker_url: str) -> None:
        self.app = app
        self.topics = topics
        self.config = config
        self.broker_url = broker_url
        self.outgoing: dict[str, faust.TopicT] = {}

    async def topic(self, name: str) -> faust.TopicT:
        if name not in self.outgoing:
            if name != self.topics.alerts:
                await ensure_topics(bootstrap_servers(self.broker_url), [name], self.config.partitions, self.config.security)
            self.outgoing[name] = raw_topic(self.app, name)
        return self.outgoing[name]

    async def send_acknowledged(self, decided: list[Decided]) -> list[Any]:
        """Send every alert of the batch; the broker's answer to each: its metadata, or the exception it refused with.

        Every outcome is retrieved, so a broker refusing a batch is one line, not an
        "exception was never retrieved" traceback per message.
        """
        sent = []
        for _, decisions in decided:
            for d in decisions:
                for name in topics_for(d, self.topics):
                    topic = await self.topic(name)
                    sent.append(await topic.send(key=serde.key(d.subscription.name), value=serde.dumps(d.alert)))
        return await asyncio.gather(*sent, return_exceptions=True)


async def record(decided: list[Decided], ledger: Ledger, dispatcher: Dispatcher) -> None:
    """After the ack: the ledger rows and the channels' deliveries in one transaction, then wake those channels."""
    queued = [row for _, decisions in decided for d in decisions for row in deliveries(d)]
    await ledger.record([d.ledger_row for _, decisions in decided for d in decisions], queued)
    dispatcher.wake({row.channel for row in queued})


def log_alerts(decided: list[Decided]) -> None:
    for incident, decisions in decided:
        for d in decisions:
            ALERTS.labels("kafka", d.alert["kind"]).inc()
            observe_alert_latency(incident)
            log.info(
                "alert %s for %s: %s", d.alert["kind"], d.subscription.name, incident.get("organization"),
                extra={"incident": incident["incident_id"], "alert": d.alert["alert_id"]},
            )


def add_matching_agent(
    app: faust.App, incidents: faust.TopicT, in_force: ReloadingSubscriptions, ledger: Ledger,
    publisher: AlertPublisher, dispatcher: Dispatcher,
) -> None:
    """The agent: decide, send and wait for the ack, record, and only then acknowledge the incidents."""

    @app.agent(incidents, name="match-incidents")
    async def match_incidents(stream: faust.StreamT) -> None:
        async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
            events = hold(list(batch))  # released once the batch's alerts are acknowledged and recorded
            incidents = decode_batch(events)
            try:
                decided = decide_batch(incidents, in_force.index, await ledger.fingerprints(i["incident_id"] for i in incidents))
                outcomes = await publisher.send_acknowledged(decided)
                refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
                if refused:
                    restart_for_redelivery(log, f"the broker did not acknowledge {len(refused)} of {len(outcomes)} alerts",
                                          refused[0])
                    return
                await record(decided, ledger, dispatcher)
            except Exception as exc:  # noqa: BLE001 — the broker or the ledger failed
                restart_for_redelivery(log, f"carrying a batch of {len(incidents)} incidents through failed", exc)
                return
            await release(stream, events)
            log_alerts(decided)


def add_subscription_reloader(app: faust.App, in_force: ReloadingSubscriptions, interval: float) -> None:
    @app.task
    async def reload_subscriptions() -> None:
        while True:
            await asyncio.sleep(interval)
            in_force.refresh()


def add_channel_delivery(
    app: faust.App, dispatcher: Dispatcher, ledger: Ledger, settings: AlerterSettings, in_force: ReloadingSubscriptions,
) -> None:
    """The channel workers, made once the loop runs (they share one HTTP session)."""

    @app.task
    async def deliver() -> None:
        await ledger.prune(settings.outbox_retention)
        async with aiohttp.ClientSession(headers={"User-Agent": "jikenbo-alerter"}) as session:
            workers = [
                dispatcher.worker(channel, make_sender(channel, session), ledger, settings.backfill_digest)
                for channel in settings.channels.values()
            ]
            log.info(
                "alerter ready: %d subscription(s), channels: %s", len(in_force.index),
                ", ".join(f"{c.name} ({c.type})" for c in settings.channels.values()) or "none besides the alerts topic",
            )
            await dispatcher.run(workers)
