"""Thin helpers around aiokafka: topic creation and a producer that waits for acks."""

from __future__ import annotations

import logging
from typing import Iterable

from aiokafka import AIOKafkaProducer
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
