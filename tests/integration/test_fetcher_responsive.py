"""The fetcher stays responsive while it follows hostile feeds.

One `jikenbo fetcher` process follows, every second, an entity bomb, 9 MB of
unclosed tags (which goes to the bounded feedparser child and keeps it busy
for its whole 30 s budget), an entry of 5 MB of spaces, an entry of 50,000
nested divs, and one ordinary feed. For ten seconds the test asks the
fetcher's /healthz every 100 ms and times each answer: /healthz is served by
the fetcher's own event loop, so a slow answer is a loop held up by feed
handling. The ordinary feed must keep its one-second schedule meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from services.common.embedded_broker import EmbeddedBroker, free_port
from services.demo.feed import atom_entry
from tests.feed_server import FeedServer
from tests.processes import alive, descendants, service_env, start, stop

pytestmark = pytest.mark.integration

WINDOW = 10.0  # seconds of /healthz probes
PROBE_EVERY = 0.1
HEALTHZ_BUDGET = 1.0
HEAD = "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
WHEN = datetime(2025, 1, 1, tzinfo=timezone.utc)
HEADER = "【セキュリティ事件簿#2025-001】"


def atom(name: str, body_html: str) -> bytes:
    entry = atom_entry(f"tag:responsive,2025:{name}", name, body_html, WHEN, f"http://responsive.invalid/{name}")
    return (HEAD + entry + "</feed>").encode()


ENTITIES = (
    "<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY a 'aaaaaaaaaa'>"
    + "".join(f"<!ENTITY {c} '{('&' + p + ';') * 10}'>" for p, c in zip("abcdefgh", "bcdefghi"))
    + "]><feed xmlns='http://www.w3.org/2005/Atom'><title>&i;</title></feed>"
).encode()
HOSTILE = {
    "entities": ENTITIES,
    "unclosed-tags": (HEAD + "<entry><title>x</title><content type='html'>").encode() + b"<b>" * (3 * 1024 * 1024),  # 9 MB
    "spaces": atom("spaces", "<p>" + HEADER + " " * 5_000_000 + "株式会社スペース</p>"),
    "nested": atom("nested", "<div>" * 50_000 + HEADER + "株式会社ネスト" + "</div>" * 50_000),
}
NORMAL = atom("normal", "<p>" + HEADER + "株式会社ノーマル 不正アクセスについて</p>")


def config_text(base: str) -> str:
    feeds = "".join(
        f'[[feeds]]\nname = "{name}"\nurl = "{base}/{name}"\ninterval = "1s"\nmin_interval = "1s"\nmax_interval = "1s"\n\n'
        for name in ("normal", *HOSTILE)
    )
    # Every feed on its own host in real life: neither politeness delay nor a per-host limit between them here.
    return f'[fetcher]\nallow_private_networks = true\nper_host_delay = "0s"\nper_host_concurrency = 16\n\n{feeds}'


def fixed(body: bytes, polls: list[float] | None = None) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Always the same body, with no validators (each poll parses it again); `polls` gets the time of each request."""

    async def handle(request: web.Request) -> web.Response:
        if polls is not None:
            polls.append(time.monotonic())
        return web.Response(body=body, content_type="application/atom+xml")

    return handle


async def probe(session: aiohttp.ClientSession, url: str) -> float:
    """Seconds until /healthz answered 200; infinity if it did not within 5 s."""
    began = time.monotonic()
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
            await response.read()
            return time.monotonic() - began if response.status == 200 else float("inf")
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return float("inf")


def fallback_children(pid: int) -> list[int]:
    """The fetcher's feedparser children (python -m services.fetcher.fallback)."""
    found = []
    for child in descendants(pid):
        try:
            if b"services.fetcher.fallback" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


@pytest.mark.timeout(120)
async def test_healthz_answers_within_a_second_and_the_normal_feed_keeps_its_schedule_under_hostile_feeds(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    server = await FeedServer().start()
    normal_polls: list[float] = []
    server.routes["/normal"] = fixed(NORMAL, normal_polls)
    for name, body in HOSTILE.items():
        server.routes[f"/{name}"] = fixed(body)
    config = tmp_path / "jikenbo.toml"
    config.write_text(config_text(server.base), encoding="utf-8")
    port = free_port()
    env = service_env(broker.url, tmp_path / "state", prefix, JIKENBO_CONFIG=str(config), JIKENBO_METRICS_PORT=str(port))
    fetcher = start(["fetcher"], env, tmp_path / "fetcher.log")
    healthz = f"http://127.0.0.1:{port}/healthz"
    latencies: list[float] = []
    family: list[int] = []
    try:
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + 60
            while not normal_polls or any(server.hits[f"/{name}"] == 0 for name in HOSTILE):
                assert time.monotonic() < deadline and fetcher.poll() is None, (tmp_path / "fetcher.log").read_text()[-3000:]
                await asyncio.sleep(0.1)
            window_start = time.monotonic()
            while time.monotonic() - window_start < WINDOW:
                latencies.append(await probe(session, healthz))
                if not family:
                    family = fallback_children(fetcher.pid)
                await asyncio.sleep(PROBE_EVERY)
            window_end = time.monotonic()
    finally:
        family += [pid for pid in descendants(fetcher.pid) if pid not in family]
        stop(fetcher, grace=5)  # a fetcher waiting for its feedparser child takes up to that child's 30 s to stop
        for pid in family:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        await server.stop()
    log = (tmp_path / "fetcher.log").read_text(errors="replace")
    in_window = [t for t in normal_polls if window_start <= t <= window_end]
    longest_gap = max((b - a for a, b in zip([window_start, *in_window], [*in_window, window_end])), default=WINDOW)
    print(
        f"/healthz under hostile feeds: {len(latencies)} probes in {WINDOW:g}s, max {max(latencies) * 1000:.0f} ms, "
        f"median {sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms; normal feed: {len(in_window)} polls, longest gap {longest_gap:.2f}s"
    )
    assert max(latencies) < HEALTHZ_BUDGET, sorted(latencies)[-5:]
    assert len(latencies) >= WINDOW / (PROBE_EVERY + HEALTHZ_BUDGET)
    assert len(in_window) >= WINDOW - 2 and longest_gap < 2.0, in_window
    assert family, "the 9 MB of unclosed tags never reached the bounded feedparser child"
    assert "feed entities: poll failed: feed declares XML entities" in log, log[-3000:]
    assert "feed spaces: 1 entries" in log and "feed nested: 1 entries" in log, log[-3000:]
    assert server.hits["/spaces"] >= WINDOW - 2 and server.hits["/nested"] >= WINDOW - 2, "the hostile entries were not re-read every second"
    assert "Traceback" not in log, log[-3000:]
