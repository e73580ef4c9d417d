"""The archive stage on the real embedded broker: an edited post is one revision, a redelivery adds nothing.

`jikenbo archive` runs as the process it is in production. Incident messages
are what the parser makes of the corpus (the same code, run here), published
on the incidents topic as the parser would publish them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from services.archive.database import ArchiveError, open_reader
from services.archive.query import get_incident
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics, make_producer
from services.common.pipeline import ARCHIVE
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.feeds import parse_feed
from services.parser.handling import incidents_from_post
from tests.kafka_helpers import read_topic
from tests.processes import service_env, start, stop, wait_until

pytestmark = pytest.mark.integration

EDITED_DOC = "000_d5426b8c7d9f4f8d"  # one incident: 株式会社仕事旅行社, 33,670 件


def parsed(documents: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [i for post in parse_feed(build_atom(documents), {}, "seeds").posts for i in incidents_from_post(post)]


def archive_rows(path: Path) -> tuple[int, int, int]:
    """(incidents, revisions, alerts) in the archive file; zeros before it exists."""
    if not path.exists():
        return 0, 0, 0
    try:
        db = open_reader(path)
    except ArchiveError:  # created, its layout not yet written (version 0)
        return 0, 0, 0
    try:
        return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("incidents", "revisions", "alerts"))  # type: ignore[return-value]
    except sqlite3.OperationalError:  # created, not yet migrated
        return 0, 0, 0
    finally:
        db.close()


async def publish(bootstrap: str, topic: str, messages: list[tuple[bytes | None, dict[str, Any]]]) -> None:
    producer = make_producer(bootstrap, "test-archive")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, serde.dumps(value), key=key)
    finally:
        await producer.stop()


def alert_for(incident: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": 1, "alert_id": f"alert-watch-{incident['incident_id']}", "subscription": "watch", "kind": "new",
        "origin": "live", "created_at": "2025-03-10T00:00:00.000Z", "matched_on": [{"field": "sector", "value": incident["sector"]}],
        "incident": {k: incident.get(k) for k in ("incident_id", "organization", "title", "sector")},
    }


async def test_an_edited_post_is_one_revision_and_a_redelivered_partition_adds_nothing(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    documents = corpus_documents()
    first = parsed(documents)
    edited_text = dict(documents)[EDITED_DOC].replace("33,670 件", "43,670 件")
    assert edited_text != dict(documents)[EDITED_DOC]
    second = parsed([(stem, edited_text if stem == EDITED_DOC else text) for stem, text in documents])
    changed = [i for i in second if i not in first and i["organization"] == "株式会社仕事旅行社"]
    assert len(changed) == 1 and changed[0]["affected"]["count"] == 43670
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    path = ARCHIVE.state_path(tmp_path / "state")
    env = service_env(broker.url, tmp_path / "state", prefix)
    log = tmp_path / "archive.log"
    archive = start(["archive"], env, log)
    try:
        await publish(broker.bootstrap, topics.incidents, [(serde.key(i["incident_id"]), i) for i in first])
        await publish(broker.bootstrap, topics.alerts, [(b"watch", alert_for(i)) for i in first[:3]])
        assert wait_until(lambda: archive_rows(path) == (len(first), 0, 3), 90), (archive_rows(path), log.read_text()[-3000:])
        # The edited post, as the parser publishes it again: the one incident that changed gets a revision.
        await publish(broker.bootstrap, topics.incidents, [(serde.key(i["incident_id"]), i) for i in changed])
        assert wait_until(lambda: archive_rows(path) == (len(first), 1, 3), 30), (archive_rows(path), log.read_text()[-3000:])
        # Every message of both topics delivered again, in the order they were first delivered:
        # the first version again after the edit, and every alert, change nothing.
        for topic in (topics.incidents, topics.alerts):
            await publish(broker.bootstrap, topic, await read_topic(broker.bootstrap, topic))
        replayed = len(first) + 1 + 3
        assert wait_until(lambda: _archived_messages(log) >= 2 * replayed, 30), log.read_text()[-3000:]
    finally:
        code = stop(archive)
    assert code == 0, log.read_text()[-3000:]
    assert archive_rows(path) == (len(first), 1, 3)
    db = open_reader(path)
    record = get_incident(db, changed[0]["incident_id"])
    assert record is not None and record.version == 2
    assert record.incident["affected"]["count"] == 43670
    (revision,) = record.revisions
    assert {"path": ["affected", "count"], "old": 33670, "new": 43670} in revision.changes
    assert [a.subscription for a in get_incident(db, first[0]["incident_id"]).alerts] == ["watch"]  # type: ignore[union-attr]


def _archived_messages(log: Path) -> int:
    """Messages the archive stage reported as archived, from its log lines."""
    total = 0
    for line in log.read_text(errors="replace").splitlines():
        if "archived " in line and " message(s)" in line:
            total += int(line.split("archived ", 1)[1].split(" ", 1)[0])
    return total
