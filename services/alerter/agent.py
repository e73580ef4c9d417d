"""The alerter as a Faust agent: incidents in, alerts out, each exactly once.

Alerts are keyed by subscription name. The ledger row is written after the
broker acknowledged the alert; see `services.alerter.ledger` for why that
gives at-least-once with stable alert ids and no repeated alert.
"""

from __future__ import annotations

import asyncio
import logging

import faust

from services.alerter.core import decide
from services.alerter.ledger import Ledger
from services.alerter.subscriptions import Subscription
from services.common import serde
from services.common.config import Config
from services.common.faust_app import make_app, raw_topic
from services.common.topics import Topics

log = logging.getLogger("jikenbo.alerter")


def build_alerter_app(config: Config, broker_url: str, subscriptions: list[Subscription]) -> faust.App:
    """The Faust app running the alerter agent."""
    app = make_app("alerter", config, broker_url)
    topics = Topics(config.topic_prefix)
    incidents = raw_topic(app, topics.incidents)
    alerts = raw_topic(app, topics.alerts)
    ledger = Ledger(config.state_dir / "alerter.sqlite3")

    @app.agent(incidents, name="match-incidents")
    async def match_incidents(stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                incident = serde.loads(event.value)
                incident_id = incident["incident_id"]
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipping undecodable incident message: %s", exc)
                continue
            decisions = decide(incident, subscriptions, ledger)
            if not decisions:
                continue
            sent = [
                await alerts.send(key=serde.key(d.alert["subscription"]), value=serde.dumps(d.alert)) for d in decisions
            ]
            await asyncio.gather(*sent)
            ledger.record([d.ledger_row for d in decisions])
            for d in decisions:
                log.info(
                    "alert %s for %s: %s", d.alert["kind"], d.alert["subscription"], incident.get("organization"),
                    extra={"incident": incident_id, "alert": d.alert["alert_id"]},
                )

    return app
