"""End offsets are exact on the embedded broker too (it reports batch bases)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import caught_up, committed_offsets, end_offsets, ensure_topics

pytestmark = pytest.mark.integration


async def test_end_offsets_count_every_record_of_a_batch(broker: EmbeddedBroker, prefix: str) -> None:
    topic = f"{prefix}.offsets"
    await ensure_topics(broker.bootstrap, [topic], 2)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=50)
    await producer.start()
    try:
        sent = await asyncio.gather(*[await producer.send(topic, b"x" * 100, partition=0) for _ in range(100)])
        sent += await asyncio.gather(*[await producer.send(topic, b"y" * 100, partition=0) for _ in range(30)])
    finally:
        await producer.stop()
    assert max(m.offset for m in sent) == 129
    ends = await end_offsets(broker.bootstrap, topic)
    assert ends == {0: 130, 1: 0}
    assert not caught_up(await committed_offsets(broker.bootstrap, f"{prefix}-nobody", topic, ends), ends)
