"""kill -9 of the archive stage during a backfill, with edits arriving in between.

The archive is killed with SIGKILL five times (each time after it was seen
archiving since its restart, plus a random delay) and started again at once.
After the second kill, edited versions of some incidents already on the
incidents topic are published, as the parser publishes an edited post. At the
end every incident the offline parser finds in the served history is in the
archive once, the edited ones at version 2 with exactly one revision (what
changed), the others at version 1 with none, and every latest version is the
one published last.
"""

from __future__ import annotations

import asyncio
import copy
import sqlite3
import time
from pathlib import Path
from typing import Any


from services.archive.database import open_reader
from services.archive.versions import fingerprint
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics, make_producer
from services.common.pipeline import ARCHIVE
from services.common.topics import Topics
from tests.faults.harness import PAGE, SECRET, BlogServer, Service, config_text, history, rng_for, summary, until
from tests.kafka_helpers import read_topic
from tests.processes import service_env


KILLS = 5
POSTS = 600
EDITS = 40
EDIT_AFTER_KILL = 2


def archive_state(path: Path) -> dict[str, tuple[int, str, int]]:
    """incident_id -> (version, fingerprint, revisions) as the archive holds it now."""
    if not path.exists():
        return {}
    try:
        db = open_reader(path)
    except Exception:  # noqa: BLE001 — created but not yet migrated
        return {}
    try:
        return {row[0]: (row[1], row[2], row[3]) for row in db.execute(
            "SELECT incident_id, version, fingerprint, (SELECT count(*) FROM revisions r WHERE r.id = i.id) FROM incidents i")}
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()


def edited(incident: dict[str, Any]) -> dict[str, Any]:
    """The incident as an edit of its post would make it: a corrected count, fetched later."""
    version = copy.deepcopy(incident)
    version["affected"] = {**(version.get("affected") or {}), "count": ((version.get("affected") or {}).get("count") or 0) + 1000}
    version["source"] = {**version["source"], "content_hash": "edited", "fetched_at": "2030-01-01T00:00:00+00:00"}
    return version


async def publish(bootstrap: str, topic: str, incidents: list[dict[str, Any]]) -> None:
    producer = make_producer(bootstrap, "fault-edits")
    await producer.start()
    try:
        for incident in incidents:
            await producer.send_and_wait(topic, serde.dumps(incident), key=serde.key(incident["incident_id"]))
    finally:
        await producer.stop()


async def kill_the_archive_five_times(broker: EmbeddedBroker, tmp_path: Path, prefix: str) -> None:
    """Run by test_broker_kill9.py side by side with the broker scenarios (own topics, own state)."""
    story = history(POSTS)
    rng = rng_for("kill-archive")
    # A page of 50 every 6 s while kills are pending, so that they land while posts keep coming.
    server = await BlogServer(story, page_delay=6.0).start()
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(None, "http://127.0.0.1:9/unused"), encoding="utf-8")
    state = tmp_path / "state"
    env = service_env(broker.url, state, prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    archive = Service("archive", ["archive"], env, tmp_path / "archive.log")
    services = [archive, Service("parser", ["parser"], env, tmp_path / "parser.log"),
                Service("fetcher", ["backfill", f"{server.url}?max-results={PAGE}"], env, tmp_path / "backfill.log")]
    path = ARCHIVE.state_path(state)
    # `jikenbo backfill URL` names the feed after the URL's host; the offline expectation names it "fault".
    expected = {k: fingerprint(v | {"source": v["source"] | {"feed": "127.0.0.1"}}) for k, v in story.expected.items()}
    started = time.monotonic()
    notes: list[str] = []
    edits: list[dict[str, Any]] = []
    try:
        for service in services:
            service.start()
        for n in range(KILLS):
            offset = archive.log_size()
            working = await until(lambda: "archived " in archive.since(offset), 90, 0.05)
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            archive.kill9()
            notes.append(f"{time.monotonic() - started:.1f}s" + ("" if working else " (idle)"))
            last_start = archive.log_size()
            archive.start()
            if n + 1 == EDIT_AFTER_KILL:
                # Edits of incidents the parser has published: on their partition after the first version.
                seen = sorted({v["incident_id"]: v for _, v in await read_topic(broker.bootstrap, topics.incidents)}.items())
                edits = [edited(incident) for _, incident in rng.sample(seen, min(EDITS, len(seen)))]
                await publish(broker.bootstrap, topics.incidents, edits)
        server.page_delay = 0.0
        expected |= {e["incident_id"]: fingerprint(e) for e in edits}
        complete = await until(lambda: {k: v[1] for k, v in archive_state(path).items()} == expected, 150)
        # The history can be complete before the last restart is: a SIGTERM while it still imports is no clean stop.
        await until(lambda: "_ConsumerThread]: Starting" in archive.since(last_start), 60)
    finally:
        codes = {s.name: s.stop() for s in services}
        await server.stop()
    held = archive_state(path)
    edited_ids = {e["incident_id"] for e in edits}
    lost = set(expected) - set(held)
    wrong = {k for k, (version, fp, revisions) in held.items()
             if fp != expected.get(k) or (version, revisions) != ((2, 1) if k in edited_ids else (1, 0))}
    summary(
        f"kill -9 archive x{KILLS} during backfill", len(expected), len(held), len(lost), len(wrong),
        f"{story.posts} posts, {len(edits)} edited incidents, {sum(v[2] for v in held.values())} revisions; "
        f"kills at {', '.join(notes)}; {time.monotonic() - started:.0f}s",
    )
    logs = "\n".join(s.tail() for s in services)
    assert len(edits) == EDITS, logs
    assert complete and not lost, f"{len(lost)} incident(s) never archived\n{logs}"
    assert not wrong, f"{len(wrong)} incident(s) with the wrong version or revisions: {sorted(wrong)[:5]}\n{logs}"
    assert codes["archive"] == 0 and codes["parser"] == 0, (codes, logs)
    assert not archive.orphans, archive.orphans
