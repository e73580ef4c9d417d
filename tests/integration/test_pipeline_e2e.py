"""Posts become incidents and incidents become alerts, on the real embedded broker.

A local aiohttp server serves an Atom feed whose entries are the seed
documents; fetcher, parser and alerter run as the processes they are in
production (`python -m services.cli …`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import schemas
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.feeds import parse_feed
from services.parser.handling import incidents_from_post
from tests.feed_server import FeedServer
from tests.kafka_helpers import read_topic, wait_for
from tests.processes import service_env, start, stop

pytestmark = pytest.mark.integration

CONFIG = """
[fetcher]
allow_private_networks = true

[[feeds]]
name = "seeds"
url = "{url}"
interval = "2s"

[[subscriptions]]
name = "research"
sectors = ["研究機関"]

[[subscriptions]]
name = "suppliers"
vendors = ["静岡情報処理センター"]

[[subscriptions]]
name = "en-japan"
organizations = ["エン・ジャパン"]
"""

EXPECTED = {
    ("2023-106", "エン・ジャパン株式会社"),
    ("2025-094", "国立研究開発法人量子科学技術研究開発機構"),
    ("2025-093", "静岡市生涯学習センター"),
    ("2025-092", "NTTコミュニケーションズ株式会社"),
}


def expected_incidents(feed: bytes) -> dict[str, dict]:
    """What the parser must produce: the same code, run offline on the same posts."""
    incidents = {}
    for post in parse_feed(feed, {}, "seeds").posts:
        for incident in incidents_from_post(post):
            incidents[incident["incident_id"]] = incident
    return incidents


async def test_posts_become_incidents_and_alerts(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    feed = build_atom(corpus_documents())
    expected = expected_incidents(feed)
    assert EXPECTED <= {(i["case_id"], i["organization"]) for i in expected.values()}
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    server = await FeedServer(body=feed).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_CONFIG=str(config))
    processes = [start([name], env, tmp_path / f"{name}.log") for name in ("alerter", "parser", "fetcher")]
    try:
        incidents = await wait_for(
            broker.bootstrap, topics.incidents, lambda seen: {i["incident_id"] for i in seen} >= set(expected), timeout=90
        )
        alerts = await wait_for(
            broker.bootstrap, topics.alerts, lambda seen: {a["subscription"] for a in seen} >= {"research", "suppliers", "en-japan"}, timeout=60
        )
    finally:
        codes = [stop(p) for p in processes]
        await server.stop()
    logs = {p.name: p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("*.log")}
    assert {i["incident_id"] for i in incidents} == set(expected), logs
    for incident in incidents:
        schemas.validate("incident", incident)
        assert incident["source"]["feed"] == "seeds"
    assert EXPECTED <= {(i["case_id"], i["organization"]) for i in incidents}
    for alert in alerts:
        schemas.validate("alert", alert)
    by_subscription = {(a["subscription"], a["incident"]["organization"]) for a in alerts}
    assert ("research", "国立研究開発法人量子科学技術研究開発機構") in by_subscription
    assert ("suppliers", "静岡市生涯学習センター") in by_subscription
    assert ("en-japan", "エン・ジャパン株式会社") in by_subscription
    assert len({a["alert_id"] for a in alerts}) == len(alerts), "an alert was sent twice"
    assert codes == [0, 0, 0], logs
    raw = await read_topic(broker.bootstrap, topics.raw_posts)
    assert len(raw) == 5, "each post published exactly once"
