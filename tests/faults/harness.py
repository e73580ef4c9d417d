"""What the fault-injection tests share: a 2,000-post Blogger history, a webhook
receiver that counts deliveries, restartable service processes, and the
summary lines printed at the end of the run (tests/faults/conftest.py).

Everything random comes from one `random.Random(SEED)`; the seed is printed
with the summary, and `JIKENBO_FAULT_SEED=<seed>` replays a run's kill points.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from bench.parse import blog_posts
from services.alerter.channels.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.alerter.match import SubscriptionIndex
from services.alerter.subscriptions import parse_subscription
from services.common import serde
from services.common.embedded_broker import free_port
from services.demo.feed import atom_entry, first_line, text_to_html
from services.fetcher.feeds import parse_feed
from services.parser.handling import incidents_from_post
from tests.processes import alive, descendants, start, stop

SEED = int(os.environ.get("JIKENBO_FAULT_SEED", "0") or 0) or 20250607
POSTS = 2000
PAGE = 50
SECRET = "fault-webhook-secret"
BLOG_ID = "7000"
SECTORS = [
    "healthcare", "education", "government", "research", "telecom_it", "manufacturing", "retail_ecommerce",
    "finance", "real_estate", "staffing", "logistics", "media", "association", "individual", "other",
]
# Every incident matches (every incident has a sector), and backfilled ones page the webhook too:
# each incident is one webhook delivery that must arrive exactly once.
SUBSCRIPTION = {"name": "everything", "sectors": SECTORS, "channels": ["hook"], "backfill": "notify"}

SUMMARIES: list[str] = []


def rng_for(scenario: str) -> random.Random:
    """A generator per scenario, so that one scenario's draws do not shift another's."""
    return random.Random(f"{SEED}:{scenario}")


def summary(scenario: str, events_in: int, out: int, lost: int, duplicated: int, detail: str = "") -> str:
    line = f"{scenario}: events in {events_in}, out {out}, lost {lost}, duplicated {duplicated}"
    if detail:
        line += f" ({detail})"
    SUMMARIES.append(line)
    print(line)
    return line


# --------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class History:
    """A Blogger blog of `len(entries)` posts, newest first, and what the pipeline must make of it."""

    entries: tuple[str, ...]  # Atom <entry> elements, newest first
    expected: dict[str, dict[str, Any]]  # incident_id -> incident, from the offline parser
    alerts: frozenset[tuple[str, str]]  # (subscription, incident_id) the subscription must alert once

    @property
    def posts(self) -> int:
        return len(self.entries)


def atom_document(entries: list[str] | tuple[str, ...], links: dict[str, str], total: int | None = None) -> bytes:
    head = (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'"
        " xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>"
        f"<id>tag:blogger.com,1999:blog-{BLOG_ID}</id><title>セキュリティ事件簿 (fault test)</title>"
    )
    head += "".join(f"<link rel='{rel}' href='{href.replace('&', '&amp;')}'/>" for rel, href in links.items())
    if total is not None:
        head += f"<openSearch:totalResults>{total}</openSearch:totalResults>"
    return (head + "".join(entries) + "</feed>").encode("utf-8")


@functools.lru_cache(maxsize=2)
def history(count: int = POSTS) -> History:
    """`count` distinct posts from the corpus (bench/parse.py) as Atom entries; expected incidents and alerts.

    The expectation is computed the way the pipeline computes it: the fetcher's
    own feed parser on the served document, then `incidents_from_post`. Posts
    whose incidents would collide with an earlier post's id are left out, so
    every incident comes from exactly one post (no legitimate `update` alerts).
    """
    newest = datetime(2025, 3, 10, tzinfo=timezone.utc)
    entries: list[str] = []
    expected: dict[str, dict[str, Any]] = {}
    candidates = blog_posts(count * 2)
    for n, post in enumerate(candidates):
        if len(entries) == count:
            break
        text = post["text"]
        entry = atom_entry(
            f"tag:blogger.com,1999:blog-{BLOG_ID}.post-{n}", first_line(text)[:200], text_to_html(text),
            newest - timedelta(minutes=n), f"https://fault.jikenbo.invalid/posts/{n}.html",
        )
        (parsed,) = parse_feed(atom_document([entry], {}), {}, "fault", "backfill").posts
        incidents = incidents_from_post(parsed)
        ids = [i["incident_id"] for i in incidents]
        if len(set(ids)) != len(ids) or expected.keys() & set(ids):
            continue
        entries.append(entry)
        expected.update((i["incident_id"], i) for i in incidents)
    assert len(entries) == count, f"only {len(entries)} distinct posts"
    index = SubscriptionIndex([parse_subscription(SUBSCRIPTION)])
    alerts = frozenset((s.name, i) for i, incident in expected.items() for s, _ in index.matches(incident))
    return History(tuple(entries), expected, alerts)


class BlogServer:
    """A Blogger-style history at /feeds/posts/default (start-index, max-results, rel=next).

    `page_delay` stretches a backfill over time; `reveal` turns the first page
    into a live feed that shows `reveal` more posts on each request (newest
    `window` only), for a polling fetcher: every post shows up in some poll
    however long the fetcher was down, and nothing depends on wall time.
    """

    def __init__(self, story: History, page_delay: float = 0.0, reveal: int = 0, window: int = 200) -> None:
        self.story = story
        self.page_delay = page_delay
        self.reveal = reveal
        self.window = window
        self.shown = 0
        self.requests = 0
        self.paused = False
        self.runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/feeds/posts/default"

    async def serve(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.page_delay:
            await asyncio.sleep(self.page_delay)
        total = self.story.posts
        if self.reveal:
            # Live feed: history grows by `reveal` posts per request; the document shows the newest `window`.
            self.shown = min(total, self.shown + self.reveal)
            oldest_first = list(reversed(self.story.entries))[: self.shown]
            body = atom_document(list(reversed(oldest_first))[: self.window], {})
            return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")
        start = int(request.query.get("start-index", "1"))
        size = int(request.query.get("max-results", str(PAGE)))
        links = {}
        if start - 1 + size < total:
            links["next"] = f"http://localhost:{self.port}/feeds/{BLOG_ID}/posts/default?start-index={start + size}&max-results={size}"
        body = atom_document(self.story.entries[start - 1 : start - 1 + size], links, total)
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")

    async def start(self) -> "BlogServer":
        app = web.Application()
        app.router.add_get("/feeds/posts/default", self.serve)
        app.router.add_get(f"/feeds/{BLOG_ID}/posts/default", self.serve)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        self.port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


# --------------------------------------------------------------------------- the webhook receiver


@dataclass
class Call:
    delivery: str
    alert_ids: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]  # (subscription, incident_id)
    signed: bool
    at: float


class WebhookReceiver:
    """A webhook endpoint on its own thread and event loop, so a busy test loop never delays an answer
    (a slow answer would make the alerter retry, and count as a duplicate it did not cause)."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # a real endpoint takes a while to answer: a kill may land while a POST is in flight
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = request.headers
        payload = serde.loads(body)
        alerts = payload["alerts"]  # every delivery is an envelope {"version", "event", "digest", "alerts"}
        call = Call(
            delivery=headers.get(DELIVERY_HEADER, ""),
            alert_ids=tuple(a["alert_id"] for a in alerts),
            pairs=tuple((a["subscription"], a["incident"]["incident_id"]) for a in alerts),
            signed=verify(SECRET, headers.get(TIMESTAMP_HEADER, ""), body, headers.get(SIGNATURE_HEADER, "")),
            at=time.monotonic(),
        )
        with self._lock:
            self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        return web.Response(status=200)

    def start(self) -> "WebhookReceiver":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/hook", self.handle)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="webhook-receiver", daemon=True)
        self._thread.start()
        assert ready.wait(10), "webhook receiver did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def delivered_pairs(self) -> set[tuple[str, str]]:
        return {pair for call in self.snapshot() for pair in call.pairs}

    def tally(self) -> "Tally":
        calls = self.snapshot()
        by_delivery = Counter(c.delivery for c in calls)
        by_pair = Counter(pair for c in calls for pair in c.pairs)
        return Tally(
            posts=len(calls),
            distinct_deliveries=len(by_delivery),
            same_id_repeats=sum(n - 1 for n in by_delivery.values()),
            pair_repeats=sum(n - 1 for n in by_pair.values()),
            unsigned=sum(1 for c in calls if not c.signed),
            pairs=set(by_pair),
            repeated_ids=[d for d, n in by_delivery.items() if n > 1],
        )


