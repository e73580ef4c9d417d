"""One full poll cycle of many feeds: jikenbo's fetcher against the naive feedparser loop.

    .venv/bin/python bench/fetch.py [--feeds 2000] [--entries 3]

A separate server process serves N small Blogger-like feeds (ETag and
Last-Modified honoured), each on its own loopback address (127.0.x.y) as
feeds on N different sites would be, so per-host politeness applies as in
production. The fetcher runs in a child process of its own and polls every
feed once with publishing included: posts go to a real embedded broker
(Tansu) and are recorded in SQLite after the ack. First cycle: every feed
is new, so changed; second cycle: every feed unchanged. The baseline, also
in a child process of its own, is the loop a user might write instead:
`feedparser.parse(url)` for each feed, no validators, nothing published.
Bytes are counted by the server (bodies plus response headers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402

from services.demo.feed import atom_entry, corpus_documents, first_line, text_to_html  # noqa: E402

LAST_MODIFIED = "Mon, 10 Mar 2025 00:00:00 GMT"


def host_of(n: int) -> str:
    return f"127.{n // 250}.{n % 250 + 1}.1" if n // 250 < 255 else "127.0.0.1"


def feed_url(n: int, port: int) -> str:
    return f"http://{host_of(n)}:{port}/feeds/{n}/posts/default"


def build_feeds(count: int, entries: int) -> list[bytes]:
    """Small Blogger-like Atom feeds: `entries` posts each, 1-2 KB excerpts of the corpus."""
    documents = corpus_documents()
    start = datetime(2025, 3, 10, tzinfo=timezone.utc)
    feeds = []
    for n in range(count):
        parts = []
        for e in range(entries):
            name, text = documents[(n + e) % len(documents)]
            excerpt = text[(n * 37) % 4000 :][:1500]
            parts.append(atom_entry(
                f"tag:blogger.com,1999:blog-{n}.post-{e}", first_line(excerpt) or name, text_to_html(excerpt),
                start - timedelta(days=e), f"https://blog{n}.example/{e}.html",
            ))
        head = (
            "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<id>tag:blogger.com,1999:blog-{n}</id><title type='text'>blog {n}</title>"
            "<link rel='hub' href='http://pubsubhubbub.appspot.com/'/>"
        )
        feeds.append((head + "".join(parts) + "</feed>").encode())
    return feeds


def serve(port: int, count: int, entries: int, ready: Any) -> None:
    """The feed server process; counts bytes it sends (bodies plus headers)."""
    feeds = build_feeds(count, entries)
    stats = {"bytes": 0, "requests": 0, "304": 0, "200": 0}

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        etag = f'"{n}-v1"'
        stats["requests"] += 1
        if request.headers.get("If-None-Match") == etag or request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            response = web.Response(status=304, headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})
            stats["304"] += 1
        else:
            response = web.Response(body=feeds[n], content_type="application/atom+xml", headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})
            stats["200"] += 1
        return response

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if request.path.startswith("/feeds/"):
            head = 17 + sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 60  # status line, Date/Server
            stats["bytes"] += head + (response.content_length or 0)

    async def read_stats(request: web.Request) -> web.Response:
        snapshot = dict(stats)
        for key in stats:
            stats[key] = 0
        return web.json_response(snapshot)

    async def main() -> None:
        app = web.Application()
        app.on_response_prepare.append(on_prepare)
        app.router.add_get("/feeds/{n}/posts/default", feed)
        app.router.add_get("/_stats", read_stats)
        runner = web.AppRunner(app, access_log=None, keepalive_timeout=5)
        await runner.setup()
        # 0.0.0.0 so that every 127.x.y.z reaches it; a benchmark-only server of synthetic feeds.
        await web.TCPSite(runner, "0.0.0.0", port, backlog=4096).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def server_stats(port: int) -> dict[str, int]:
    with urlopen(f"http://127.0.0.1:{port}/_stats") as response:
        return json.loads(response.read())


def usage() -> tuple[float, float]:
    """(CPU seconds of this process and its threads, peak RSS in MB so far)."""
    self = resource.getrusage(resource.RUSAGE_SELF)
    return self.ru_utime + self.ru_stime, self.ru_maxrss / 1024


def run_jikenbo(port: int, count: int, bootstrap: str) -> list[dict[str, Any]]:
    """Child process: two poll cycles of the real fetcher, publishing to the broker."""
    from services.common.config import Config, FeedConfig, FetcherConfig
    from services.common.kafka import ensure_pipeline_topics, make_producer
    from services.fetcher.http import HttpClient, make_session
    from services.fetcher.polling import Poller
    from services.fetcher.state import FetcherState

    async def main() -> list[dict[str, Any]]:
        state_dir = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
        feeds = tuple(FeedConfig(name=f"f{n}", url=feed_url(n, port)) for n in range(count))
        config = Config(topic_prefix="bench", state_dir=state_dir, fetcher=FetcherConfig(allow_private_networks=True), feeds=feeds)
        await ensure_pipeline_topics(config, bootstrap)
        producer = make_producer(bootstrap, "bench")
        await producer.start()
        state = FetcherState(state_dir / "fetcher.sqlite3")
        service = Poller(config, producer, state)
        rows = []
        async with make_session(config.fetcher) as session:
            service.client = HttpClient(session, config.fetcher)
            for label in ("changed", "unchanged"):
                server_stats(port)
                cpu0, wall0 = usage()[0], time.perf_counter()
                outcomes = await asyncio.gather(*(service.poll(feed, service.feed_state(feed)) for feed in feeds))
                wall, (cpu, rss) = time.perf_counter() - wall0, usage()
                statuses = {s: sum(o.status == s for o in outcomes) for s in ("200", "304", "error")}
                errors = [o.error for o in outcomes if o.error][:3]
                rows.append({
                    "run": f"jikenbo, {label}", "wall": wall, "cpu": cpu - cpu0, "rss": rss,
                    "bytes": server_stats(port)["bytes"], "published": sum(o.published for o in outcomes),
                    "statuses": statuses, "errors": errors,
                })
        await producer.stop()
        state.close()
        return rows

    return asyncio.run(main())


def run_baseline(port: int, count: int) -> list[dict[str, Any]]:
    """Child process: the naive loop, twice (it has no validators, so both cycles cost the same)."""
    import feedparser

    rows = []
    for label in ("changed", "unchanged"):
        server_stats(port)
        cpu0, wall0 = usage()[0], time.perf_counter()
        entries = sum(len(feedparser.parse(feed_url(n, port)).entries) for n in range(count))
        wall, (cpu, rss) = time.perf_counter() - wall0, usage()
        rows.append({"run": f"feedparser.parse(url) loop, {label}", "wall": wall, "cpu": cpu - cpu0, "rss": rss,
                     "bytes": server_stats(port)["bytes"], "published": 0, "statuses": {"entries": entries}, "errors": []})
    return rows


def parse_comparison() -> list[tuple[str, float]]:
    """Best of five: the two parsers alone, then bytes -> raw posts by each path, on a ~1.4 MB Blogger feed."""
    import io

    import fastfeedparser
    import feedparser

    from services.demo.feed import build_atom
    from services.fetcher.feeds import parse_fast, parse_slow

    body = build_atom([(f"{name}-{n}", text) for n in range(10) for name, text in corpus_documents()])
    headers = {"content-type": "application/atom+xml"}
    candidates = {
        "feedparser.parse": lambda: feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False),
        "fastfeedparser.parse": lambda: fastfeedparser.parse(body),
        "raw posts, feedparser path": lambda: parse_slow(body, headers, "f", "live", "x"),
        "raw posts, fast path": lambda: parse_fast(body, "f", "live", "x"),
    }
    results = [(f"{len(body) / 1e6:.2f} MB feed, 50 entries", 0.0)]
    for name, run in candidates.items():
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - started)
        results.append((name, best))
    return results


def child(kind: str, port: int, count: int, bootstrap: str) -> list[dict[str, Any]]:
    """Run one side in a fresh interpreter, so that its peak RSS is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--port", str(port), "--feeds", str(count), "--bootstrap", bootstrap],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=3)
    parser.add_argument("--child", choices=["jikenbo", "baseline"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--bootstrap", default="")
    args = parser.parse_args()
    if args.child == "jikenbo":
        print(json.dumps(run_jikenbo(args.port, args.feeds, args.bootstrap)))
        return
    if args.child == "baseline":
        print(json.dumps(run_baseline(args.port, args.feeds)))
        return

    from services.common.embedded_broker import EmbeddedBroker, free_port

    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, args.feeds, args.entries, ready), daemon=True)
    server.start()
    ready.wait(60)
    with tempfile.TemporaryDirectory() as broker_dir, EmbeddedBroker(Path(broker_dir)) as broker:
        rows = child("jikenbo", port, args.feeds, broker.bootstrap) + child("baseline", port, args.feeds, "")
    server.terminate()
    print(f"{args.feeds} feeds, {args.entries} entries each, {os.cpu_count()} CPUs; jikenbo publishes to an embedded broker")
    print(f"{'run':<40} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>12} {'bytes':>12} {'published':>10}  statuses")
    for row in rows:
        print(f"{row['run']:<40} {row['wall']:7.2f} {row['cpu']:7.2f} {row['rss']:12.1f} {row['bytes']:12,d} {row['published']:10,d}  {row['statuses']}")
        for error in row["errors"]:
            print(f"{'':<40} error: {error}")
    print()
    (title, _), *timings = parse_comparison()
    print(f"parsing one {title} (best of 5):")
    for name, seconds in timings:
        print(f"  {name:<32} {seconds * 1000:8.1f} ms")
    unchanged = {row["run"].split(",")[0]: row["bytes"] for row in rows if row["run"].endswith("unchanged")}
    ours, naive = unchanged["jikenbo"], unchanged["feedparser.parse(url) loop"]
    print(f"bytes on unchanged feeds: baseline / jikenbo = {naive / max(1, ours):.1f}x")


if __name__ == "__main__":
    main()
