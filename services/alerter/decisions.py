"""The alerter's decision: which alerts does this incident produce, and where do they go?

Pure: the ledger's fingerprints are read beforehand (`BatchLedger`); the agent
publishes what `decide` returns and records it; the channel workers deliver
what `deliveries` queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from services.alerter.alerts import build_alert, fingerprint
from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import Subscription
from services.common.topics import Topics


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger keeps of an alert shown: the incident's fingerprint it showed, per subscription."""

    subscription: str
    incident_id: str
    fingerprint: str
    alert_id: str


@dataclass
class Decision:
    """One alert to publish and the ledger row to write once it is acknowledged."""

    subscription: Subscription
    alert: dict[str, Any]
    ledger_row: LedgerRow


@dataclass(frozen=True)
class Delivery:
    """One alert a channel owes (a row of the ledger's outbox); `mode` is 'each' (own message) or 'digest'."""

    channel: str
    alert_id: str
    subscription: str
    mode: str
    alert: dict[str, Any]


class BatchLedger:
    """The ledger as it will be once a batch is recorded, so that a repeat within the batch is judged like a redelivery.

    It starts from what the ledger holds of the batch's incidents, read
    beforehand in one query (`Ledger.fingerprints`), so deciding never waits
    for SQLite.
    """

    def __init__(self, recorded: Mapping[tuple[str, str], str]) -> None:
        self.known = dict(recorded)

    def add(self, decisions: list[Decision]) -> None:
        for d in decisions:
            row = d.ledger_row
            self.known[(row.subscription, row.incident_id)] = row.fingerprint

    def fingerprint(self, subscription: str, incident_id: str) -> str | None:
        return self.known.get((subscription, incident_id))


def decide(incident: dict[str, Any], index: SubscriptionIndex, ledger: BatchLedger) -> list[Decision]:
    """New match -> `new`; changed visible fields -> `update`; unchanged redelivery -> nothing."""
    decisions = []
    fp = fingerprint(incident)
    for subscription, matched_on in index.matches(incident):
        previous = ledger.fingerprint(subscription.name, incident["incident_id"])
        if previous == fp:
            continue
        kind = "new" if previous is None else "update"
        alert = build_alert(subscription.name, incident, matched_on, kind, fp)
        row = LedgerRow(subscription.name, incident["incident_id"], fp, alert["alert_id"])
        decisions.append(Decision(subscription, alert, row))
    return decisions


def topics_for(decision: Decision, topics: Topics) -> list[str]:
    """The alerts topic always; the subscription's own topic when it asked for one."""
    names = [topics.alerts]
    if decision.subscription.own_topic:
        names.append(topics.subscription_alerts(decision.subscription.name))
    return names


def deliveries(decision: Decision) -> list[Delivery]:
    """What the channels owe for this alert: backfilled incidents page nobody unless asked.

    `silent` (default): topics only. `digest`: into the channel's next digest
    message. `notify`: like a live incident.
    """
    subscription, alert = decision.subscription, decision.alert
    if alert["origin"] == "backfill":
        if subscription.backfill == "silent":
            return []
        mode = "digest" if subscription.backfill == "digest" else "each"
    else:
        mode = "each"
    return [Delivery(channel, alert["alert_id"], subscription.name, mode, alert) for channel in subscription.delivery_channels]
