"""`jikenbo alerts tail`: follow the alerts topic from a terminal."""

from __future__ import annotations

import click
from aiokafka import AIOKafkaConsumer

from services.alerter.alert_text import terminal_line
from services.common import serde
from services.common.config import Config
from services.common.kafka import kafka_options
from services.common.topics import Topics


async def tail_alerts(config: Config, bootstrap: str, subscription: str | None, from_beginning: bool, fmt: str) -> None:
    """Print alerts as they arrive; no consumer group, so it never steals from other readers."""
    consumer = AIOKafkaConsumer(
        Topics(config.topic_prefix).alerts,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        **kafka_options(config.security),
    )
    await consumer.start()
    try:
        async for message in consumer:
            try:
                alert = serde.loads(message.value)
            except ValueError:
                continue
            if subscription and alert.get("subscription") != subscription:
                continue
            click.echo(serde.dumps(alert).decode() if fmt == "json" else terminal_line(alert))
    finally:
        await consumer.stop()
