"""Has the broker lost its messages since we last looked? A mark per broker lifetime says.

The embedded broker keeps everything in memory: when it dies and comes back
on the same address, its topics are empty and its consumer groups gone, but
nothing in the Kafka protocol says so (its cluster id is the same). End
offsets that went back are a hint the confirmer used to rely on alone, and
it misses a broker that was refilled past the old offsets between two
looks. So the fetcher writes a random mark on a topic of its own; as long as
the mark is there, the broker has kept its messages. A broker that has no
mark (fresh, or back empty) gets a new one, and a confirmer that remembered
the old one knows that what it had published may be gone.
"""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common.config import KafkaSecurity
from services.common.kafka import ensure_topics, kafka_options, make_producer
from services.common.topics import Topics

_KEY = b"epoch"
_READ_FOR_MS = 2000


async def read_mark(bootstrap: str, topic: str, security: KafkaSecurity | None = None) -> str | None:
    """The newest mark on `topic`, or None if the broker has none (or no such topic)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **kafka_options(security))
    try:
        await consumer.start()
        if not consumer.partitions_for_topic(topic):
            await consumer._client.force_metadata_update()
        if not consumer.partitions_for_topic(topic):
            return None
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        end = (await consumer.end_offsets([partition]))[partition]
        if end == 0:
            return None
        await consumer.seek_to_beginning(partition)  # a handful of marks per broker lifetime at most
        mark: str | None = None
        while True:
            batch = await consumer.getmany(partition, timeout_ms=_READ_FOR_MS)
            records = batch.get(partition, [])
            if not records:
                return mark
            mark = records[-1].value.decode("ascii", "replace") if records[-1].value else mark
            if await consumer.position(partition) >= end:
                return mark
    finally:
        await consumer.stop()


class BrokerEpoch:
    """The mark of the broker's current lifetime, stamped when it has none."""

    def __init__(self, bootstrap: str, topics: Topics, security: KafkaSecurity | None = None) -> None:
        self.bootstrap = bootstrap
        self.topic = topics.epoch
        self.security = security

    async def current(self) -> str:
        mark = await read_mark(self.bootstrap, self.topic, self.security)
        if mark is not None:
            return mark
        await ensure_topics(self.bootstrap, [self.topic], 1, self.security)
        mark = uuid.uuid4().hex
        # A producer of its own, once per broker lifetime: on the embedded broker, the fetcher's
        # producer fetching this new topic's metadata while its raw posts were in flight left a
        # produce request unanswered for aiokafka's whole request timeout (40 s), and then failed
        # the posts in it (tests/integration/test_broker_epoch.py).
        writer = make_producer(self.bootstrap, "jikenbo-broker-epoch", self.security)
        await writer.start()
        try:
            await writer.send_and_wait(self.topic, mark.encode("ascii"), key=_KEY, partition=0)
        finally:
            await writer.stop()
        return mark
