"""`jikenbo subscriptions check` reading the recent incidents from the incidents topic."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.alerter.check import check_report, read_recent_incidents
from services.alerter.subscriptions import parse_subscription
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.config import Config
from services.common.kafka import ensure_topics
from services.common.topics import Topics

pytestmark = pytest.mark.integration


async def test_check_reads_the_latest_version_of_recent_incidents(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, [topics.incidents], 2)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        for item in (
            {"incident_id": "a", "organization": "市立病院", "sector": "other"},
            {"incident_id": "b", "organization": "商店", "sector": "retail_ecommerce"},
            {"incident_id": "a", "organization": "市立病院", "sector": "healthcare"},  # re-parsed: now healthcare
        ):
            await producer.send_and_wait(topics.incidents, serde.dumps(item), key=item["incident_id"].encode())
    finally:
        await producer.stop()
    incidents = await read_recent_incidents(Config(topic_prefix=prefix, state_dir=tmp_path), broker.bootstrap, recent=100)
    assert sorted((i["incident_id"], i["sector"]) for i in incidents) == [("a", "healthcare"), ("b", "retail_ecommerce")]
    report = check_report([parse_subscription({"name": "hospitals", "sectors": ["医療"]})], incidents, "the topic")
    assert report[1] == "  hospitals: 1 incident(s)"
