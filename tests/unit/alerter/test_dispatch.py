"""Channel workers: retries with backoff, dead letters, rate limits, digests, and restarts."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from services.alerter.channels import DeliveryError
from services.alerter.dispatch import IDLE_WAIT, MAX_RETRY_AFTER, ChannelWorker, Dispatcher
from services.alerter.decisions import Delivery
from services.alerter.ledger import Ledger
from services.alerter.settings import ChannelSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSender:
    """Fails the first `failures` calls (permanently if asked), then records what it sent."""

    def __init__(self, failures: int = 0, permanent: bool = False, retry_after: float | None = None) -> None:
        self.failures = failures
        self.permanent = permanent
        self.retry_after = retry_after
        self.sent: list[tuple[list[str], bool]] = []

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("HTTP 503 Service Unavailable", permanent=self.permanent, retry_after=self.retry_after)
        self.sent.append(([a["alert_id"] for a in alerts], digest))


async def queue(ledger: Ledger, clock: Clock, *ids: str, mode: str = "each", channel: str = "c") -> None:
    await ledger.record([], [Delivery(channel, alert_id, "s", mode, {"alert_id": alert_id}) for alert_id in ids])


def worker(tmp_path: Path, sender: FakeSender, clock: Clock, **settings: Any) -> tuple[ChannelWorker, Ledger]:
    ledger = Ledger(tmp_path / "alerter.sqlite3")
    channel = ChannelSettings(name="c", type="webhook", backoff=1.0, max_backoff=8.0, **settings)
    return ChannelWorker(channel, sender, ledger, backfill_digest=3600.0, clock=clock), ledger


async def test_failures_are_retried_with_exponential_backoff_then_delivered_once(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender(failures=2)
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, retries=5)
    await queue(ledger, clock, "a1")
    await w.step()
    assert await ledger.next_attempt("c") == clock.now + 1.0  # first failure: retry in 1 s
    clock.now += 1.0
    await w.step()
    assert await ledger.next_attempt("c") == clock.now + 2.0  # second failure: 2 s
    clock.now += 2.0
    await w.step()
    clock.now += 100
    await w.step()
    assert sender.sent == [(["a1"], False)]


async def test_the_time_a_receiver_asks_for_is_given_within_an_hour(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender(failures=2, retry_after=120.0)
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, retries=5)
    await queue(ledger, clock, "a1")
    await w.step()
    assert await ledger.next_attempt("c") == clock.now + 120.0  # Retry-After 120 s, not the 1 s backoff
    sender.retry_after = 10 * MAX_RETRY_AFTER
    clock.now += 120.0
    await w.step()
    assert await ledger.next_attempt("c") == clock.now + MAX_RETRY_AFTER  # a day asked: an hour given
    clock.now += MAX_RETRY_AFTER
    await w.step()
    assert sender.sent == [(["a1"], False)]


async def test_after_the_last_retry_a_dead_letter_keeps_the_reason(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender(failures=10)
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, retries=2)
    await queue(ledger, clock, "a1")
    for _ in range(5):
        await w.step()
        clock.now += 10
    assert await ledger.dead_letters() == [("c", "a1", "s", "HTTP 503 Service Unavailable")]
    assert sender.sent == []


async def test_a_permanent_failure_is_dead_at_once(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender(failures=1, permanent=True)
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock)
    await queue(ledger, clock, "a1")
    await w.step()
    assert len(await ledger.dead_letters("c")) == 1


async def test_a_restart_resends_pending_deliveries_but_not_delivered_ones(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender()
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, rate_limit=(1, 60.0))
    await queue(ledger, clock, "a1", "a2")
    await w.step()  # the rate limit lets only a1 go
    ledger.close()
    again, _ = worker(tmp_path, sender, clock)  # a new process: fresh worker, same SQLite file
    await again.step()
    assert sender.sent == [(["a1"], False), (["a2"], False)]


async def test_rate_limit_overflow_goes_into_a_digest(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender()
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, rate_limit=(2, 600.0), digest=300.0)
    await queue(ledger, clock, "a1", "a2", "a3", "a4")
    wait = await w.step()
    assert sender.sent == [(["a1"], False), (["a2"], False)]
    assert 0 < wait <= 300
    clock.now += 300
    await w.step()
    assert sender.sent[2:] == [(["a3", "a4"], True)]


async def test_backfill_digest_rows_wait_for_the_digest_period(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender()
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock)
    await queue(ledger, clock, "old1", "old2", mode="digest")
    await queue(ledger, clock, "live")
    await w.step()
    assert sender.sent == [(["live"], False)]
    clock.now += 3600
    await w.step()
    assert sender.sent[1:] == [(["old1", "old2"], True)]


async def test_pruning_forgets_old_deliveries_but_keeps_dead_letters(tmp_path: Path, monkeypatch: Any) -> None:
    clock = Clock()
    monkeypatch.setattr("time.time", clock)
    ledger = Ledger(tmp_path / "alerter.sqlite3")
    await queue(ledger, clock, "a1", "a2")
    await ledger.delivered("c", ["a1"])
    await ledger.dead("c", ["a2"], "HTTP 404 Not Found")
    clock.now += 100
    await ledger.prune(older_than=50)
    with sqlite3.connect(tmp_path / "alerter.sqlite3") as db:
        assert db.execute("SELECT alert_id FROM outbox").fetchall() == [("a2",)]


async def test_only_one_process_on_a_state_directory_delivers(tmp_path: Path) -> None:
    started: list[str] = []

    class Worker:
        def __init__(self, name: str) -> None:
            self.name = name

        async def run(self) -> None:
            started.append(self.name)
            await asyncio.sleep(3600)

    first = Dispatcher(["first"], tmp_path / "delivery.lock")
    second = Dispatcher(["second"], tmp_path / "delivery.lock")
    tasks = [
        asyncio.create_task(first.run([Worker("first")])),  # type: ignore[list-item]
        asyncio.create_task(second.run([Worker("second")])),  # type: ignore[list-item]
    ]
    await asyncio.sleep(0.2)
    assert started == ["first"]
    tasks[0].cancel()
    await asyncio.sleep(2.5)  # the second polls the lock every 2 s
    assert started == ["first", "second"]
    tasks[1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_wake_before_the_workers_exist_is_kept(tmp_path: Path) -> None:
    """The agent may queue and wake before the delivery task has made the workers (they need
    the HTTP session): the wake waits in the dispatcher for the channel's worker."""
    ledger = Ledger(tmp_path / "alerter.sqlite3")
    dispatcher = Dispatcher(["c"], tmp_path / "delivery.lock")
    dispatcher.wake({"c", "unconfigured"})
    made = dispatcher.worker(ChannelSettings(name="c", type="webhook"), FakeSender(), ledger, backfill_digest=3600.0)
    assert made.wake.is_set()


