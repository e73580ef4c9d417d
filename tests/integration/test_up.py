"""`jikenbo up`: embedded broker, demo feed, clean stop, no orphans."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from services.common.embedded_broker import RUNTIME_FILE
from services.common.config import bootstrap_servers
from services.common.topics import Topics
from tests.kafka_helpers import wait_for
from tests.processes import alive, descendants, service_env, start, stop, wait_until

pytestmark = pytest.mark.integration


def start_up(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = service_env(None, tmp_path / "state", "jikenbo")
    return start(["up", *args], env, tmp_path / "up.log")


def broker_url(tmp_path: Path) -> str:
    runtime = tmp_path / "state" / RUNTIME_FILE
    assert wait_until(runtime.exists, 30), (tmp_path / "up.log").read_text()
    return runtime.read_text().strip()


async def test_demo_shows_alerts_in_tail_within_a_minute_and_stops_cleanly(tmp_path: Path) -> None:
    up = start_up(tmp_path, "--demo")
    # Started together, as a newcomer would in a second terminal: tail waits for the broker.
    tail = start(["alerts", "tail"], service_env(None, tmp_path / "state", "jikenbo"), tmp_path / "tail.log")
    try:
        bootstrap = bootstrap_servers(broker_url(tmp_path))
        alerts = await wait_for(bootstrap, Topics("jikenbo").alerts, lambda seen: len(seen) >= 3, timeout=60)
        alert_line = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \[[\w.-]+\] ", re.MULTILINE)
        shown = wait_until(lambda: bool(alert_line.search((tmp_path / "tail.log").read_text(errors="replace"))), 20)
        family = [up.pid, *descendants(up.pid)]
    finally:
        stop(tail)
        code = stop(up, grace=30)
    log = (tmp_path / "up.log").read_text(errors="replace")
    assert len(alerts) >= 3, log[-4000:]
    assert shown, (tmp_path / "tail.log").read_text(errors="replace")
    assert code == 0, log[-4000:]
    assert len(family) >= 5, "broker, fetcher, parser and alerter run as children of up"
    assert wait_until(lambda: not any(alive(pid) for pid in family), 10), "a process outlived jikenbo up"
    assert not (tmp_path / "state" / RUNTIME_FILE).exists()
    assert (tmp_path / "state" / "demo" / "broker.log").exists()


def test_kill_9_of_up_leaves_no_orphans(tmp_path: Path) -> None:
    up = start_up(tmp_path)
    try:
        broker_url(tmp_path)
        assert wait_until(lambda: len(list(descendants(up.pid))) >= 4, 30)
        family = list(descendants(up.pid))
        os.kill(up.pid, signal.SIGKILL)
        up.wait(10)
    finally:
        stop(up)
    assert wait_until(lambda: not any(alive(pid) for pid in family), 10), "children outlived a killed jikenbo up"


def test_offline_default_feed_logs_one_line_reasons_and_keeps_running(tmp_path: Path) -> None:
    """No internet here: the real blog cannot be reached; up must say so and go on."""
    up = start_up(tmp_path)
    try:
        log_path = tmp_path / "up.log"
        assert wait_until(lambda: "feed b-son: poll failed:" in log_path.read_text(errors="replace"), 60), log_path.read_text()
        assert up.poll() is None, "jikenbo up died on an unreachable feed"
    finally:
        code = stop(up, grace=30)
    text = log_path.read_text(errors="replace")
    failure = next(line for line in text.splitlines() if "feed b-son: poll failed:" in line)
    assert "retrying in" in failure
    assert "Traceback" not in text
    assert code == 0
