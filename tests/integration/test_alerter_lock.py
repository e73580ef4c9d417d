"""Two workers on one state directory: one holds alerter.sqlite3's write lock, the alerter's event loop goes on.

The other worker is a process that takes the lock (`BEGIN IMMEDIATE`) and
keeps it for a few seconds, as a slow write of a second alerter sharing the
file would. Meanwhile the real alerter process gets incidents: it publishes
their alerts, then waits for the lock to record them, and through all of it
its /healthz answers at once. Once the lock is gone the batch is recorded
and delivered, nothing lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from services.common import serde
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import ensure_topics
from tests.integration.test_alerter_e2e import Harness, eventually, incident
from tests.processes import service_env, stop

pytestmark = pytest.mark.integration

LOCK_HELD = 5.0  # seconds the other worker keeps the write lock
MAX_STALL = 0.2  # seconds /healthz may take at most while it does

HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def write_config(tmp_path: Path) -> Path:
    subscriptions = tmp_path / "subscriptions.toml"
    subscriptions.write_text('[[subscriptions]]\nname = "schools"\nsectors = ["education"]\nchannels = ["kafka", "file"]\n')
    config = tmp_path / "jikenbo.toml"
    config.write_text(f"""
[broker]
partitions = 1

[alerter]
subscriptions_file = "{subscriptions}"

[channels.file]
type = "jsonl"
path = "{tmp_path / 'alerts.jsonl'}"
""", encoding="utf-8")
    return config


def delivered(tmp_path: Path) -> list[str]:
    """Incident ids in the file channel, one per delivered alert."""
    path = tmp_path / "alerts.jsonl"
    return [serde.loads(line)["incident"]["incident_id"] for line in path.read_text().splitlines()] if path.exists() else []


async def probe_health(url: str, stop: asyncio.Event) -> list[float]:
    """GET /healthz every 50 ms until `stop`; how long each answer took (a timeout counts as 2 s)."""
    took = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while not stop.is_set():
            started = time.monotonic()
            try:
                async with session.get(url) as response:
                    assert response.status == 200
            except asyncio.TimeoutError:
                pass
            took.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
    return took


async def test_a_lock_held_by_another_worker_never_stalls_the_event_loop(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    port = free_port()
    h = Harness(broker, prefix, tmp_path, write_config(tmp_path))
    h.env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_METRICS_PORT=str(port))
    await ensure_topics(broker.bootstrap, [h.topics.incidents, h.topics.alerts], 1)
    healthz = f"http://127.0.0.1:{port}/healthz"
    before = [incident(f"before-{n}") for n in range(3)]
    during = [incident(f"during-{n}") for n in range(5)]
    holder: subprocess.Popen[str] | None = None
    try:
        h.start()
        await h.wait_log("alerter ready")
        await h.publish(*before)
        await eventually(lambda: len(delivered(tmp_path)) == 3, timeout=30)

        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "state" / "alerter.sqlite3"), str(LOCK_HELD)],
            stdout=subprocess.PIPE, text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        locked_at = time.monotonic()
        released = asyncio.Event()
        probing = asyncio.create_task(probe_health(healthz, released))
        await h.publish(*during)
        # The first batch's alerts go out while the ledger waits for the lock to record them
        # (the batches behind it wait for that record, as they always do).
        await h.alerts_until(lambda seen: any(a["incident"]["incident_id"].startswith("during-") for a in seen), timeout=LOCK_HELD - 1)
        published_in = time.monotonic() - locked_at
        delivered_while_locked = delivered(tmp_path)
        await asyncio.to_thread(holder.wait, LOCK_HELD + 5)
        released.set()
        took = await probing
        await eventually(lambda: len(delivered(tmp_path)) == 8, timeout=20)
        await asyncio.sleep(1.5)  # a doubled delivery would show up by now (the idle look is 1 s)
        alerts = await h.alerts_until(lambda seen: len(seen) >= 8, timeout=10)
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
        if h.process:
            stop(h.process)

    assert published_in < LOCK_HELD, "an alert should reach the topic before the lock is released"
    assert len(delivered_while_locked) == 3, "the lock held nothing back: the test proves nothing"
    assert max(took) < MAX_STALL, f"/healthz took up to {max(took):.3f} s while another worker held the lock"
    assert len(took) >= LOCK_HELD / 0.1, f"too few probes: {len(took)}"
    ids = [i["incident_id"] for i in before + during]
    assert sorted(delivered(tmp_path)) == sorted(ids)
    assert sorted(a["incident"]["incident_id"] for a in alerts) == sorted(ids)
    with sqlite3.connect(tmp_path / "state" / "alerter.sqlite3") as db:
        assert sorted(row[0] for row in db.execute("SELECT incident_id FROM alerted")) == sorted(ids)
        assert db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall() == [("delivered", 8)]

