"""Build alert messages (schemas/alert.schema.json) from incidents and matches."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

import orjson

from schemas import SCHEMA_VERSION

# What a subscriber sees; a change in any of these is worth an `update` alert.
VISIBLE_FIELDS = ("case_id", "organization", "title", "disclosed_on", "sector", "incident_types", "affected", "data_types", "vendors")


def summary(incident: dict[str, Any]) -> dict[str, Any]:
    """The incident's fields carried inside an alert, plus its link."""
    data = {name: incident.get(name) for name in VISIBLE_FIELDS}
    data["affected"] = data["affected"] or {"count": None, "unit": None, "text": None}
    data["incident_types"] = data["incident_types"] or []
    data["data_types"] = data["data_types"] or []
    data["vendors"] = data["vendors"] or []
    data["sector"] = data["sector"] or "other"
    data["incident_id"] = incident["incident_id"]
    data["url"] = (incident.get("source") or {}).get("url")
    return data


def fingerprint(incident: dict[str, Any]) -> str:
    """A hash of what the subscriber sees: same fingerprint, nothing new to say."""
    visible = {name: incident.get(name) for name in VISIBLE_FIELDS}
    return hashlib.sha256(orjson.dumps(visible, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def alert_id(subscription: str, incident_id: str, fp: str) -> str:
    """Deterministic: the same alert re-sent after a crash has the same id."""
    return hashlib.sha256(f"{subscription}\x00{incident_id}\x00{fp}".encode()).hexdigest()[:32]


def build_alert(
    subscription: str, incident: dict[str, Any], matched_on: list[tuple[str, Any]], kind: str, fp: str
) -> dict[str, Any]:
    """The alert message; `matched_on` are the (field, value) pairs from matching."""
    origin = (incident.get("source") or {}).get("origin") or "live"
    return {
        "schema_version": SCHEMA_VERSION,
        "alert_id": alert_id(subscription, incident["incident_id"], fp),
        "subscription": subscription,
        "kind": kind,
        "origin": origin,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "matched_on": [{"field": name, "value": value} for name, value in matched_on],
        "incident": summary(incident),
    }
