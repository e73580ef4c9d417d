"""Thin helpers around aiokafka: topic creation and a producer that waits for acks."""

from __future__ import annotations

import logging
from typing import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from services.common.config import Config, bootstrap_servers
from services.common.errors import BrokerError
from services.common.topics import Topics

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        await admin.start()
        response = await admin.create_topics([NewTopic(name, partitions, 1) for name in names])
    except KafkaError as exc:
        raise BrokerError(f"cannot create topics on {bootstrap}: {exc}") from None
    finally:
        await admin.close()
    for topic, code, message in response.topic_errors:
        if code not in (0, _TOPIC_ALREADY_EXISTS):
            raise BrokerError(f"cannot create topic {topic}: {message} (error {code})")


async def ensure_pipeline_topics(config: Config, bootstrap: str) -> Topics:
    """Create the four pipeline topics for the configured prefix."""
    topics = Topics(config.topic_prefix)
    await ensure_topics(bootstrap, topics.all(), config.partitions)
    return topics


def make_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    """A producer whose sends complete only once the broker has the message."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        linger_ms=5,
        max_request_size=16 * 1024 * 1024,
        compression_type=None,
    )


def config_bootstrap(config: Config) -> str:
    """Bootstrap servers of a configured (non-embedded) broker."""
    if not config.broker_url:
        raise BrokerError("no broker configured: set JIKENBO_BROKER_URL or [broker] url, or run `jikenbo up` for the embedded one")
    return bootstrap_servers(config.broker_url)


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The next offset to be written, per partition of `topic`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def committed_offsets(bootstrap: str, group: str, topic: str, partitions: Iterable[int]) -> dict[int, int]:
    """The offsets a consumer group has committed on `topic` (missing partitions: nothing yet).

    The partitions are named explicitly: the embedded broker cannot answer an
    OffsetFetch for "all topics".
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group, partitions=[TopicPartition(topic, p) for p in partitions])
    finally:
        await admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}


def caught_up(committed: dict[int, int], ends: dict[int, int]) -> bool:
    """True when the group has committed at least up to `ends` on every partition."""
    return all(committed.get(partition, 0) >= end for partition, end in ends.items())
