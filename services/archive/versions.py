"""What makes a new version of an incident, and what to do with one that arrives.

Kafka delivers at least once, so the archive sees the same incident message
again after a crash or a rebalance, and a replayed partition can bring an older
version after a newer one. A version is identified by a fingerprint of what it
says; how it arrived (when it was fetched, live or backfill) is left out, so a
re-fetch of an unchanged post is not an edit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

import orjson

# How a version reached jikenbo, not what it says: never a reason for a revision.
DELIVERY_FIELDS = ("fetched_at", "origin")

Outcome = Literal["new", "unchanged", "replayed", "revised"]


def fingerprint(incident: dict[str, Any]) -> str:
    """A hash of everything the incident says, delivery metadata left out."""
    content = dict(incident)
    source = content.get("source")
    if isinstance(source, dict):
        content["source"] = {k: v for k, v in source.items() if k not in DELIVERY_FIELDS}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def fetched_at(incident: dict[str, Any]) -> datetime | None:
    """When the incident's post was fetched, if it says and the stamp is readable."""
    stamp = (incident.get("source") or {}).get("fetched_at")
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else None  # naive and aware stamps cannot be ordered


def classify(incoming: dict[str, Any], incoming_fp: str, current: dict[str, Any] | None, current_fp: str | None,
             seen_before: bool) -> Outcome:
    """`new` (first version), `unchanged` (same as the latest), `replayed` (a version already
    archived, redelivered), `revised` (an edit: one revision).

    A version seen before is a replay, unless its post was fetched after the latest
    version's: then the post really was edited back, and that is a revision too."""
    if current is None:
        return "new"
    if incoming_fp == current_fp:
        return "unchanged"
    if seen_before:
        then, now = fetched_at(current), fetched_at(incoming)
        if then is None or now is None or now <= then:
            return "replayed"
    return "revised"
