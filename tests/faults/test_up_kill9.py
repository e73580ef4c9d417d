"""kill -9 of `jikenbo up` itself, five times, while it follows a feed of 2,000 posts.

In embedded mode the broker is a child of `up` and keeps everything in memory:
each kill takes the broker and every message on its way through the pipeline
with it (the children die too: PR_SET_PDEATHSIG, checked here). After each
restart on the same state directory, what the fetcher had fetched must still
become incidents and alerts (its unconfirmed posts are replayed), and what the alerter had
already sent must not be sent again (its ledger).

The feed is live and paged by requests rather than by the clock: each poll
shows 60 more posts, so nothing published while `up` was down scrolls out of
sight, and every one of the 2,000 posts is fetched in some poll.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from tests.faults.harness import (
    SECRET, BlogServer, Service, WebhookReceiver, config_text, fetcher_progress, history, outbox_status, rng_for,
    summary, until,
)
from tests.faults.broker_pause import backfill_through_a_broker_pause, ride_out_a_broker_pause
from tests.processes import service_env

pytestmark = [pytest.mark.integration, pytest.mark.faults]

KILLS = 5


async def kill_up_five_times(tmp_path: Path, prefix: str) -> None:
    story = history()
    rng = rng_for("kill-up")
    receiver = WebhookReceiver(latency=0.003).start()
    server = await BlogServer(story, reveal=60, window=240).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(server.url, receiver.url), encoding="utf-8")
    state = tmp_path / "state"
    env = service_env(None, state, prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    up = Service("up", ["up"], env, tmp_path / "up.log")
    started = time.monotonic()
    notes: list[str] = []
    fetched_at_kill: list[int] = []
    try:
        up.start()
        for _ in range(KILLS):
            before = len(receiver.snapshot())
            # Aim at a working pipeline: alerts are arriving again since this start.
            working = await until(lambda: len(receiver.snapshot()) > before, 90, 0.05)
            await asyncio.sleep(rng.uniform(0.0, 3.0))
            fetched_at_kill.append(fetcher_progress(state)[0])
            up.kill9()  # checks that the broker and the children die with it
            notes.append(f"{time.monotonic() - started:.1f}s" + ("" if working else " (idle)"))
            up.start()
        complete = await until(lambda: receiver.delivered_pairs() >= story.alerts, 180)
        await until(lambda: outbox_status(state).get("pending", 0) == 0, 30)
        await asyncio.sleep(3)  # late repeats would show now
        published, waiting = fetcher_progress(state)
    finally:
        code = up.stop(grace=30)
        await server.stop()
        receiver.stop()
    tally = receiver.tally()
    lost = story.alerts - tally.pairs
    summary(
        f"kill -9 jikenbo up x{KILLS} (embedded broker lost each time)",
        len(story.alerts), len(tally.pairs & story.alerts), len(lost), tally.pair_repeats,
        f"{story.posts} posts, {published} fetched; fetched before each kill: {fetched_at_kill}; webhook: {tally.posts} POSTs, "
        f"{tally.distinct_deliveries} distinct delivery ids; processes per kill: {up.families}; kills at {', '.join(notes)}; "
        f"{time.monotonic() - started:.0f}s",
    )
    log = up.tail(6000)
    assert not up.orphans, f"processes outlived a killed jikenbo up: {up.orphans}"
    assert all(n >= 4 for n in up.families), f"broker, fetcher, parser and alerter run under up: {up.families}"
    assert complete, f"{len(lost)} alert(s) never delivered\n{log}"
    assert published == story.posts
    assert tally.unsigned == 0
    assert tally.distinct_deliveries == len(story.alerts), log
    assert tally.pair_repeats == tally.same_id_repeats, "an alert was sent twice under two different ids"
    # At most the one POST in flight per kill is repeated, with its id (see test_kill9.py).
    assert tally.same_id_repeats <= KILLS, f"{tally.same_id_repeats} repeated POSTs: {tally.repeated_ids[:5]}"
    assert outbox_status(state).get("dead", 0) == 0, log
    assert code == 0, log


@pytest.mark.timeout(300)
async def test_kill_9_of_up_and_a_30_second_broker_pause_live_and_during_a_backfill(tmp_path: Path) -> None:
    """The three scenarios run side by side (each its own broker, topics and state): most of
    each is waiting (a 30 s pause, consumer groups forming again), and that waiting overlaps."""
    for name in ("up", "pause", "backfill"):
        (tmp_path / name).mkdir()
    results = await asyncio.gather(
        kill_up_five_times(tmp_path / "up", f"fu{uuid.uuid4().hex[:6]}"),
        ride_out_a_broker_pause(tmp_path / "pause", f"fp{uuid.uuid4().hex[:6]}"),
        backfill_through_a_broker_pause(tmp_path / "backfill", f"fb{uuid.uuid4().hex[:6]}"),
        return_exceptions=True,
    )
    names = ("kill -9 of up", "broker pause", "backfill through a broker pause")
    failures = [f"{name}: {type(r).__name__}: {r}" for name, r in zip(names, results) if r is not None]
    assert not failures, "\n\n".join(failures)
