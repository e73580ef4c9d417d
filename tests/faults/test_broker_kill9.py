"""kill -9 of the embedded broker, five times, while `jikenbo up` follows a feed of 2,000 posts;
beside it, a configured broker away for 30 s (broker_outage.py) and the archive killed (archive_kill.py).

The broker keeps everything in memory, so each kill loses every message on
its way through the pipeline, the consumer groups and their offsets. `up`
reaps it and starts it again on the same address (services.common.broker_watch),
with the services killed while it is down and started again once it is back;
the fetcher publishes again what the broker lost, and the alerter's ledger
keeps what was already sent from being sent again. The log stays calm: the clients' connection errors are folded
into a few lines (services.common.broker_outage).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from tests.faults.harness import (
    SECRET, BlogServer, Service, WebhookReceiver, cmdline, config_text, fetcher_progress, history, outbox_status, rng_for,
    summary, until,
)
from services.common.embedded_broker import EmbeddedBroker
from tests.faults.archive_kill import kill_the_archive_five_times
from tests.faults.broker_outage import ride_out_a_30_second_outage
from tests.processes import descendants, service_env

pytestmark = [pytest.mark.integration, pytest.mark.faults]

KILLS = 5


def broker_pid(up: Service) -> int | None:
    assert up.process is not None
    for pid in descendants(up.process.pid):
        if " broker --listener-url " in cmdline(pid):
            return pid
    return None


async def kill_the_broker_five_times(tmp_path: Path) -> None:
    story = history()
    rng = rng_for("kill-broker")
    receiver = WebhookReceiver(latency=0.003).start()
    server = await BlogServer(story, reveal=60, window=240).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(server.url, receiver.url), encoding="utf-8")
    state = tmp_path / "state"
    env = service_env(None, state, f"fb{uuid.uuid4().hex[:6]}", JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    up = Service("up", ["up"], env, tmp_path / "up.log")
    started = time.monotonic()
    killed: list[int] = []
    notes: list[str] = []
    try:
        up.start()
        for _ in range(KILLS):
            before = len(receiver.snapshot())
            working = await until(lambda: len(receiver.snapshot()) > before and broker_pid(up) is not None, 90, 0.05)
            await asyncio.sleep(rng.uniform(0.0, 3.0))
            pid = broker_pid(up)
            assert pid is not None and pid not in killed, f"no new broker under up\n{up.tail()}"
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            notes.append(f"{time.monotonic() - started:.1f}s" + ("" if working else " (idle)"))
        complete = await until(lambda: receiver.delivered_pairs() >= story.alerts, 180)
        await until(lambda: outbox_status(state).get("pending", 0) == 0, 30)
        await asyncio.sleep(3)  # late repeats would show now
        published, _ = fetcher_progress(state)
        zombies = [pid for pid in killed if Path(f"/proc/{pid}").exists()]
    finally:
        code = up.stop(grace=30)
        await server.stop()
        receiver.stop()
    tally = receiver.tally()
    lost = story.alerts - tally.pairs
    log = up.log()
    chatter = [line for line in log.splitlines() if " aiokafka" in line[20:45] or "Unclosed" in line]
    broker_lines = [line for line in log.splitlines() if " jikenbo.broker: " in line]
    summary(
        f"kill -9 of the embedded broker x{KILLS} under jikenbo up",
        len(story.alerts), len(tally.pairs & story.alerts), len(lost), tally.pair_repeats,
        f"{story.posts} posts, {published} fetched; webhook: {tally.posts} POSTs, {tally.distinct_deliveries} distinct delivery ids; "
        f"kills at {', '.join(notes)}; {len(log.splitlines())} log lines; {time.monotonic() - started:.0f}s",
    )
    assert complete, f"{len(lost)} alert(s) never delivered\n{up.tail(6000)}"
    assert not zombies, f"killed brokers left as zombies: {zombies}"
    assert log.count("embedded broker back on") == KILLS, up.tail(6000)
    assert published == story.posts
    assert tally.distinct_deliveries == len(story.alerts)
    assert tally.pair_repeats == tally.same_id_repeats, "an alert was sent twice under two different ids"
    assert outbox_status(state).get("dead", 0) == 0
    assert not chatter, f"{len(chatter)} library lines, e.g. {chatter[:3]}"
    # Per kill and service at most: unreachable, back, and one complaint once the group is gone.
    assert len(broker_lines) <= KILLS * 4 * 3, broker_lines
    assert code == 0, up.tail(6000)


@pytest.mark.timeout(360)
async def test_the_broker_killed_under_up_a_configured_broker_away_and_the_archive_killed(
    broker: EmbeddedBroker, tmp_path: Path, prefix: str
) -> None:
    """Three scenarios side by side (each its own broker or topics, and state): most of each is waiting
    (consumer groups forming again, a 30 s outage), and that waiting overlaps."""
    for name in ("broker", "outage", "archive"):
        (tmp_path / name).mkdir()
    results = await asyncio.gather(
        kill_the_broker_five_times(tmp_path / "broker"),
        ride_out_a_30_second_outage(tmp_path / "outage", f"fo{uuid.uuid4().hex[:6]}"),
        kill_the_archive_five_times(broker, tmp_path / "archive", prefix),
        return_exceptions=True,
    )
    names = ("kill -9 of the embedded broker under up", "a configured broker away for 30 s", "kill -9 of the archive")
    failures = [f"{name}: {type(r).__name__}: {r}" for name, r in zip(names, results) if r is not None]
    assert not failures, "\n\n".join(failures)
