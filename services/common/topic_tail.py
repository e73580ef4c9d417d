"""Reading a pipeline topic from a terminal or a script, the way kcat does (`-C -c N -e`).

No consumer group: every partition is assigned directly, so a reader never
takes messages from the services. `count` stops after that many messages,
`exit_at_end` once every partition is read up to where it ended when reading
started; either way the caller gets a clean return, not an interruption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from services.common import serde
from services.common.errors import BrokerError
from services.common.topics import Topics

if TYPE_CHECKING:
    from services.common.config import Config

# `jikenbo topic tail NAME`: the names a user types, and the `Topics` attribute each means.
TAILABLE = {"alerts": "alerts", "incidents": "incidents", "dlq": "dead_letters", "posts": "raw_posts"}


@dataclass(frozen=True)
class Record:
    """One message as read, its value decoded from JSON (else kept as text)."""

    topic: str
    partition: int
    offset: int
    timestamp: int  # milliseconds since the epoch, as Kafka keeps it
    key: str | None
    value: Any

    def as_json(self) -> str:
        """One JSON line: the fields kcat's `-J` gives, with the value as JSON rather than an escaped string."""
        return serde.dumps({
            "topic": self.topic, "partition": self.partition, "offset": self.offset, "timestamp": self.timestamp,
            "time": dt.datetime.fromtimestamp(self.timestamp / 1000, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "key": self.key, "value": self.value,
        }).decode()


def record(message: Any) -> Record:
    raw = message.value or b""
    try:
        value = serde.loads(raw)
    except ValueError:
        value = raw.decode("utf-8", "replace")
    key = message.key.decode("utf-8", "replace") if message.key is not None else None
    return Record(message.topic, message.partition, message.offset, message.timestamp, key, value)


async def tail(config: Config, bootstrap: str, name: str, from_beginning: bool = False, count: int | None = None,
               exit_at_end: bool = False, wanted: Callable[[Record], bool] = lambda _: True) -> AsyncIterator[Record]:
    """Records of topic `name` (a key of `TAILABLE`) as they arrive, until `count` or, with `exit_at_end`, the end."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from services.common.kafka import exact_end_offsets, kafka_options

    topic = getattr(Topics(config.topic_prefix), TAILABLE[name])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **kafka_options(config.security))
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) if topic in await consumer.topics() else None
        if not partitions:
            raise BrokerError(f"no topic {topic} on the broker (nothing was published to it yet?)")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        # Before assigning: exact_end_offsets replaces the assignment (the embedded broker's ends fall short of a last batch).
        ends = await exact_end_offsets(consumer, assigned) if exit_at_end else {}
        consumer.assign(assigned)
        await (consumer.seek_to_beginning(*assigned) if from_beginning else consumer.seek_to_end(*assigned))
        shown = 0
        while count is None or shown < count:
            if exit_at_end and all([await consumer.position(tp) >= ends[tp] for tp in assigned]):
                return
            batch = await consumer.getmany(*assigned, timeout_ms=500, max_records=count - shown if count else None)
            for messages in batch.values():
                for message in messages:
                    if exit_at_end and message.offset >= ends[TopicPartition(message.topic, message.partition)]:
                        continue
                    item = record(message)
                    if wanted(item):
                        yield item
                        shown += 1
                        if count is not None and shown >= count:
                            return
    finally:
        await consumer.stop()
