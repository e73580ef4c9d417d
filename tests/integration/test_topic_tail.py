"""`jikenbo topic tail` and `alerts tail` as a user runs them: a real process against the embedded broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def jikenbo(*args: str, prefix: str, state: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIKENBO_")}
    env |= {"JIKENBO_TOPIC_PREFIX": prefix, "JIKENBO_STATE_DIR": str(state), "JIKENBO_CONFIG": ""}
    return subprocess.run([sys.executable, "-m", "services.cli", *args], env=env, cwd=state, capture_output=True, text=True, timeout=120)


async def publish(broker: EmbeddedBroker, topic: str, items: list[dict]) -> None:
    await ensure_topics(broker.bootstrap, [topic], 2)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        for item in items:
            key = item.get("incident_id") or item.get("subscription")
            await producer.send_and_wait(topic, serde.dumps(item), key=key.encode())
    finally:
        await producer.stop()


INCIDENTS = [{"incident_id": f"i{n}", "organization": f"組織{n}", "title": f"不正アクセス{n}", "disclosed_on": "2025-03-04"} for n in range(5)]


async def test_count_and_exit_at_end_print_exactly_three_records_and_exit_0(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    topic = Topics(prefix).incidents
    await publish(broker, topic, INCIDENTS)
    done = jikenbo("topic", "tail", "incidents", "-c", "3", "-e", "--format", "json", "--broker", broker.bootstrap, prefix=prefix, state=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [serde.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 3
    for record in records:
        assert record["topic"] == topic and record["partition"] in (0, 1) and record["offset"] >= 0
        assert record["timestamp"] > 1_600_000_000_000 and record["key"] == record["value"]["incident_id"]

    everything = jikenbo("topic", "tail", "incidents", "-e", "-b", f"kafka://{broker.bootstrap}", prefix=prefix, state=tmp_path)
    assert everything.returncode == 0, everything.stderr
    lines = everything.stdout.splitlines()
    assert len(lines) == 5 and sorted(lines)[0] == "2025-03-04 組織0: 不正アクセス0 [i0]"


async def test_alerts_tail_filters_a_subscription_and_a_missing_topic_exits_1(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    alerts = [{"subscription": s, "kind": "new", "alert_id": f"a{n}", "incident": {"organization": f"組織{n}"}} for n, s in enumerate("xyx")]
    await publish(broker, Topics(prefix).alerts, alerts)
    done = jikenbo("alerts", "tail", "--subscription", "x", "-e", "--format", "json", "-b", broker.bootstrap, prefix=prefix, state=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(serde.loads(line)["alert_id"] for line in done.stdout.splitlines()) == ["a0", "a2"]

    missing = jikenbo("topic", "tail", "dlq", "-e", "-b", broker.bootstrap, prefix=prefix, state=tmp_path)
    assert missing.returncode == 1 and f"no topic {prefix}.posts.dlq" in missing.stderr
