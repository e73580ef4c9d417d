"""Reading topics in tests with a plain aiokafka consumer (no Faust, no fakes)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common import serde
from services.common.kafka import exact_end_offsets


async def read_topic(bootstrap: str, topic: str, timeout: float = 3.0) -> list[tuple[bytes | None, Any]]:
    """Every message on `topic` when it is called, from the beginning, decoded as JSON.

    Reads up to the end offsets taken first, not until a fetch comes back
    empty: on a loaded machine one partition's fetch can come back empty while
    the other still has messages, and a read that stopped there lost them.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    out: list[tuple[bytes | None, Any]] = []
    try:
        if not consumer.partitions_for_topic(topic):
            await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return out
        ends = await exact_end_offsets(consumer, partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        pending = {tp for tp in partitions if ends[tp] > 0}
        while pending and time.monotonic() < deadline:
            batch = await consumer.getmany(*pending, timeout_ms=300)
            for tp, messages in batch.items():
                out.extend((m.key, serde.loads(m.value)) for m in messages if m.offset < ends[tp])
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return out


async def wait_for(bootstrap: str, topic: str, done: Callable[[list[Any]], bool], timeout: float) -> list[Any]:
    """Poll `topic` until `done(values)` is true or `timeout` passes; return the values seen."""
    deadline = time.monotonic() + timeout
    values: list[Any] = []
    while time.monotonic() < deadline:
        values = [v for _, v in await read_topic(bootstrap, topic, timeout=1.0)]
        if done(values):
            return values
        await asyncio.sleep(0.5)
    return values