@dataclass
class Tally:
    posts: int  # raw POSTs received
    distinct_deliveries: int  # distinct X-Jikenbo-Delivery ids
    same_id_repeats: int  # POSTs repeating a delivery id already received
    pair_repeats: int  # (subscription, incident) received more than once, whatever the id
    unsigned: int
    pairs: set[tuple[str, str]]
    repeated_ids: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- processes


class Service:
    """One `python -m services.cli ...` process that the test kills with SIGKILL and starts again."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.args, self.env, self.log_path = name, args, env, log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.kills: list[float] = []
        self.starts = 0
        self.orphans: list[str] = []  # descendants that outlived a kill -9 (then killed by the test)
        self.families: list[int] = []  # how many descendants each killed process had

    def start(self) -> "Service":
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts + 1} =====\n".encode())
        self.process = start(self.args, self.env, self.log_path)
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self, at: float | None = None) -> None:
        """A crash, not a shutdown: nothing gets to flush, commit or clean up."""
        assert self.process is not None
        family = list(descendants(self.process.pid))
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.kills.append(at if at is not None else time.monotonic())
        # Whatever the process had started must die with it (PR_SET_PDEATHSIG), not linger as an orphan.
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in family:
            if alive(pid):
                self.orphans.append(f"{pid} {cmdline(pid)}")
                os.kill(pid, signal.SIGKILL)
        self.families.append(len(family))

    def stop(self, grace: float = 20.0) -> int | None:
        return stop(self.process, grace) if self.process is not None else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def since(self, offset: int) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ({self.log_path}) ---\n" + self.log()[-chars:]


async def until(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(interval)
    return bool(check())


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
    except OSError:
        return "?"


def outbox_status(state_dir: Path) -> dict[str, int]:
    """Rows of the alerter's delivery outbox by status ('pending', 'delivered', 'dead')."""
    path = state_dir / "alerter.sqlite3"
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    except sqlite3.OperationalError:  # the file exists, its tables not yet: the service is still creating them
        return {}
    finally:
        db.close()


