"""`jikenbo alerts tail`: follow the alerts topic from a terminal."""

from __future__ import annotations

from typing import Any

import click
from aiokafka import AIOKafkaConsumer

from services.common import serde
from services.common.config import Config
from services.common.topics import Topics


def format_alert(alert: dict[str, Any]) -> str:
    """`2026-11-22 12:00 [suppliers] new  静岡市生涯学習センター — 不正アクセス — 2025-03-04 — 1,234件 — <url>`."""
    incident = alert.get("incident", {})
    affected = incident.get("affected") or {}
    count = affected.get("text") or (f"{affected['count']:,}" if affected.get("count") is not None else None)
    matched = ", ".join(f"{m['field']}={m['value']}" for m in alert.get("matched_on", []))
    parts = [
        incident.get("organization") or "(organisation unknown)",
        "/".join(incident.get("incident_types") or []) or "-",
        incident.get("disclosed_on") or "date unknown",
    ]
    if count:
        parts.append(str(count))
    if incident.get("url"):
        parts.append(incident["url"])
    stamp = (alert.get("created_at") or "")[:16].replace("T", " ")
    return f"{stamp} [{alert.get('subscription')}] {alert.get('kind', ''):<6} " + " — ".join(parts) + f"  (matched {matched})"


async def tail_alerts(config: Config, bootstrap: str, subscription: str | None, from_beginning: bool, fmt: str) -> None:
    """Print alerts as they arrive; no consumer group, so it never steals from other readers."""
    consumer = AIOKafkaConsumer(
        Topics(config.topic_prefix).alerts,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    try:
        async for message in consumer:
            try:
                alert = serde.loads(message.value)
            except ValueError:
                continue
            if subscription and alert.get("subscription") != subscription:
                continue
            click.echo(serde.dumps(alert).decode() if fmt == "json" else format_alert(alert))
    finally:
        await consumer.stop()
