"""Reading topics in tests with a plain aiokafka consumer (no Faust, no fakes)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer

from services.common import serde


async def read_topic(bootstrap: str, topic: str, timeout: float = 3.0) -> list[tuple[bytes | None, Any]]:
    """Every message currently on `topic`, from the beginning, decoded as JSON."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[tuple[bytes | None, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                out.extend((m.key, serde.loads(m.value)) for m in messages)
            if not batch and out:
                break
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
