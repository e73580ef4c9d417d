"""End to end: backfill throughput, live latency (1 s polling and WebSub push) and peak RSS of every service.

    .venv/bin/python bench/e2e.py [--posts 5000] [--live 100] [--live-seconds 60] [--quick] [--json bench/results/e2e.json]

A feed server in a process of its own serves a Blogger-like history of
`--posts` entries built from the corpus (each seed post varied: its own post
id, case number, organisation and affected count), paged with start-index /
max-results and rel="next", plus two live feeds on which entries appear at
random times. Everything else runs as in production, on a real embedded
broker (Tansu): `jikenbo parser` and `jikenbo alerter` worker processes (one
each, with subscriptions that match a good share of the incidents),
`jikenbo backfill` walking the history, and `jikenbo fetcher` following the
live feeds.

1. Broker ceiling: a plain aiokafka producer and consumer move the same
   raw-post JSON through the same broker (first send to last receipt).
2. Backfill: from the server's first history request to the last expected
   alert on the alerts topic (expected = the same parser and matcher run
   offline on the same pages), in posts/s.
3. Live, 1 s polling (interval, min_interval and max_interval "1s"): from an
   entry's appearance on the server to its alert on the alerts topic.
4. Live, WebSub push: the server is the hub; it verifies the fetcher's
   subscription and, when an entry appears, POSTs a feed holding it to the
   fetcher's callback, signed (sha1 HMAC, as Blogger's hub signs). The feed's
   poll interval is 5 minutes, so only push can be fast.
5. Peak RSS (VmRSS sampled every 0.2 s, summed over each service process and
   its children: the parser's parse process counts as the parser's). The
   embedded broker keeps every message in memory, those of step 1 included.
6. CPU ms per backfilled post of each process (the bench's own consumer
   included), from the first request to the last alert: on 2 cores, 2,000
   divided by their sum bounds the throughput.

The server is on loopback, so `fetcher.per_host_delay` is 0 here; with the
default 1 s, a backfill is bounded by politeness at one page (150 posts) per
second. Alerts are timed when a plain consumer on the alerts topic receives them.

Targets (issue 7, on a 2-core machine): backfill >= 500 posts/s; live p99
<= 1.5 s with 1 s polling and <= 0.5 s with push; each service <= 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import math
import multiprocessing
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web

from services.demo.feed import atom_entry, corpus_documents, first_line, text_to_html

PREFIX = "e2e"
BLOG_ID = "7000"
PAGE_CAP = 150  # Blogger's max-results cap (the backfill asks Blogger feeds for 150 a page)
LIVE_WINDOW = 25  # entries in a live feed document, as Blogger's default page
# How long a live phase waits for the last alerts once every entry has appeared: beyond
# aiokafka's 40 s request timeout, so that a produce request the broker leaves unanswered
# (README, "Reading the topics from your own programs") shows up as latency, not as a lost alert.
LIVE_GRACE = 60.0
START = datetime(2025, 3, 10, tzinfo=UTC)
KANA = "アイウエオカキクケコサシスセソタチツテト"
_CASE = re.compile(r"#(\d{4})-(\d{3})")
_NUMBER = re.compile(r"[0-9][0-9,]*")

SUBSCRIPTIONS = """
[[subscriptions]]
name = "ransomware"
incident_types = ["ransomware"]

[[subscriptions]]
name = "hospitals-schools"
sectors = ["医療", "教育"]

[[subscriptions]]
name = "large-breaches"
min_affected = 10000

[[subscriptions]]
name = "retail"
sectors = ["小売・EC"]

