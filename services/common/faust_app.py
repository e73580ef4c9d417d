"""Faust app factory shared by the parser and the alerter, and what every agent needs around it.

Messages are raw bytes on the wire and (de)serialised with orjson by our own
code (services.common.serde), so other programs can read every topic with a
plain Kafka client. Faust's own web server is off: health and metrics are
served by jikenbo itself (`serve_faust_ops`).
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

from services.common.config import Config, KafkaSecurity, bootstrap_servers
from services.common.consumer_lag import LagMonitor
from services.common.kafka import PRODUCER_BATCH_BYTES, ssl_context
from services.common.metrics import ASSIGNED_PARTITIONS
from services.common.ops_server import OpsServer
from services.common.pipeline import Stage
from services.common.topics import Topics


def broker_credentials(security: KafkaSecurity) -> faust.auth.Credentials | None:
    """The same TLS/SASL settings as our aiokafka clients, in Faust's terms."""
    context = ssl_context(security)
    if security.sasl:
        return faust.SASLCredentials(
            username=security.sasl_username, password=security.sasl_password,
            ssl_context=context, mechanism=security.sasl_mechanism,
        )
    return faust.SSLCredentials(context) if context is not None else None


# How long a fetch may wait at the broker when there is nothing to read. Faust
# hard-codes 1500 ms. Kafka answers a waiting fetch as soon as data arrives, so
# there the value only sets how often an idle consumer asks again; the embedded
# broker (Tansu) answers only when the wait is over, so each consumer hop added
# up to ~0.75 s to an alert's latency (bench/e2e.py). 100 ms costs an idle
# worker under 1% of a core.
FETCH_MAX_WAIT_MS = 100


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: faust_aiokafka.Transport) -> faust_aiokafka.aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when start() builds its fetcher
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with a short fetch wait (FETCH_MAX_WAIT_MS)."""

    Consumer = _Consumer


def make_app(service: str, config: Config, broker_url: str) -> faust.App:
    """A Faust app whose consumer group is `<prefix>-<service>`."""
    datadir = config.state_dir / "faust" / service
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        Topics(config.topic_prefix).group(service),
        broker=broker_url,
        broker_credentials=broker_credentials(config.security),
        store="memory://",
        datadir=str(datadir),
        web_enabled=False,
        topic_partitions=config.partitions,
        topic_allow_declare=False,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        producer_acks=-1,
        producer_max_request_size=16 * 1024 * 1024,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        consumer_max_fetch_size=16 * 1024 * 1024,
        stream_wait_empty=False,
        # A joining member waits about session_timeout/2 on the embedded
        # broker before the group forms (measured: 60 s -> 32 s to first
        # message, 10 s -> 7 s); 10 s is also the classic Kafka default.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_rebalance_timeout=30.0,
        loghandlers=[],
    )
    app.transport = _Transport(app.conf.broker_consumer, app)
    return app


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic of bytes keys and values (we do the JSON ourselves)."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def hold(events: list[faust.EventT]) -> list[faust.EventT]:
    """Keep `take_events` from giving these events their final ack.

    `take_events` acks a batch when the next one is requested. An agent that
    produces output must not let the offset be committed before the broker
    acknowledged that output, so each event holds an extra reference until
    `release` (at-least-once: a crash before it redelivers the batch).
    """
    for event in events:
        event.message.incref()
    return events


async def release(stream: faust.StreamT, events: list[faust.EventT]) -> None:
    """The final ack of held events, once their output is acknowledged."""
    for event in events:
        await stream.ack(event)


def restart_for_redelivery(log: logging.Logger, failure: str, exc: BaseException) -> None:
    """A batch could not be carried through (the broker refused its output, or its state
    could not be recorded): stop the worker without committing it.

    Held events are never acked, so after the restart (by `jikenbo up` or the
    container runtime) the batch is delivered again; consumers downstream are
    idempotent, so whatever did reach the broker is not repeated to anyone.
    `failure` says what went wrong, as a clause ("the broker did not acknowledge 2 of 5 alerts").
    """
    log.error("%s (%s); restarting so the batch is delivered again", failure, exc)
    os.kill(os.getpid(), signal.SIGTERM)


def serve_faust_ops(app: faust.App, stage: Stage, config: Config, broker_url: str) -> None:
    """Run the ops server and the lag monitor of `stage` as a task of the Faust worker, on its loop."""
    port = config.metrics.port(stage.name)
    topics = Topics(config.topic_prefix)
    inputs = stage.input_topics(topics)
    for topic in inputs:
        ASSIGNED_PARTITIONS.labels(topic).set(0)

    @app.on_partitions_assigned.connect
    async def count_assigned(sender: Any, assigned: set[Any], **kwargs: Any) -> None:
        for topic in inputs:
            ASSIGNED_PARTITIONS.labels(topic).set(sum(1 for tp in assigned if tp.topic == topic))

    if not port:
        return
    monitor = LagMonitor(
        bootstrap_servers(broker_url), config.security, stage.group(topics), inputs,
        config.metrics.ready_max_lag, config.metrics.lag_interval,
    )
    server = OpsServer(stage.name, monitor.readiness)

    @app.task
    async def ops() -> None:
        await server.start(config.metrics.host, port)
        try:
            await monitor.run()
        finally:
            await server.stop()
