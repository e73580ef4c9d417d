"""A configured broker unreachable for 30 s: the service waits calmly, says why it is not ready, and recovers.

The broker here stands for an external one (`JIKENBO_BROKER_URL`): nobody
restarts it for the service. While it is away the parser keeps retrying,
/readyz answers 503 with the reason, `jikenbo status` shows it, and the log
gets one line when the broker is lost and one when it is back, not the
dozens a second aiokafka writes on its own.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


from services.common.config import Config
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import ensure_pipeline_topics
from tests.processes import REPO, service_env, start, stop


OUTAGE = 30.0


def readyz(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError as exc:
        return 0, str(exc)


async def until_ready(port: int, want: int, timeout: float) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    answer = readyz(port)
    while answer[0] != want and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        answer = readyz(port)
    return answer


async def ride_out_a_30_second_outage(tmp_path: Path, prefix: str) -> None:
    """Run by test_broker_kill9.py side by side with the other scenarios (own broker, topics and state)."""
    port, metrics = free_port(), free_port()
    broker = await EmbeddedBroker(tmp_path / "first", port=port).start()
    await ensure_pipeline_topics(Config(topic_prefix=prefix, partitions=2), broker.bootstrap)
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_METRICS_PORT=str(metrics), JIKENBO_METRICS_LAG_INTERVAL="2s")
    log_path = tmp_path / "parser.log"
    parser = start(["parser"], env, log_path)
    second = None
    try:
        assert (await until_ready(metrics, 200, 60))[0] == 200, log_path.read_text()
        lines_before = len(log_path.read_text().splitlines())
        broker.stop()
        went = time.monotonic()
        not_ready = await until_ready(metrics, 503, 20)
        status_env = {**env, "JIKENBO_METRICS_PARSER_PORT": str(metrics)}
        status = subprocess.run([sys.executable, "-m", "services.cli", "status"], env=status_env, cwd=REPO, capture_output=True, text=True, timeout=60)
        await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - went)))
        during = log_path.read_text().splitlines()[lines_before:]
        second = await EmbeddedBroker(tmp_path / "second", port=port).start()
        await ensure_pipeline_topics(Config(topic_prefix=prefix, partitions=2), second.bootstrap)
        ready_again = await until_ready(metrics, 200, 45)
        await asyncio.sleep(2)
        after = log_path.read_text().splitlines()[lines_before:]
    finally:
        code = stop(parser, grace=30)
        broker.stop()
        if second is not None:
            second.stop()
    assert not_ready[0] == 503 and "broker unreachable" in not_ready[1], not_ready
    assert "parser" in status.stdout and "not ready" in status.stdout and "broker unreachable" in status.stdout, status.stdout + status.stderr
    assert ready_again[0] == 200, (ready_again, "\n".join(after[-30:]))
    lost = [line for line in during if "unreachable since" in line]
    back = [line for line in after if "reachable again after" in line]
    assert len(lost) == 1 and f"127.0.0.1:{port}" in lost[0], during
    assert len(back) == 1, after
    assert len(during) <= 3, f"{len(during)} lines in a {OUTAGE:.0f} s outage:\n" + "\n".join(during[:20])
    assert not [line for line in after if " aiokafka" in line[19:40]], "library chatter folded"
    assert code == 0, log_path.read_text()[-3000:]
