"""The parser agent on the embedded broker: incidents out, poison to the dead-letter topic."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

import schemas
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from services.demo.feed import FEED_FILE
from services.fetcher.feeds import parse_feed
from services.parser.handling import incidents_from_post
from tests.kafka_helpers import wait_for
from tests.processes import service_env, start, stop

pytestmark = pytest.mark.integration


def post(post_id: str, text: str, **changes: object) -> dict:
    base = parse_feed(FEED_FILE.read_bytes(), {}, "demo").posts[1]
    base.update({"post_id": post_id, "title": "", "text": text, "content": text, **changes})
    return base


async def test_poison_goes_to_dead_letters_and_the_agent_keeps_going(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    good = parse_feed(FEED_FILE.read_bytes(), {}, "demo").posts[1]
    expected_ids = {i["incident_id"] for i in incidents_from_post(good)}
    nested = "<div>" * 20000 + "本文" + "</div>" * 20000
    poison: list[tuple[bytes, bytes]] = [
        (b"binary", bytes(range(256)) * 64),                              # not JSON at all
        (b"array", serde.dumps([1, 2, 3])),                               # JSON, not an object
        (b"no-text", serde.dumps({"post_id": "no-text", "title": "x"})),  # no text field
        (b"empty", serde.dumps(post("empty", ""))),
        (b"huge", serde.dumps(post("huge", "a" * (5 * 1024 * 1024), content=""))),
        (b"nested", serde.dumps(post("nested", nested))),
        (b"headers-only", serde.dumps(post("headers-only", "【セキュリティ事件簿#2025-001】\n" + "x" * 900_000 + "\n【セキュリティ事件簿#2025-002】"))),
        (b"many", serde.dumps(post("many", "".join(f"【セキュリティ事件簿#2025-{n:03d}】株式会社M{n} 不正アクセス 2025/1/1\n\n本文\n\n"
                                                   for n in range(100, 112))))),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=16 * 1024 * 1024)
    await producer.start()
    try:
        for key, value in poison:
            await producer.send_and_wait(topics.raw_posts, value, key=key)
        await producer.send_and_wait(topics.raw_posts, serde.dumps(good), key=good["post_id"].encode())
    finally:
        await producer.stop()
    config = tmp_path / "jikenbo.toml"
    config.write_text("[parser]\nmax_incidents = 10\n", encoding="utf-8")
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_CONFIG=str(config))
    parser = start(["parser"], env, tmp_path / "parser.log")
    try:
        # The good post and "many" may sit on different partitions: wait for both, not for the first.
        incidents = await wait_for(
            broker.bootstrap, topics.incidents,
            lambda seen: expected_ids <= {i["incident_id"] for i in seen} and sum(i["source"]["post_id"] == "many" for i in seen) >= 10,
            timeout=90,
        )
        dead = await wait_for(broker.bootstrap, topics.dead_letters, lambda seen: len(seen) >= 5, timeout=30)
    finally:
        code = stop(parser)
    log = (tmp_path / "parser.log").read_text(errors="replace")
    assert expected_ids <= {i["incident_id"] for i in incidents}, log[-3000:]
    for incident in incidents:
        schemas.validate("incident", incident)
    undecodable = [r["reason"] for r in dead if r.get("post") is None]
    by_post = {r["post"]["post_id"]: r["reason"] for r in dead if isinstance(r.get("post"), dict)}
    assert len(undecodable) == 2 and all("undecodable message" in reason for reason in undecodable)
    assert "no 'text'" in by_post["no-text"]
    assert "over parser.max_post_chars" in by_post["huge"]
    assert by_post["many"].startswith("post produced 12 incidents, over parser.max_incidents (10)")
    assert sorted(i["case_id"] for i in incidents if i["source"]["post_id"] == "many") == [f"2025-{n}" for n in range(100, 110)]
    assert any("raw_base64" in record for record in dead), "the original bytes are kept for replay"
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
