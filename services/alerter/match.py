"""Does an incident match a subscription, and on what?

OR within a field, AND across fields; an `exclude` hit vetoes. The answer is
the list of (field, value) pairs that matched, which goes into the alert's
`matched_on` so the subscriber sees why.
"""

from __future__ import annotations

from typing import Any

from services.alerter.subscriptions import Criteria, Subscription, fold
from services.common.names import normalize_name


def _hits(criteria: Criteria, incident: dict[str, Any]) -> dict[str, list[Any]]:
    """For each field the criteria constrain, the values that matched (possibly none)."""
    hits: dict[str, list[Any]] = {}
    if criteria.sectors:
        hits["sector"] = [incident.get("sector")] if incident.get("sector") in criteria.sectors else []
    if criteria.incident_types:
        hits["incident_types"] = sorted(set(incident.get("incident_types") or []) & criteria.incident_types)
    if criteria.vendors:
        names = [normalize_name(v) for v in incident.get("vendors") or []]
        hits["vendors"] = [written for written, key in criteria.vendors if any(key and key in name for name in names)]
    if criteria.organizations:
        org = normalize_name(incident.get("organization") or "")
        hits["organizations"] = [written for written, key in criteria.organizations if key and key in org]
    if criteria.keywords:
        text = fold(f"{incident.get('title') or ''}\n{incident.get('body') or ''}")
        hits["keywords"] = [written for written, key in criteria.keywords if key in text]
    return hits


def match(subscription: Subscription, incident: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The `matched_on` list if the incident matches, else None."""
    hits = _hits(subscription.criteria, incident)
    if any(not values for values in hits.values()):
        return None
    matched = [{"field": name, "value": value} for name, values in hits.items() for value in values]
    if subscription.min_affected is not None:
        count = (incident.get("affected") or {}).get("count")
        if count is None or count < subscription.min_affected:
            return None
        matched.append({"field": "min_affected", "value": count})
    if any(_hits(subscription.exclude, incident).get(name) for name in ("sector", "incident_types", "vendors", "organizations", "keywords")):
        return None
    return matched
