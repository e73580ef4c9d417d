"""The ledger off the event loop: another process's lock on the file delays a write, never the loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from services.alerter.decisions import Delivery, LedgerRow
from services.alerter.ledger import Ledger

HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    made = Ledger(tmp_path / "alerter.sqlite3")
    yield made
    made.close()


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process on the state directory, holding the file's write lock for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


async def measure_lag(stop: asyncio.Event) -> float:
    """The longest the loop was late to wake a 10 ms sleep, until `stop`."""
    worst = 0.0
    while not stop.is_set():
        started = time.monotonic()
        await asyncio.sleep(0.01)
        worst = max(worst, time.monotonic() - started - 0.01)
    return worst


async def record_alert(ledger: Ledger, incident_id: str) -> None:
    """Record one alert of subscription `s` and queue it for channel `c`."""
    alert_id = f"alert-{incident_id}"
    await ledger.record([LedgerRow("s", incident_id, "fp", alert_id)], [Delivery("c", alert_id, "s", "each", {})])


async def test_a_write_waiting_for_another_process_lock_leaves_the_loop_free(ledger: Ledger, tmp_path: Path) -> None:
    holder = hold_lock(tmp_path / "alerter.sqlite3", 2.0)
    done = asyncio.Event()
    lag = asyncio.create_task(measure_lag(done))
    started = time.monotonic()
    await record_alert(ledger, "i-1")
    waited = time.monotonic() - started
    done.set()
    assert holder.wait(5) == 0
    assert waited > 1.0, "the write did not wait for the lock: the test proves nothing"
    assert await lag < 0.2
    assert await ledger.fingerprints(["i-1", "i-2"]) == {("s", "i-1"): "fp"}
    assert [r.delivery.alert_id for r in await ledger.due("c", time.time())] == ["alert-i-1"]


async def test_a_write_whose_caller_was_cancelled_is_still_made_and_in_order(ledger: Ledger, tmp_path: Path) -> None:
    """A shutdown cancelling the agent while it records must not lose the record of alerts the broker has,
    even while that write still waits its turn behind another one."""
    holder = hold_lock(tmp_path / "alerter.sqlite3", 1.0)
    running = asyncio.create_task(record_alert(ledger, "i-1"))
    queued = asyncio.create_task(record_alert(ledger, "i-2"))
    await asyncio.sleep(0.2)
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    await running
    # Asked after the cancelled write, answered after it: one thread, in order.
    assert await ledger.fingerprints(["i-1", "i-2"]) == {("s", "i-1"): "fp", ("s", "i-2"): "fp"}
    assert holder.wait(5) == 0
