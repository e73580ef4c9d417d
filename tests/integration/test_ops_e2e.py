"""Metrics, readiness and `jikenbo status` of a running pipeline on the embedded broker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from tests.feed_server import FeedServer
from tests.kafka_helpers import wait_for
from tests.processes import REPO, service_env, start, stop

pytestmark = pytest.mark.integration

CONFIG = """
[fetcher]
allow_private_networks = true

[metrics]
lag_interval = "1s"

[[feeds]]
name = "seeds"
url = "{url}"
interval = "2s"

[[subscriptions]]
name = "research"
sectors = ["研究機関"]
"""


async def samples(session: aiohttp.ClientSession, port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }


async def test_services_export_metrics_report_ready_and_status_shows_the_pipeline(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    topics = Topics(prefix)
    await ensure_topics(broker.bootstrap, topics.all(), 2)
    server = await FeedServer(body=build_atom(corpus_documents())).start()
    config = tmp_path / "jikenbo.toml"
    config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
    ports = {name: free_port() for name in ("fetcher", "parser", "alerter")}
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_CONFIG=str(config))
    processes = [start([name], {**env, "JIKENBO_METRICS_PORT": str(port)}, tmp_path / f"{name}.log") for name, port in ports.items()]
    try:
        await wait_for(broker.bootstrap, topics.alerts, lambda seen: len(seen) >= 1, timeout=90)
        async with aiohttp.ClientSession() as session:
            fetcher = await samples(session, ports["fetcher"])
            parser = await samples(session, ports["parser"])
            alerter = await samples(session, ports["alerter"])
            readiness = {}
            for name, port in ports.items():
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    readiness[name] = response.status
        status = subprocess.run(
            [sys.executable, "-m", "services.cli", "status"], env={**env, "COLUMNS": "160"}, cwd=REPO,
            capture_output=True, text=True, timeout=60,
        )
    finally:
        codes = [stop(p) for p in processes]
        await server.stop()
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log")}
    assert fetcher[("jikenbo_polls_total", (("feed", "seeds"), ("result", "200")))] >= 1, logs
    assert fetcher[("jikenbo_fetched_bytes_total", (("feed", "seeds"),))] > 0
    assert fetcher[("jikenbo_posts_published_total", (("origin", "live"),))] == 5
    assert parser[("jikenbo_posts_parsed_total", ())] == 5
    assert parser[("jikenbo_incidents_parsed_total", ())] >= 4
    assert alerter[("jikenbo_alerts_total", (("channel", "kafka"), ("result", "new")))] >= 1
    assert alerter[("jikenbo_end_to_end_latency_seconds_count", (("origin", "live"),))] >= 1
    assert readiness == {"fetcher": 200, "parser": 200, "alerter": 200}, logs
    assert status.returncode == 0, status.stderr
    screen = status.stdout
    assert "seeds" in screen and ("200" in screen or "304" in screen), screen  # the last poll: first (200) or a later one (304)
    assert "parser" in screen and "alerter" in screen
    assert "today: " in screen and "alert(s)" in screen and "dead letters: 0" in screen
    assert "today: 0 incident(s)" not in screen
    assert " 0 alert(s)" not in screen, "alerts produced in one batch must all be counted"
    assert codes == [0, 0, 0], logs