[[subscriptions]]
name = "suppliers"
vendors = ["acmailer", "WebLAYLA", "Microsoft Teams"]
"""


# ---------------------------------------------------------------- the corpus, varied


@dataclass(frozen=True)
class Template:
    """A seed post (one incident or article) and what to vary in it."""

    text: str
    organization: str | None
    affected_text: str | None


@dataclass(frozen=True)
class Entry:
    """One feed entry; `link` is what identifies it in the alert."""

    post_id: str
    title: str
    html: str
    link: str


def templates() -> list[Template]:
    """The seed documents split as the blog publishes them: one post per incident or article."""
    from services.parser.core import parse_post, split

    found = []
    for _, document in corpus_documents():
        for segment in split(document):
            incidents = parse_post(segment.text)
            first = incidents[0] if incidents else {}
            affected = (first.get("affected") or {}).get("text")
            found.append(Template(segment.text, first.get("organization"), affected if affected and _NUMBER.search(affected) else None))
    return found


def brand(n: int) -> str:
    """A made-up katakana name, distinct for every n below 20**4."""
    return "".join(KANA[(n // 20**i) % 20] for i in range(4))


def vary(template: Template, n: int) -> str:
    """The template with its own case number, organisation and affected count."""
    text = _CASE.sub(f"#{2000 + n // 1000}-{n % 1000:03d}", template.text, count=1)  # the blog's #YYYY-NNN, distinct per n
    if template.organization and len(template.organization) >= 2:
        text = text.replace(template.organization, brand(n) + template.organization)
    if template.affected_text and template.affected_text in text:
        def bump(match: re.Match[str]) -> str:
            value = int(match.group(0).replace(",", "")) + 1 + n % 997
            return f"{value:,}" if "," in match.group(0) else str(value)

        text = text.replace(template.affected_text, _NUMBER.sub(bump, template.affected_text, count=1))
    return text


def make_entry(pieces: list[Template], n: int, kind: str) -> Entry:
    text = vary(pieces[n % len(pieces)], n)
    return Entry(f"tag:blogger.com,1999:blog-{BLOG_ID}.post-{kind}{n}", first_line(text)[:200], text_to_html(text), f"https://bench.jikenbo.invalid/{kind}/{n}.html")


def atom(feed_id: str, entries: list[tuple[Entry, datetime]], links: dict[str, str], total: int | None = None) -> bytes:
    """A Blogger-like Atom document, entries given newest first."""
    head = (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>"
        f"<id>tag:blogger.com,1999:blog-{feed_id}</id><updated>{START.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</updated>"
        "<title type='text'>jikenbo e2e bench</title>"
        + "".join(f"<link rel='{rel}' href={quoteattr(href)}/>" for rel, href in links.items())
        + (f"<openSearch:totalResults>{total}</openSearch:totalResults>" if total is not None else "")
    )
    body = "".join(atom_entry(e.post_id, e.title, e.html, when, e.link) for e, when in entries)
    return (head + body + "</feed>").encode("utf-8")


def history_page(history: list[Entry], base: str, start_index: int, max_results: int) -> bytes:
    """Page `start_index` (1-based) of the history, newest first, with rel="next" while more remain."""
    size = max(1, min(PAGE_CAP, max_results))
    chunk = history[start_index - 1 : start_index - 1 + size]
    links = {"self": f"{base}?{urlencode({'start-index': start_index, 'max-results': size})}"}
    if start_index - 1 + size < len(history):
        links["next"] = f"{base}?{urlencode({'start-index': start_index + size, 'max-results': size})}"
    dated = [(e, START - timedelta(minutes=10 * (start_index - 1 + i))) for i, e in enumerate(chunk)]
    return atom(BLOG_ID, dated, links, total=len(history))


# ---------------------------------------------------------------- the feed server and hub (own process)


def serve(port: int, history: list[Entry], live: dict[str, list[Entry]], initial: dict[str, list[Entry]], ready: Any) -> None:
    """History pages, live feeds whose entries appear on request, and a WebSub hub."""
    import aiohttp

    base = f"http://127.0.0.1:{port}"
    history_url = f"{base}/history/feeds/posts/default"
    stats: dict[str, Any] = {"first_history_request": None, "history_requests": 0}
    shown: dict[str, list[tuple[Entry, datetime]]] = {
        phase: [(e, START - timedelta(days=1 + i)) for i, e in enumerate(entries)] for phase, entries in initial.items()
    }
    appeared: dict[str, dict[str, float]] = {phase: {} for phase in live}
    polls: dict[str, int] = {phase: 0 for phase in live}
    done: dict[str, bool] = {phase: False for phase in live}
    subscribers: dict[str, tuple[str, str]] = {}  # topic -> (callback, secret)
    push_errors: list[str] = []
    session: list[aiohttp.ClientSession] = []

    def live_url(phase: str) -> str:
        return f"{base}/live/{phase}/feeds/posts/default"

    def live_links(phase: str) -> dict[str, str]:
        links = {"self": live_url(phase)}
        if phase == "push":
            links["hub"] = f"{base}/hub"
        return links

    async def history_handler(request: web.Request) -> web.Response:
        if stats["first_history_request"] is None:
            stats["first_history_request"] = time.time()
        stats["history_requests"] += 1
        start = int(request.query.get("start-index", "1"))
        size = int(request.query.get("max-results", "25"))
        body = await asyncio.to_thread(history_page, history, history_url, start, size)
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")

    async def live_handler(request: web.Request) -> web.Response:
        phase = request.match_info["phase"]
        polls[phase] += 1
        entries = shown[phase][:LIVE_WINDOW]
        etag = f'"{phase}-{len(shown[phase])}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=atom(f"{BLOG_ID}{phase}", entries, live_links(phase)), content_type="application/atom+xml", charset="utf-8", headers={"ETag": etag})

    async def hub(request: web.Request) -> web.Response:
        form = dict(await request.post())
        asyncio.get_running_loop().create_task(verify(str(form["hub.topic"]), str(form["hub.callback"]), str(form.get("hub.secret", ""))))
        return web.Response(status=202)

    async def verify(topic: str, callback: str, secret: str) -> None:
        challenge = secrets.token_hex(8)
        query = {"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": challenge, "hub.lease_seconds": "86400"}
        try:
            async with session[0].get(callback, params=query) as response:
                if response.status == 200 and await response.text() == challenge:
                    subscribers[topic] = (callback, secret)
        except aiohttp.ClientError as exc:
            push_errors.append(f"verify: {exc!r}")

    async def push(phase: str, entry: Entry, when: datetime) -> None:
        """A fat ping holding only the new entry, as Blogger's hub sends."""
        target = subscribers.get(live_url(phase))
        if target is None:
            push_errors.append("no subscriber")
            return
        callback, secret = target
        body = atom(f"{BLOG_ID}{phase}", [(entry, when)], live_links(phase))
        signature = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
        try:
            async with session[0].post(callback, data=body, headers={"Content-Type": "application/atom+xml", "X-Hub-Signature": signature}) as response:
                if response.status >= 300:
                    push_errors.append(f"HTTP {response.status}")
        except aiohttp.ClientError as exc:
            push_errors.append(repr(exc))

    async def reveal(phase: str, duration: float, seed: int) -> None:
        rng = random.Random(seed)
        offsets = sorted(rng.uniform(0, duration) for _ in live[phase])
        loop = asyncio.get_running_loop()
        began = loop.time()
        for entry, offset in zip(live[phase], offsets):
            await asyncio.sleep(max(0.0, began + offset - loop.time()))
            now = datetime.now(UTC)
            shown[phase].insert(0, (entry, now))
            appeared[phase][entry.link] = time.time()
            if phase == "push":
                loop.create_task(push(phase, entry, now))
        done[phase] = True

    async def start_live(request: web.Request) -> web.Response:
        phase = request.match_info["phase"]
        asyncio.get_running_loop().create_task(reveal(phase, float(request.query["duration"]), int(request.query["seed"])))
        return web.json_response({"started": phase})

    async def live_status(request: web.Request) -> web.Response:
        phase = request.match_info["phase"]
        return web.json_response({
            "appeared": appeared[phase], "done": done[phase], "polls": polls[phase],
            "subscribed": live_url(phase) in subscribers, "push_errors": push_errors[:5],
        })

    async def read_stats(request: web.Request) -> web.Response:
        return web.json_response(stats)

    async def main() -> None:
        session.append(aiohttp.ClientSession())
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/history/feeds/posts/default", history_handler)
        app.router.add_get("/live/{phase}/feeds/posts/default", live_handler)
        app.router.add_post("/hub", hub)
        app.router.add_post("/_live/{phase}/start", start_live)
        app.router.add_get("/_live/{phase}", live_status)
        app.router.add_get("/_stats", read_stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def server_json(port: int, path: str, method: str = "GET") -> dict[str, Any]:
    with urlopen(Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None), timeout=10) as response:
        return json.loads(response.read())


