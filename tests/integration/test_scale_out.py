"""Two parser workers in one consumer group share a backfill of 1,200 posts.

The posts are the seed documents split the way the blog publishes them, each
with its own post id and case number (as bench/parse.py builds them). Both
workers must take part (their /metrics say how many posts each parsed),
every incident the offline parser finds must reach the incidents topic, and
the alerter behind them must alert each matching incident exactly once.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from schemas.raw_post import document_post
from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import parse_subscription
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import ensure_topics
from services.common.text import content_hash
from services.common.topics import Topics
from services.demo.feed import corpus_documents
from services.parser.core import parse_post, split
from services.parser.handling import incidents_from_post
from tests.kafka_helpers import wait_for
from tests.processes import service_env, start, stop

pytestmark = pytest.mark.integration

POSTS = 1200
PARTITIONS = 4
SUBSCRIPTION = {"name": "intrusions", "incident_types": ["unauthorized_access"]}
CONFIG = """
[metrics]
lag_interval = "1s"

[[subscriptions]]
name = "intrusions"
incident_types = ["unauthorized_access"]
"""
_CASE = re.compile(r"#(\d{4})-(\d{3})")


def backfill_posts(count: int) -> list[dict[str, Any]]:
    """Numbered incident posts and non-incident articles, each incident with its own case number."""
    pieces = [segment.text for _, text in corpus_documents() for segment in split(text)]
    pieces = [p for p in pieces if _CASE.search(p) or not parse_post(p)]
    posts = []
    for n in range(count):
        text = _CASE.sub(lambda m: f"#{m.group(1)}-{n:05d}", pieces[n % len(pieces)], count=1)
        post = document_post(f"scale-{n}", text)
        post.update(post_id=f"scale-{n}", content_hash=content_hash(str(n), text), origin="backfill")
        posts.append(post)
    return posts


async def scrape(session: aiohttp.ClientSession, port: int) -> dict[str, float]:
    """Unlabelled samples of a worker's /metrics (labelled ones summed), by sample name."""
    try:
        async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
            text = await response.text()
    except aiohttp.ClientError:
        return {}
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample.name] = samples.get(sample.name, 0.0) + sample.value
    return samples


async def until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.5)
    return bool(await check())


async def test_two_parsers_split_a_backfill_and_nothing_is_lost_or_alerted_twice(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    posts = backfill_posts(POSTS)
    expected = {i["incident_id"]: i for p in posts for i in incidents_from_post(p)}
    assert len(expected) == sum(len(incidents_from_post(p)) for p in posts) > 800, "every incident distinct"
    index = SubscriptionIndex([parse_subscription(SUBSCRIPTION)])
    expected_alerts = {("intrusions", i) for i, incident in expected.items() if index.matches(incident)}
    assert len(expected_alerts) > 300

    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), PARTITIONS)
    config = tmp_path / "jikenbo.toml"
    config.write_text(CONFIG, encoding="utf-8")
    ports = [free_port(), free_port()]
    processes = [
        start(["parser"], service_env(broker.url, tmp_path / f"parser{n}", prefix, JIKENBO_CONFIG=str(config), JIKENBO_METRICS_PORT=str(port)),
              tmp_path / f"parser{n}.log")
        for n, port in enumerate(ports)
    ]
    processes.append(start(["alerter"], service_env(broker.url, tmp_path / "alerter", prefix, JIKENBO_CONFIG=str(config)), tmp_path / "alerter.log"))
    try:
        async with aiohttp.ClientSession() as session:

            async def both_assigned() -> bool:
                assigned = [(await scrape(session, port)).get("jikenbo_assigned_partitions", 0) for port in ports]
                return sum(assigned) == PARTITIONS and all(assigned)

            assert await until(both_assigned, 60), "the two workers never shared the partitions"
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5, max_request_size=16 * 1024 * 1024)
            await producer.start()
            try:
                sent = [await producer.send(topics.raw_posts, serde.dumps(p), key=p["post_id"].encode()) for p in posts]
                await asyncio.gather(*sent)
            finally:
                await producer.stop()

            incidents = await wait_for(broker.bootstrap, topics.incidents, lambda seen: {i["incident_id"] for i in seen} >= set(expected), timeout=60)
            alerts = await wait_for(
                broker.bootstrap, topics.alerts,
                lambda seen: {(a["subscription"], a["incident"]["incident_id"]) for a in seen if a["kind"] == "new"} >= expected_alerts,
                timeout=60,
            )
            parsed = [(await scrape(session, port)).get("jikenbo_posts_parsed_total", 0) for port in ports]

            async def both_ready() -> bool:
                statuses = []
                for port in ports:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                        statuses.append(response.status)
                return statuses == [200, 200]

            ready = await until(both_ready, 15)
    finally:
        codes = [stop(p) for p in processes]
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log")}
    assert {i["incident_id"] for i in incidents} == set(expected), logs
    assert all(count > 0 for count in parsed), f"work not split between the workers: {parsed}"
    assert sum(parsed) >= POSTS
    new = [(a["subscription"], a["incident"]["incident_id"]) for a in alerts if a["kind"] == "new"]
    assert len(new) == len(set(new)), "an alert was sent twice"
    assert set(new) == expected_alerts
    assert ready, "workers caught up but /readyz did not say so"
    assert codes == [0, 0, 0], logs
