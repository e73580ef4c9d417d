"""A subscriber's own program reads the alerts topic with confluent-kafka (librdkafka), not jikenbo's aiokafka.

The alerter runs as its process on the embedded broker and alerts on the
demo corpus's incidents; then a librdkafka consumer reads `<prefix>.alerts`
in a consumer group and with assigned partitions, and what it gets is
checked against what jikenbo reports: the topic as aiokafka reads it and
the alerter's ledger; and `jikenbo topic tail alerts -e --format json`, the
way to read it for clients that cannot talk to the embedded broker, gives
the same messages at the same offsets. librdkafka runs threads of its own,
so each consumer lives in one worker thread and is closed before the test
goes on.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from confluent_kafka import Consumer, Message, TopicPartition

import schemas
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from tests.integration.test_alerter_e2e import Harness
from tests.integration.test_pipeline_e2e import expected_incidents
from tests.integration.test_topic_tail import jikenbo
from tests.kafka_helpers import read_topic
from tests.processes import stop

pytestmark = pytest.mark.integration

CONFIG = """
[[subscriptions]]
name = "research"
sectors = ["研究機関"]

[[subscriptions]]
name = "suppliers"
vendors = ["静岡情報処理センター"]

[[subscriptions]]
name = "en-japan"
organizations = ["エン・ジャパン"]
"""

# A group member's first JoinGroup waits about session.timeout.ms / 2 on the
# embedded broker: librdkafka's default (45 s) would make the first message
# take 23 s; 6 s (the usual broker minimum) makes it 3 s.
SESSION_TIMEOUT_MS = 6000

Received = dict[tuple[int, int], tuple[str, dict[str, Any]]]  # (partition, offset) -> (key, alert)


def _take(message: Message, into: Received) -> None:
    """Decode as any subscriber would: UTF-8 key, JSON value (standard library)."""
    if message.error():
        raise AssertionError(f"consumer error: {message.error()}")
    into[(message.partition(), message.offset())] = (message.key().decode("utf-8"), json.loads(message.value()))


def read_in_group(bootstrap: str, topic: str, group: str, count: int, timeout: float) -> tuple[Received, dict[int, int], dict[int, int]]:
    """Subscribe as a member of `group`, take `count` messages, commit.

    Returns them, the committed offsets and each partition's end as the fetch
    responses gave it (the embedded broker's ListOffsets answers the last
    batch's base offset + 1, so `get_watermark_offsets` without `cached` is
    short of the end).
    """
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "session.timeout.ms": SESSION_TIMEOUT_MS,
    })
    received: Received = {}
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None:
                _take(message, received)
        committed = consumer.commit(asynchronous=False) if received else []
        ends = {tp.partition: consumer.get_watermark_offsets(tp, cached=True)[1] for tp in consumer.assignment()}
        return received, {tp.partition: tp.offset for tp in committed if tp.offset >= 0}, ends
    finally:
        consumer.close()


def read_assigned(bootstrap: str, topic: str, count: int, timeout: float) -> Received:
    """Assign every partition from offset 0 (no group involved) and take `count` messages."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-by-assign", "enable.auto.commit": False})
    received: Received = {}
    try:
        partitions = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None:
                _take(message, received)
        return received
    finally:
        consumer.close()


def ledger_alert_ids(state_dir: Path) -> set[str]:
    """The alert ids the alerter recorded as acknowledged by the broker (its SQLite ledger, read only)."""
    db = sqlite3.connect(f"file:{state_dir / 'alerter.sqlite3'}?mode=ro", uri=True)
    try:
        return {alert_id for (alert_id,) in db.execute("SELECT alert_id FROM alerted")}
    finally:
        db.close()


async def test_confluent_kafka_reads_the_alerts_jikenbo_reports(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    config = tmp_path / "jikenbo.toml"
    config.write_text(CONFIG, encoding="utf-8")
    h = Harness(broker, prefix, tmp_path, config)
    topic = h.topics.alerts
    await ensure_topics(broker.bootstrap, [h.topics.incidents, topic], 2)
    try:
        h.start()
        await h.publish(*expected_incidents(build_atom(corpus_documents())).values())
        await h.alerts_until(lambda seen: {a["subscription"] for a in seen} >= {"research", "suppliers", "en-japan"})
    finally:
        code = stop(h.process) if h.process else None
    assert code == 0, h.log_text()[-3000:]
    reported = [(key.decode(), alert) for key, alert in await read_topic(broker.bootstrap, topic)]
    recorded = ledger_alert_ids(tmp_path / "state")

    group, committed, ends = await asyncio.to_thread(read_in_group, broker.bootstrap, topic, f"{prefix}-subscriber", len(reported), 20)
    assigned = await asyncio.to_thread(read_assigned, broker.bootstrap, topic, len(reported), 10)
    tailed = jikenbo("topic", "tail", "alerts", "-e", "--format", "json", "-b", broker.bootstrap, prefix=prefix, state=tmp_path)

    assert len(group) == len(reported) == len(recorded) >= 3
    assert sorted((k, a["alert_id"]) for k, a in group.values()) == sorted((k, a["alert_id"]) for k, a in reported)
    assert {a["alert_id"] for _, a in group.values()} == recorded
    for key, alert in group.values():
        schemas.validate("alert", alert)
        assert key == alert["subscription"]
    assert committed == {p: end for p, end in ends.items() if end > 0}, "the group's committed offsets are where a restarted subscriber resumes: the end of each partition"
    assert assigned == group, "assigned partitions read from offset 0 give the same messages at the same offsets"
    assert tailed.returncode == 0, tailed.stderr
    lines = [json.loads(line) for line in tailed.stdout.splitlines()]
    assert {(r["partition"], r["offset"]): (r["key"], r["value"]) for r in lines} == group and len(lines) == len(group)


async def test_topic_tail_exit_at_end_prints_a_last_batch_whole(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    """The alerter sends the alerts of one batch of incidents together; the embedded broker's end offset of such a
    partition is the batch's first offset + 1, and `-e` must still print every alert in it."""
    topic = Topics(prefix).alerts
    await ensure_topics(broker.bootstrap, [topic], 1)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        alerts = [{"schema_version": 1, "alert_id": f"a{n}", "subscription": "hospitals"} for n in range(5)]
        sent = [await producer.send(topic, serde.dumps(a), key=b"hospitals") for a in alerts]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    tailed = jikenbo("topic", "tail", "alerts", "-e", "--format", "json", "-b", broker.bootstrap, prefix=prefix, state=tmp_path)
    assert tailed.returncode == 0, tailed.stderr
    assert [json.loads(line)["value"] for line in tailed.stdout.splitlines()] == alerts