# ---------------------------------------------------------------- processes and their memory


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` and its live descendants."""
    total = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Polls VmRSS of each watched process tree; keeps the peak of each tree's sum, and the largest VmHWM."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.watched: dict[str, int] = {}
        self.peak_mb: dict[str, float] = {}
        self.hwm_mb: dict[str, float] = {}
        self.stopped = threading.Event()

    def watch(self, name: str, pid: int) -> None:
        self.watched[name] = pid
        self.peak_mb.setdefault(name, 0.0)
        self.hwm_mb.setdefault(name, 0.0)

    def sample(self, pids: dict[str, list[int]]) -> None:
        for name, members in pids.items():
            self.peak_mb[name] = max(self.peak_mb[name], sum(status_kb(p, "VmRSS") for p in members) / 1024)
            self.hwm_mb[name] = max([self.hwm_mb[name], *(status_kb(p, "VmHWM") / 1024 for p in members)])

    def run(self) -> None:
        pids: dict[str, list[int]] = {}
        refreshed = 0.0
        while not self.stopped.wait(self.interval):
            if time.monotonic() - refreshed > 1.0:  # children come and go rarely; a /proc walk costs
                pids = {name: tree(pid) for name, pid in list(self.watched.items())}
                refreshed = time.monotonic()
            self.sample(pids)

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)


PROFILE: set[str] = set()  # services to run under `py-spy record` (--profile)


def start_service(args: list[str], env: dict[str, str], log_path: Path, name: str | None = None) -> subprocess.Popen[bytes]:
    """`python -m services.cli ARGS` as production runs it, output to a log file."""
    command = [sys.executable, "-m", "services.cli", *args]
    name = name or args[0]
    if name in PROFILE:  # py-spy becomes the parent: its RSS and CPU count as the service's in that run
        out = REPO / "bench" / "results" / f"e2e-{name}.folded"
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "-f", "raw", "--subprocesses", "-o", str(out), "--", *command]
    with open(log_path, "ab") as log:
        return subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop_service(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM, as an operator would; a py-spy parent gets SIGINT (it then writes its profile), its child SIGTERM."""
    if process.poll() is None:
        profiled = Path(str(process.args[0])).name == "py-spy"  # type: ignore[index]
        children = tree(process.pid)[1:] if profiled else []
        process.send_signal(signal.SIGINT if profiled else signal.SIGTERM)
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- measuring


LINK_OF = {  # where each topic's messages name the post they come from
    "raw": lambda value: value["url"],
    "incidents": lambda value: value["source"]["url"],
    "alerts": lambda value: value["incident"]["url"],
}


class TopicWatch:
    """A plain consumer on one pipeline topic: when messages about each post link arrived."""

    def __init__(self, bootstrap: str, topic: str, kind: str, from_end: bool = False) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.link_of = LINK_OF[kind]
        self.from_end = from_end
        self.first_seen: dict[str, float] = {}  # post link -> first message about it received
        self.last_seen: dict[str, float] = {}
        self.count: dict[str, int] = {}  # post link -> messages about it
        self.ready = asyncio.Event()  # positioned: whatever is produced from now on will be seen
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from services.common import serde

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=50,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(self.topic, p) for p in sorted(consumer.partitions_for_topic(self.topic) or ())]
            consumer.assign(partitions)
            await (consumer.seek_to_end if self.from_end else consumer.seek_to_beginning)(*partitions)
            for partition in partitions:
                await consumer.position(partition)
            self.ready.set()
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                now = time.time()
                for messages in batch.values():
                    for message in messages:
                        url = self.link_of(serde.loads(message.value))
                        self.first_seen.setdefault(url, now)
                        self.last_seen[url] = now
                        self.count[url] = self.count.get(url, 0) + 1
        finally:
            await consumer.stop()

    async def start(self) -> None:
        self.task = asyncio.create_task(self.run())
        await asyncio.wait([self.task, asyncio.create_task(self.ready.wait())], return_when=asyncio.FIRST_COMPLETED)
        if self.task.done():
            self.task.result()

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def wait(self, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            if self.task and self.task.done():
                self.task.result()
            await asyncio.sleep(0.05)
        return bool(predicate())


@dataclass
class Expected:
    """What the pipeline must produce from some feed pages, by the services' own code run offline."""

    payloads: list[bytes]  # the raw-post messages, as the fetcher publishes them
    alerts: dict[str, int]  # post link -> alerts its incidents raise (posts with none left out)
    incidents: dict[str, str]  # incident id -> post link


def expected_alerts(config_path: Path, bodies: list[bytes], feed: str, origin: str) -> Expected:
    """Parse the pages, split and extract the posts, match the incidents against the subscriptions."""
    from services.alerter.match import SubscriptionIndex
    from services.alerter.subscriptions import subscriptions_from_config
    from services.common import serde
    from services.common.config import load_config
    from services.fetcher.feeds import parse_feed
    from services.parser.handling import incidents_from_post

    index = SubscriptionIndex(subscriptions_from_config(load_config(config_path, env={}), ()))
    payloads, alerts, incidents = [], {}, {}
    for body in bodies:
        for post in parse_feed(body, {"content-type": "application/atom+xml"}, feed, origin).posts:
            payloads.append(serde.dumps(post))
            for incident in incidents_from_post(post):
                incidents[incident["incident_id"]] = incident
    for incident in incidents.values():
        url = incident["source"]["url"]
        alerts[url] = alerts.get(url, 0) + len(index.matches(incident))
    links = {incident_id: incident["source"]["url"] for incident_id, incident in incidents.items()}
    return Expected(payloads, {url: n for url, n in alerts.items() if n}, links)


async def broker_ceiling(bootstrap: str, payloads: list[bytes]) -> dict[str, float]:
    """A plain aiokafka producer and consumer moving `payloads` through the broker, concurrently."""
    from aiokafka import AIOKafkaConsumer

    from services.common.kafka import ensure_topics, make_producer

    topic = f"{PREFIX}.ceiling"
    await ensure_topics(bootstrap, [topic], 4)
    producer = make_producer(bootstrap, "bench-ceiling")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
        fetch_max_wait_ms=50, max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await producer.start()
    await consumer.start()
    try:
        received = 0

        async def consume() -> float:
            nonlocal received
            while received < len(payloads):
                batch = await consumer.getmany(timeout_ms=200)
                received += sum(len(v) for v in batch.values())
            return time.perf_counter()

        reading = asyncio.create_task(consume())
        started = time.perf_counter()
        futures = [await producer.send(topic, p, key=str(i).encode()) for i, p in enumerate(payloads)]
        await asyncio.gather(*futures)
        produced = time.perf_counter() - started
        finished = await asyncio.wait_for(reading, 300)
    finally:
        await consumer.stop()
        await producer.stop()
    elapsed = finished - started
    megabytes = sum(len(p) for p in payloads) / 1e6
    return {"posts": len(payloads), "megabytes": megabytes, "produce_s": produced, "elapsed_s": elapsed, "posts_per_s": len(payloads) / elapsed, "mb_per_s": megabytes / elapsed}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_summary(appeared: dict[str, float], watches: dict[str, TopicWatch]) -> dict[str, Any]:
    """Percentiles of appearance -> alert, and the median of each hop on the way (where the time goes)."""
    alerts = watches["alerts"].first_seen
    latencies = [alerts[url] - t for url, t in appeared.items() if url in alerts]
    summary: dict[str, Any] = {"entries": len(appeared), "alerted": len(latencies)}
    for name, fraction in (("p50_s", 0.5), ("p95_s", 0.95), ("p99_s", 0.99), ("max_s", 1.0)):
        summary[name] = percentile(latencies, fraction) if latencies else None
    summary["mean_s"] = sum(latencies) / len(latencies) if latencies else None
    stages = [("appeared", appeared), *((kind, watches[kind].first_seen) for kind in ("raw", "incidents", "alerts"))]
    hops = {}
    for (before, earlier), (after, later) in pairwise(stages):
        gaps = [later[url] - earlier[url] for url in appeared if url in earlier and url in later]
        hops[f"{before}->{after}"] = {"p50_s": percentile(gaps, 0.5), "max_s": max(gaps)} if gaps else None
    summary["hops"] = hops
    return summary


def service_config(path: Path, feeds: str, fetcher_extra: str = "") -> Path:
    path.write_text(
        "[fetcher]\nallow_private_networks = true\nper_host_delay = \"0s\"\n" + fetcher_extra + "\n" + feeds + SUBSCRIPTIONS, encoding="utf-8"
    )
    return path


async def live_phase(
    phase: str, port: int, env: dict[str, str], config: Path, tmp: Path, watches: dict[str, TopicWatch], sampler: RssSampler,
    count: int, seconds: float, seed: int,
) -> dict[str, Any]:
    """Start a fetcher on the live feed, let `count` entries appear over `seconds`, time their alerts."""
    state = tmp / f"fetcher-{phase}"
    state.mkdir()
    fetcher = start_service(["fetcher"], {**env, "JIKENBO_CONFIG": str(config), "JIKENBO_STATE_DIR": str(state)}, tmp / f"fetcher-{phase}.log")
    sampler.watch("fetcher", fetcher.pid)
    try:
        ready = "subscribed" if phase == "push" else "polls"
        deadline = time.monotonic() + 60
        while not server_json(port, f"/_live/{phase}")[ready] and time.monotonic() < deadline:
            if fetcher.poll() is not None:
                raise RuntimeError(f"fetcher exited; see {tmp / f'fetcher-{phase}.log'}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # the initial entries go through before the clock starts
        server_json(port, f"/_live/{phase}/start?duration={seconds}&seed={seed}", "POST")
        await asyncio.sleep(seconds)
        status = server_json(port, f"/_live/{phase}")
        while not status["done"]:
            await asyncio.sleep(0.2)
            status = server_json(port, f"/_live/{phase}")
        alerts = watches["alerts"]
        await alerts.wait(lambda: all(url in alerts.first_seen for url in status["appeared"]), LIVE_GRACE)
    finally:
        stop_service(fetcher)
    summary = latency_summary(status["appeared"], watches)
    summary["push_errors"] = status["push_errors"] if phase == "push" else []
    return summary


async def measure(args: argparse.Namespace, tmp: Path, port: int, server_pid: int, history_bodies: list[bytes], warm: Entry) -> dict[str, Any]:
    from aiokafka import AIOKafkaProducer

    from services.common import serde
    from services.common.embedded_broker import EmbeddedBroker, free_port
    from services.common.kafka import ensure_topics
    from services.common.topics import Topics
    from services.fetcher.feeds import parse_feed

    topics = Topics(PREFIX)
    base = f"http://127.0.0.1:{port}"
    feeds_history = f'[[feeds]]\nname = "history"\nurl = "{base}/history/feeds/posts/default?max-results={PAGE_CAP}"\ninterval = "1h"\npush = false\n'
    feeds_poll = f'[[feeds]]\nname = "live-poll"\nurl = "{base}/live/poll/feeds/posts/default"\ninterval = "1s"\nmin_interval = "1s"\nmax_interval = "1s"\npush = false\n'
    feeds_push = f'[[feeds]]\nname = "live-push"\nurl = "{base}/live/push/feeds/posts/default"\ninterval = "5m"\n'
    callback_port = free_port()
    websub = f'websub_callback_url = "http://127.0.0.1:{callback_port}/websub"\nwebsub_listen = "127.0.0.1:{callback_port}"\n'
    config_backfill = service_config(tmp / "backfill.toml", feeds_history)
    config_poll = service_config(tmp / "poll.toml", feeds_poll)
    config_push = service_config(tmp / "push.toml", feeds_push, websub)

    offline = expected_alerts(config_backfill, history_bodies, "history", "backfill")
    payloads, expected, incident_count = offline.payloads, offline.alerts, len(offline.incidents)
    expected_total = sum(expected.values())
    sampler = RssSampler()
    sampler.start()
    async with EmbeddedBroker(tmp / "broker") as broker:
        assert broker.process is not None
        sampler.watch("broker", broker.process.pid)
        await ensure_topics(broker.bootstrap, topics.all(), 4)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIKENBO_")}
        env.update({
            "JIKENBO_BROKER_URL": broker.url, "JIKENBO_TOPIC_PREFIX": PREFIX, "JIKENBO_STATE_DIR": str(tmp / "state"),
            "JIKENBO_METRICS_PORT": "0", "JIKENBO_CONFIG": str(config_backfill), "PYTHONUNBUFFERED": "1",
        })
        workers = {name: start_service([name], env, tmp / f"{name}.log") for name in ("parser", "alerter")}
        for name, process in workers.items():
            sampler.watch(name, process.pid)
        # Alerts are read from the start; raw posts and incidents only in the live phases (reading the
        # backfill's 55 MB of raw posts would take CPU from the pipeline). Their end offsets cannot stand
        # in: the embedded broker reports one offset per record batch, not per record.
        watches = {"alerts": TopicWatch(broker.bootstrap, topics.alerts, "alerts")}
        await watches["alerts"].start()
        watch = watches["alerts"]
        try:
            # Warm-up: both consumer groups formed, one post all the way to an alert.
            warm_post = parse_feed(atom(BLOG_ID, [(warm, START)], {}), {}, "warm-up", "live").posts[0]
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=16 * 1024 * 1024)
            await producer.start()
            await producer.send_and_wait(topics.raw_posts, serde.dumps(warm_post), key=warm_post["post_id"].encode())
            await producer.stop()
            if not await watch.wait(lambda: warm.link in watch.first_seen, 180):
                raise RuntimeError(f"no alert for the warm-up post; see the logs in {tmp}")

            ceiling = await broker_ceiling(broker.bootstrap, payloads)

            bench_before = resource.getrusage(resource.RUSAGE_SELF)
            running = {"broker": broker.process.pid, **{name: p.pid for name, p in workers.items()}, "feed server": server_pid}
            cpu_before = {name: tree_cpu(pid) for name, pid in running.items()}
            children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            backfill = start_service(["backfill", "history"], env, tmp / "backfill.log")
            sampler.watch("backfill", backfill.pid)
            while backfill.poll() is None:
                await asyncio.sleep(0.05)
            published_at = time.time()
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the backfill process, reaped just now
            cpu = {"backfill": children_after.ru_utime + children_after.ru_stime - children_before.ru_utime - children_before.ru_stime}
            if backfill.returncode != 0:
                raise RuntimeError(f"jikenbo backfill failed; see {tmp / 'backfill.log'}")
            complete = await watch.wait(lambda: all(watch.count.get(url, 0) >= n for url, n in expected.items()), 600)
            cpu.update({name: tree_cpu(pid) - cpu_before[name] for name, pid in running.items()})
            bench_after = resource.getrusage(resource.RUSAGE_SELF)
            cpu["bench"] = bench_after.ru_utime + bench_after.ru_stime - bench_before.ru_utime - bench_before.ru_stime

            await asyncio.sleep(1.0)  # let late duplicates, if any, show up
            stats = server_json(port, "/_stats")
            first_request = stats["first_history_request"]
            last_alert = max(watch.last_seen[url] for url in expected if url in watch.last_seen)
            alerts_received = sum(1 for url in expected if url in watch.first_seen)
            alert_messages = sum(watch.count.get(url, 0) for url in expected)
            elapsed = last_alert - first_request
            backfill_result = {
                "posts": len(payloads), "pages": stats["history_requests"], "incidents_expected": incident_count,
                "alerts_expected": expected_total, "posts_alerted_expected": len(expected), "posts_alerted": alerts_received,
                "alerts_received": alert_messages,
                "complete": complete, "publish_s": published_at - first_request, "elapsed_s": elapsed,
                "posts_per_s": len(payloads) / elapsed, "alerts_per_s": expected_total / elapsed,
                "cpu_s": cpu, "cpu_ms_per_post": {name: 1000 * seconds / len(payloads) for name, seconds in cpu.items()},
            }
            for kind, topic in (("raw", topics.raw_posts), ("incidents", topics.incidents)):
                watches[kind] = TopicWatch(broker.bootstrap, topic, kind, from_end=True)
                await watches[kind].start()
            poll = await live_phase("poll", port, env, config_poll, tmp, watches, sampler, args.live, args.live_seconds, 1)
            push = await live_phase("push", port, env, config_push, tmp, watches, sampler, args.live, args.live_seconds, 2)
        finally:
            for watch in watches.values():
                await watch.stop()
            for process in workers.values():
                stop_service(process)
    sampler.stop()
    backfill_result["fraction_of_ceiling"] = backfill_result["posts_per_s"] / ceiling["posts_per_s"]
    return {
        "ceiling": ceiling, "backfill": backfill_result, "live": {"poll_1s": poll, "push": push},
        "rss_mb": {name: {"peak_tree": sampler.peak_mb[name], "largest_vmhwm": sampler.hwm_mb[name]} for name in sampler.watched},
    }


# ---------------------------------------------------------------- report


def fmt(value: Any, spec: str = ".3f") -> str:
    return "n/a" if value is None else format(value, spec)


def table(result: dict[str, Any]) -> list[str]:
    b, c, live, rss = result["backfill"], result["ceiling"], result["live"], result["rss_mb"]
    rows = [
        (
            f"jikenbo end to end: {b['posts']:,} posts, {result['cores']} cores, load average "
            f"{result['load_average']['start'][0]:.2f} at start, {result['load_average']['end'][0]:.2f} at end (1 min)"
        ),
        f"{'measure':<48} {'value':>12}  target",
        f"{'broker ceiling: posts/s (aiokafka produce+consume)':<48} {c['posts_per_s']:>12,.0f}",
        f"{'broker ceiling: MB/s':<48} {c['mb_per_s']:>12.1f}",
        f"{'backfill: pages / posts':<48} {str(b['pages']) + ' / ' + format(b['posts'], ','):>12}",
        f"{'backfill: incidents / alerts expected':<48} {str(b['incidents_expected']) + ' / ' + str(b['alerts_expected']):>12}",
        f"{'backfill: alerts received':<48} {b['alerts_received']:>12}",
        f"{'backfill: posts alerted / expected':<48} {str(b['posts_alerted']) + ' / ' + str(b['posts_alerted_expected']):>12}",
        f"{'backfill: all posts published (s)':<48} {b['publish_s']:>12.2f}",
        f"{'backfill: first request -> last alert (s)':<48} {b['elapsed_s']:>12.2f}",
        f"{'backfill: posts/s end to end':<48} {b['posts_per_s']:>12.1f}  >= 500",
        f"{'backfill: CPU ms per post (all processes)':<48} {sum(b['cpu_ms_per_post'].values()):>12.2f}  "
        + "  ".join(f"{name} {ms:.2f}" for name, ms in b["cpu_ms_per_post"].items()),
        f"{'backfill: fraction of broker ceiling':<48} {b['fraction_of_ceiling']:>12.1%}",
    ]
    for key, label, target in (("poll_1s", "live, 1 s polling", "1.5"), ("push", "live, WebSub push", "0.5")):
        s = live[key]
        rows.append(f"{label + ': entries alerted / appeared':<48} {str(s['alerted']) + ' / ' + str(s['entries']):>12}")
        for name in ("p50_s", "p95_s", "p99_s", "max_s"):
            rows.append(f"{label + ': ' + name.replace('_s', ' latency (s)'):<48} {fmt(s[name]):>12}" + (f"  <= {target}" if name == "p99_s" else ""))
        hops = "  ".join(f"{hop.split('->')[1]} {fmt(h and h['p50_s'], '.2f')}" for hop, h in s["hops"].items())
        rows.append(f"{label + ': median hop (s)':<48} {'':>12}  {hops}")
    for name in ("broker", "parser", "alerter", "backfill", "fetcher"):
        if name in rss:
            target = "" if name == "broker" else "  <= 250"
            rows.append(f"{'peak RSS MB: ' + name + (' (+ parse process)' if name == 'parser' else ''):<48} {rss[name]['peak_tree']:>12.1f}{target}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="history size")
    parser.add_argument("--live", type=int, default=100, help="entries appearing in each live phase")
    parser.add_argument("--live-seconds", type=float, default=60.0, help="over how long they appear")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500 posts, 20 live entries over 8 s")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "e2e.json", help="where to write the figures")
    parser.add_argument(
        "--profile", action="append", default=[], choices=["parser", "alerter", "backfill", "fetcher"],
        help="run this service under `py-spy record` (collapsed stacks in bench/results/e2e-NAME.folded; distorts the figures)",
    )
    args = parser.parse_args()
    PROFILE.update(args.profile)
    if args.quick:
        args.posts, args.live, args.live_seconds = 500, 20, 8.0
    load_start = os.getloadavg()

    from services.common.embedded_broker import free_port

    pieces = templates()
    history = [make_entry(pieces, n, "h") for n in range(args.posts)]
    # Live entries: only posts that alert, so that each appearance has a latency to measure.
    candidates = [make_entry(pieces, n, "l") for n in range(args.posts, args.posts + 6 * args.live + 60)]
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as name:
        tmp = Path(name)
        probe = service_config(tmp / "probe.toml", "")
        alerting = expected_alerts(probe, [atom(BLOG_ID, [(e, START)], {}) for e in candidates], "live", "live").alerts
        chosen = [e for e in candidates if e.link in alerting]
        if len(chosen) < 2 * args.live + 4:
            raise SystemExit("not enough alerting live entries in the corpus")
        warm, initial_poll, initial_push = chosen[0], chosen[1:3], chosen[3:5]
        live = {"poll": chosen[5 : 5 + args.live], "push": chosen[5 + args.live : 5 + 2 * args.live]}
        port = free_port()
        history_url = f"http://127.0.0.1:{port}/history/feeds/posts/default"
        bodies = [history_page(history, history_url, start, PAGE_CAP) for start in range(1, len(history) + 1, PAGE_CAP)]
        ready = multiprocessing.get_context("fork").Event()
        server = multiprocessing.get_context("fork").Process(
            target=serve, args=(port, history, live, {"poll": initial_poll, "push": initial_push}, ready), daemon=True
        )
        server.start()
        try:
            if not ready.wait(60):
                raise SystemExit("feed server did not start")
            assert server.pid is not None
            result = asyncio.run(measure(args, tmp, port, server.pid, bodies, warm))
        finally:
            server.terminate()
    result.update(
        command=" ".join([Path(sys.executable).name, *sys.argv]), cores=os.cpu_count(),
        load_average={"start": list(load_start), "end": list(os.getloadavg())},
        targets={"backfill_posts_per_s": 500, "poll_p99_s": 1.5, "push_p99_s": 0.5, "service_rss_mb": 250},
    )
    for line in table(result):
        print(line)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
