"""`jikenbo subscriptions check`: what would these subscriptions have matched?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.alerter.alerts import build_alert, fingerprint
from services.alerter.alert_text import terminal_line
from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import Subscription
from services.common import serde
from services.common.config import Config
from services.common.kafka import kafka_options
from services.common.errors import UsageError
from services.common.topics import Topics


def read_incidents_file(path: Path) -> list[dict[str, Any]]:
    """Incidents from a JSON Lines file; non-incident lines (`jikenbo parse --all`) are skipped."""
    incidents = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = serde.loads(line)
        except ValueError as exc:
            raise UsageError(f"{path}:{number}: not JSON ({exc})") from None
        if isinstance(item, dict) and "incident_id" in item:
            incidents.append(item)
    return incidents


async def read_recent_incidents(config: Config, bootstrap: str, recent: int) -> list[dict[str, Any]]:
    """The latest `recent` incidents on the incidents topic (latest version of each)."""
    topic = Topics(config.topic_prefix).incidents
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **kafka_options(config.security))
    await consumer.start()
    try:
        await consumer.topics()  # refreshes metadata, so partitions_for_topic knows the topic
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        messages = []
        for tp in partitions:
            if ends[tp] <= starts[tp]:
                continue
            consumer.seek(tp, max(starts[tp], ends[tp] - recent))
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000)
                if not batch:
                    break
                messages.extend(m for ms in batch.values() for m in ms if m.offset < ends[tp])
        messages.sort(key=lambda m: m.timestamp)
        latest: dict[str, dict[str, Any]] = {}
        for message in messages[-recent:]:
            try:
                incident = serde.loads(message.value)
                latest.pop(incident["incident_id"], None)
                latest[incident["incident_id"]] = incident
            except (ValueError, KeyError, TypeError):
                continue
        return list(latest.values())
    finally:
        await consumer.stop()


def check_report(subscriptions: list[Subscription], incidents: list[dict[str, Any]], origin: str) -> list[str]:
    """Per subscription, how many incidents it matched and one line for each."""
    index = SubscriptionIndex(subscriptions)
    matched: dict[str, list[str]] = {s.name: [] for s in subscriptions}
    for incident in incidents:
        for sub, matched_on in index.matches(incident):
            alert = build_alert(sub.name, incident, matched_on, "new", fingerprint(incident))
            matched[sub.name].append("    " + terminal_line(alert).split(" ", 2)[2])
    lines = [f"matched against {origin}:"]
    for name, hits in matched.items():
        lines.append(f"  {name}: {len(hits)} incident(s)")
        lines.extend(hits)
    return lines
