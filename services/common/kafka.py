"""Thin helpers around aiokafka: topic creation, a producer that waits for acks, offsets.

Every client is built with `kafka_options(security)`, so TLS and SASL apply
to all of them alike.
"""

from __future__ import annotations

import logging
import ssl
import time
from typing import Any, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context

from services.common.config import Config, KafkaSecurity
from services.common.errors import ConfigError
from services.common.errors import BrokerError
from services.common.topics import Topics

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36


def ssl_context(security: KafkaSecurity) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL (system CAs unless a CA file is given)."""
    if not security.ssl:
        return None
    try:
        return create_ssl_context(cafile=security.ssl_cafile, certfile=security.ssl_certfile, keyfile=security.ssl_keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"broker TLS files (ssl_cafile, ssl_certfile, ssl_keyfile): {exc}") from None


def kafka_options(security: KafkaSecurity | None) -> dict[str, Any]:
    """Keyword arguments that give any aiokafka client the configured security."""
    if security is None or security.protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": security.protocol, "ssl_context": ssl_context(security)}
    if security.sasl:
        options.update(
            sasl_mechanism=security.sasl_mechanism,
            sasl_plain_username=security.sasl_username,
            sasl_plain_password=security.sasl_password,
        )
    return options


async def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int, security: KafkaSecurity | None = None) -> None:
    """Create the topics that do not exist yet; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000, **kafka_options(security))
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
    await ensure_topics(bootstrap, topics.all(), config.partitions, config.security)
    return topics


# Bytes per partition batch. aiokafka's default (16 KB) holds a single raw post
# (~11 KB), so each post was a request of its own: bench/e2e.py's backfill spent
# most of the broker's CPU on request overhead. Below Kafka's default 1 MB
# message.max.bytes, so stock topics accept full batches.
PRODUCER_BATCH_BYTES = 512 * 1024


def make_producer(bootstrap: str, client_id: str, security: KafkaSecurity | None = None) -> AIOKafkaProducer:
    """A producer whose sends complete only once the broker has the message."""
    return AIOKafkaProducer(
        **kafka_options(security),
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        linger_ms=5,
        max_request_size=16 * 1024 * 1024,
        max_batch_size=PRODUCER_BATCH_BYTES,
        compression_type=None,
    )


async def end_offsets(bootstrap: str, topic: str, security: KafkaSecurity | None = None) -> dict[int, int]:
    """The next offset to be written, per partition of `topic` (see `exact_end_offsets`)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100,
        max_partition_fetch_bytes=4 * 1024 * 1024, **kafka_options(security),
    )
    try:
        await consumer.start()  # inside: a start that fails still closes what it opened
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        ends = await exact_end_offsets(consumer, [TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def exact_end_offsets(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    """End offsets, checked by reading from just below the broker's answer.

    The embedded broker (Tansu) answers with the base offset of the last record
    batch plus one (100 records produced in one batch: "1"), which would make a
    group that has read one record of that batch look caught up, and a count
    stop early. On Kafka the read finds the offset the broker gave. `consumer`
    must have no group; its assignment is replaced.
    """
    ends = dict(await consumer.end_offsets(partitions))
    last_batches = [tp for tp, offset in ends.items() if offset > 0]
    if not last_batches:
        return ends
    consumer.assign(last_batches)
    for tp in last_batches:
        consumer.seek(tp, ends[tp] - 1)
    pending, deadline = set(last_batches), time.monotonic() + 5.0
    while pending and time.monotonic() < deadline:
        fetched = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in fetched.items():
            if records:
                ends[tp] = max(ends[tp], records[-1].offset + 1)
                pending.discard(tp)
    return ends


async def committed_offsets(
    bootstrap: str, group: str, topic: str, partitions: Iterable[int], security: KafkaSecurity | None = None
) -> dict[int, int]:
    """The offsets a consumer group has committed on `topic` (missing partitions: nothing yet).

    The partitions are named explicitly: the embedded broker cannot answer an
    OffsetFetch for "all topics".
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000, **kafka_options(security))
    try:
        await admin.start()
        offsets = await admin.list_consumer_group_offsets(group, partitions=[TopicPartition(topic, p) for p in partitions])
    finally:
        await admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}


def caught_up(committed: dict[int, int], ends: dict[int, int]) -> bool:
    """True when the group has committed at least up to `ends` on every partition."""
    return all(committed.get(partition, 0) >= end for partition, end in ends.items())


def lag(committed: dict[int, int], ends: dict[int, int]) -> int:
    """Messages a group still has to process on a topic (never negative)."""
    return sum(max(0, end - committed.get(partition, 0)) for partition, end in ends.items())
