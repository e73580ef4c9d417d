"""A clean stop (SIGTERM) of the alerter while a webhook POST is in flight sends nothing twice.

Found while measuring the kill -9 duplicates: a stop cancelled the POST in
flight, the endpoint had it already, the outbox did not know, and the restart
sent it again, every time (3 of 3 stops at 200 ms endpoint latency; one stop here). Unlike a
kill -9, a stop can wait for the answer; `ChannelWorker._deliver` now does.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from tests.faults.harness import SECRET, Service, WebhookReceiver, config_text, summary, until
from tests.processes import service_env

pytestmark = [pytest.mark.integration, pytest.mark.faults]

INCIDENTS = 12
STOPS = 1
LATENCY = 0.4  # a slow endpoint: the alerter is nearly always waiting for an answer


def incident(n: int) -> dict:
    return {
        "schema_version": 1, "kind": "incident", "incident_id": f"stop-{n}", "case_id": None, "organization": f"組織{n}",
        "title": "不正アクセスについて", "disclosed_on": "2025-03-04", "sector": "education", "incident_types": ["unauthorized_access"],
        "affected": {"count": None, "unit": None, "text": None}, "data_types": [], "vendors": [], "iocs": [],
        "source": {"feed": "f", "url": None, "post_id": f"p{n}", "published": None, "origin": "live"}, "body": "",
    }


@pytest.mark.timeout(180)
async def test_stopping_the_alerter_mid_post_does_not_send_it_again(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    receiver = WebhookReceiver(latency=LATENCY).start()
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 1)
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(None, receiver.url, partitions=1), encoding="utf-8")
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    alerter = Service("alerter", ["alerter"], env, tmp_path / "alerter.log")
    started = time.monotonic()
    codes = []
    try:
        alerter.start()
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            for n in range(INCIDENTS):
                await producer.send_and_wait(topics.incidents, serde.dumps(incident(n)), key=f"stop-{n}".encode())
        finally:
            await producer.stop()
        for _ in range(STOPS):
            seen = len(receiver.snapshot())
            assert await until(lambda: len(receiver.snapshot()) >= seen + 3, 60, 0.01), alerter.tail()
            await asyncio.sleep(LATENCY / 2)  # mid-POST
            codes.append(alerter.stop())
            alerter.start()
        complete = await until(lambda: len({c.delivery for c in receiver.snapshot()}) >= INCIDENTS, 90)
        await asyncio.sleep(1)
    finally:
        codes.append(alerter.stop())
        receiver.stop()
    tally = receiver.tally()
    summary(
        f"alerter stopped (SIGTERM) x{STOPS} mid-POST", INCIDENTS, tally.distinct_deliveries, INCIDENTS - tally.distinct_deliveries,
        tally.same_id_repeats, f"{tally.posts} POSTs at {LATENCY * 1000:.0f} ms endpoint latency; {time.monotonic() - started:.0f}s",
    )
    assert complete, alerter.tail()
    assert codes == [0] * (STOPS + 1), alerter.tail()
    assert tally.same_id_repeats == 0, f"sent again after a clean stop: {tally.repeated_ids}"
