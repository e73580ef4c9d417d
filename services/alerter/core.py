"""The alerter's decision: which alerts does this incident produce, given the ledger?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.alerter.alerts import build_alert, fingerprint
from services.alerter.ledger import Ledger
from services.alerter.match import match
from services.alerter.subscriptions import Subscription


@dataclass
class Decision:
    """One alert to publish and the ledger row to write once it is acknowledged."""

    alert: dict[str, Any]
    ledger_row: tuple[str, str, str, str]


def decide(incident: dict[str, Any], subscriptions: list[Subscription], ledger: Ledger) -> list[Decision]:
    """New match -> `new`; changed visible fields -> `update`; unchanged redelivery -> nothing."""
    decisions = []
    fp = fingerprint(incident)
    for subscription in subscriptions:
        matched_on = match(subscription, incident)
        if matched_on is None:
            continue
        previous = ledger.fingerprint(subscription.name, incident["incident_id"])
        if previous == fp:
            continue
        kind = "new" if previous is None else "update"
        alert = build_alert(subscription.name, incident, matched_on, kind, fp)
        decisions.append(Decision(alert, (subscription.name, incident["incident_id"], fp, alert["alert_id"])))
    return decisions