async def test_a_wake_delivers_at_once_not_at_the_next_idle_look(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "alerter.sqlite3")
    sender = FakeSender()
    dispatcher = Dispatcher(["c"], tmp_path / "delivery.lock")
    running = asyncio.create_task(
        dispatcher.run([dispatcher.worker(ChannelSettings(name="c", type="webhook"), sender, ledger, backfill_digest=3600.0)])
    )
    await asyncio.sleep(0.1)  # the worker looked, found nothing, and waits up to IDLE_WAIT
    await ledger.record([], [Delivery("c", "a1", "s", "each", {"alert_id": "a1"})])
    dispatcher.wake({"c"})
    started = asyncio.get_running_loop().time()
    while not sender.sent and asyncio.get_running_loop().time() - started < IDLE_WAIT:
        await asyncio.sleep(0.01)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert sender.sent == [(["a1"], False)]
    assert asyncio.get_running_loop().time() - started < IDLE_WAIT / 2


async def test_a_failing_endpoint_is_probed_with_one_message_not_all(tmp_path: Path, monkeypatch: Any) -> None:
    clock, sender = Clock(), FakeSender(failures=100)
    monkeypatch.setattr("time.time", clock)
    w, ledger = worker(tmp_path, sender, clock, retries=5)
    await queue(ledger, clock, "a1", "a2", "a3")
    calls = []
    original = sender.send

    async def counting(alerts: list[dict[str, Any]], digest: bool) -> None:
        calls.append(alerts[0]["alert_id"])
        await original(alerts, digest)

    sender.send = counting  # type: ignore[method-assign]
    assert await w.step() == 1.0  # the channel backs off as a whole
    assert calls == ["a1"]