def fetcher_progress(state_dir: Path) -> tuple[int, int]:
    """(posts recorded as published, posts still unconfirmed downstream)."""
    path = state_dir / "fetcher.sqlite3"
    if not path.exists():
        return 0, 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        published = db.execute("SELECT count(*) FROM published").fetchone()[0]
        waiting = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        return int(published), int(waiting)
    except sqlite3.OperationalError:  # the file exists, its tables not yet: the fetcher is still creating them
        return 0, 0
    finally:
        db.close()


def config_text(feed_url: str | None, hook_url: str, *, feed_interval: str = "1s", partitions: int = 2) -> str:
    """A configuration with the webhook channel and the one subscription; a feed if given."""
    feeds = ""
    if feed_url:
        feeds = f"""
[[feeds]]
name = "blog"
url = "{feed_url}"
interval = "{feed_interval}"
min_interval = "{feed_interval}"
max_interval = "{feed_interval}"
"""
    sectors = ", ".join(f'"{s}"' for s in SECTORS)
    return f"""
[broker]
partitions = {partitions}

[metrics]
fetcher_port = 0
parser_port = 0
alerter_port = 0

[fetcher]
allow_private_networks = true
per_host_delay = "0s"
{feeds}
[channels.hook]
type = "webhook"
url = "{hook_url}"
secret_env = "FAULT_HOOK_SECRET"
timeout = "10s"
retries = 20
backoff = "200ms"
max_backoff = "2s"

[[subscriptions]]
name = "everything"
sectors = [{sectors}]
channels = ["hook"]
backfill = "notify"
"""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
