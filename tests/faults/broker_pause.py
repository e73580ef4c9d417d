"""The broker stops answering for 30 s in the middle of a run, then comes back.

SIGSTOP of the Tansu process: connections stay open but nothing answers,
the harshest form of "unavailable" for clients (no error, just silence), and
its data is kept. Fetcher, parser and alerter run as their own processes and
must ride it out on their own: no restart by anyone, nothing lost, nothing
sent twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from tests.faults.harness import (
    PAGE, SECRET, BlogServer, Service, WebhookReceiver, config_text, fetcher_progress, history, outbox_status, summary, until,
)
from tests.processes import service_env

PAUSE = 30.0


async def ride_out_a_broker_pause(tmp_path: Path, prefix: str) -> None:
    """Run by test_up_kill9.py side by side with the kills of `jikenbo up` (own broker, topics, state)."""
    story = history()
    receiver = WebhookReceiver(latency=0.003).start()
    server = await BlogServer(story, reveal=60, window=240).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(server.url, receiver.url), encoding="utf-8")
    state = tmp_path / "state"
    broker = await EmbeddedBroker(tmp_path / "broker").start()
    assert broker.process is not None
    env = service_env(broker.url, state, prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    services = [Service(name, [name], env, tmp_path / f"{name}.log") for name in ("alerter", "parser", "fetcher")]
    logs = lambda: "\n".join(s.tail() for s in services)  # noqa: E731
    started = time.monotonic()
    paused_at = resumed_at = 0.0
    try:
        await ensure_topics(broker.bootstrap, Topics(prefix).all(), 2)
        for s in services:
            s.start()
        pids = [s.process.pid for s in services if s.process]
        assert await until(lambda: len(receiver.snapshot()) >= len(story.alerts) // 4, 120), logs()
        os.kill(broker.process.pid, signal.SIGSTOP)
        paused_at = time.monotonic()
        before = len(receiver.snapshot())
        await asyncio.sleep(PAUSE)
        os.kill(broker.process.pid, signal.SIGCONT)
        resumed_at = time.monotonic()
        during = len(receiver.snapshot()) - before
        complete = await until(lambda: receiver.delivered_pairs() >= story.alerts, 180)
        finished = time.monotonic()
        await until(lambda: outbox_status(state).get("pending", 0) == 0, 30)
        await asyncio.sleep(2)
        running = [s.running for s in services]
        same = [s.process.pid for s in services if s.process] == pids
        published, _ = fetcher_progress(state)
    finally:
        if broker.process is not None:
            os.kill(broker.process.pid, signal.SIGCONT)
        codes = [s.stop() for s in services]
        broker.stop()
        await server.stop()
        receiver.stop()
    tally = receiver.tally()
    lost = story.alerts - tally.pairs
    summary(
        f"broker paused {PAUSE:.0f}s (SIGSTOP) mid-run",
        len(story.alerts), len(tally.pairs & story.alerts), len(lost), tally.pair_repeats,
        f"{story.posts} posts, {published} fetched; webhook: {tally.posts} POSTs, {tally.distinct_deliveries} delivery ids, "
        f"{during} delivered from the outbox during the pause; paused at {paused_at - started:.0f}s, "
        f"all delivered {finished - resumed_at:.0f}s after it resumed; {time.monotonic() - started:.0f}s",
    )
    assert all(running) and same, f"a service died or was restarted: running {running}\n{logs()}"
    assert complete, f"{len(lost)} alert(s) never delivered\n{logs()}"
    assert published == story.posts
    assert tally.unsigned == 0
    assert tally.pair_repeats == 0 and tally.same_id_repeats == 0, f"sent twice: {tally.repeated_ids[:5]}\n{logs()}"
    assert outbox_status(state).get("dead", 0) == 0, logs()
    assert codes == [0, 0, 0], logs()


async def backfill_through_a_broker_pause(tmp_path: Path, prefix: str) -> None:
    """A backfill of 2,000 posts while the broker stops answering for 30 s: it waits, then finishes; nothing lost."""
    story = history()
    receiver = WebhookReceiver(latency=0.003).start()
    server = await BlogServer(story, page_delay=0.5).start()  # slow pages: the pause lands mid-backfill
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(None, receiver.url), encoding="utf-8")
    state = tmp_path / "state"
    broker = await EmbeddedBroker(tmp_path / "broker").start()
    assert broker.process is not None
    env = service_env(broker.url, state, prefix, JIKENBO_CONFIG=str(config), FAULT_HOOK_SECRET=SECRET)
    consumers = [Service(name, [name], env, tmp_path / f"{name}.log") for name in ("alerter", "parser")]
    backfill = Service("backfill", ["backfill", f"{server.url}?max-results={PAGE}"], env, tmp_path / "backfill.log")
    everyone = [*consumers, backfill]
    logs = lambda: "\n".join(s.tail() for s in everyone)  # noqa: E731
    started = time.monotonic()
    try:
        await ensure_topics(broker.bootstrap, Topics(prefix).all(), 2)
        for s in everyone:
            s.start()
        assert await until(lambda: fetcher_progress(state)[0] >= 300, 120), logs()
        os.kill(broker.process.pid, signal.SIGSTOP)
        paused_at = time.monotonic()
        fetched_at_pause = fetcher_progress(state)[0]
        await asyncio.sleep(PAUSE)
        os.kill(broker.process.pid, signal.SIGCONT)
        server.page_delay = 0.0
        finished = await until(lambda: backfill.process is not None and backfill.process.poll() is not None, 180)
        complete = await until(lambda: receiver.delivered_pairs() >= story.alerts, 180)
        await until(lambda: outbox_status(state).get("pending", 0) == 0, 30)
        await asyncio.sleep(2)
        published, _ = fetcher_progress(state)
    finally:
        if broker.process is not None:
            os.kill(broker.process.pid, signal.SIGCONT)
        codes = [s.stop() for s in everyone]
        broker.stop()
        await server.stop()
        receiver.stop()
    tally = receiver.tally()
    lost = story.alerts - tally.pairs
    summary(
        f"broker paused {PAUSE:.0f}s (SIGSTOP) during a backfill",
        len(story.alerts), len(tally.pairs & story.alerts), len(lost), tally.pair_repeats,
        f"{story.posts} posts, {fetched_at_pause} fetched at the pause, {published} in all; webhook: {tally.posts} POSTs; "
        f"paused at {paused_at - started:.0f}s; {time.monotonic() - started:.0f}s",
    )
    assert finished and codes[2] == 0, f"the backfill did not finish by itself (exit {codes[2]})\n{logs()}"
    assert complete, f"{len(lost)} alert(s) never delivered\n{logs()}"
    assert published == story.posts
    assert tally.pair_repeats == tally.same_id_repeats, "an alert was sent twice under two different ids"
    assert codes[:2] == [0, 0], logs()
