"""`jikenbo status`: one screen on how the pipeline is doing.

Feeds come from the fetcher's SQLite state and the archive's size from its
file (so run it where the state directory is); each service's readiness from
its /readyz on this machine (with its reason: a broker that cannot be
reached, a group catching up); consumer lag, today's incidents and alerts and the
dead-letter count come from the broker: the configured one, else the
embedded broker of a running `jikenbo up`. A broker that cannot be reached
still leaves the feeds on screen, with the reason.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from services.common.cli_support import broker_url
from services.common.config import Config, bootstrap_servers
from services.common.errors import JikenboError
from services.common.kafka import committed_offsets, end_offsets, exact_end_offsets, kafka_options, lag
from services.common.pipeline import ARCHIVE, FETCHER, STAGES, consumers
from services.common.topics import Topics


@dataclass
class FeedRow:
    """One line of the feeds table, as the fetcher's state has it."""

    name: str
    last_poll_at: float | None
    last_status: str | None
    next_poll_at: float
    error_count: int
    last_error: str | None


@dataclass
class BrokerFacts:
    """What the broker says: lag per consumer group, today's counts, dead letters."""

    lags: dict[str, int] = field(default_factory=dict)
    incidents_today: int = 0
    alerts_today: int = 0
    dead_letters: int = 0


def read_feeds(state_dir: Path) -> list[FeedRow] | None:
    """The fetcher's view of its feeds; None if no fetcher ever ran with this state directory."""
    path = FETCHER.state_path(state_dir)
    if not path.exists():
        return None
    from services.fetcher.state import FetcherState

    state = FetcherState(path)
    try:
        return [FeedRow(f.name, f.last_poll_at, f.last_status, f.next_poll_at, f.error_count, f.last_error) for f in state.feeds()]
    finally:
        state.close()


def archive_line(state_dir: Path) -> Text:
    """How much history the archive holds, read from its file (the broker is not needed)."""
    from services.archive.database import ArchiveError, open_reader

    path = ARCHIVE.state_path(state_dir)
    try:
        db = open_reader(path)
    except ArchiveError as exc:
        return Text(f"archive: {exc}", style="yellow")
    try:
        incidents, revisions, alerts = (db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                                        for table in ("incidents", "revisions", "alerts"))
    finally:
        db.close()
    return Text(f"archive: {incidents:,} incident(s), {revisions:,} revision(s), {alerts:,} alert(s) in {path}"
                " (jikenbo incidents list)")


def readiness(host: str, port: int, timeout: float = 1.0) -> tuple[str, str]:
    """('ready' | 'not ready' | 'not running', reason) from one service's /readyz."""
    if not port:
        return "unknown", "its ops endpoint is disabled (port 0)"
    url = f"http://{host}:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a loopback URL of our own)
            return "ready", response.read(500).decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as exc:
        return "not ready", exc.read(500).decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return "not running", f"nothing answers on {url}"


def services_table(config: Config) -> Table:
    """Each stage's readiness, asked of all at once so that a hung service costs one timeout."""
    table = Table(title="services", title_justify="left")
    for column in ("service", "state", "reason"):
        table.add_column(column)
    with ThreadPoolExecutor(len(STAGES)) as pool:
        answers = list(pool.map(lambda stage: readiness(config.metrics.host, config.metrics.service_port(stage.name)), STAGES))
    styles = {"ready": "green", "not ready": "red", "not running": "yellow"}
    for stage, (state, reason) in zip(STAGES, answers):
        table.add_row(stage.name, Text(state, style=styles.get(state, "")), reason.partition(": ")[2] or reason)
    return table


def relative(at: float | None, now: float) -> str:
    """`3m ago` / `in 40s`: how an operator reads a schedule."""
    if at is None or at <= 0:
        return "never"
    delta = at - now
    seconds = abs(delta)
    amount = f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.0f}m" if seconds < 7200 else f"{seconds / 3600:.1f}h"
    return f"in {amount}" if delta > 0 else f"{amount} ago" if seconds >= 1 else "now"


def start_of_day(now: float) -> float:
    """Local midnight: "today" as the operator's clock says it."""
    return datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


async def count_since(consumer: AIOKafkaConsumer, partitions: list[TopicPartition], since: float, distinct_keys: bool) -> int:
    """Messages (or distinct keys) on `topic` stamped at or after `since`.

    The broker's time index finds where to start; the timestamps are checked
    again while reading, because a broker may answer with an earlier offset
    (the embedded one answers with the first).
    """
    if not partitions:
        return 0
    starts = await consumer.offsets_for_times({tp: int(since * 1000) for tp in partitions})
    ends = await exact_end_offsets(consumer, partitions)
    consumer.assign(partitions)
    count, keys = 0, set()
    for tp in partitions:
        found = starts.get(tp)
        if found is None or found.offset >= ends[tp]:
            continue
        consumer.seek(tp, found.offset)
        while await consumer.position(tp) < ends[tp]:
            batch = await consumer.getmany(tp, timeout_ms=2000)
            if not batch:
                break
            for message in batch.get(tp, []):
                if message.offset < ends[tp] and message.timestamp >= since * 1000:
                    count += 1
                    keys.add(message.key)
    return len(keys) if distinct_keys else count


async def broker_facts(config: Config, bootstrap: str, now: float) -> BrokerFacts:
    topics = Topics(config.topic_prefix)
    facts = BrokerFacts()
    for stage in consumers():
        facts.lags[stage.name] = 0
        for topic in stage.input_topics(topics):
            ends = await end_offsets(bootstrap, topic, config.security)
            facts.lags[stage.name] += lag(await committed_offsets(bootstrap, stage.group(topics), topic, ends, config.security), ends)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **kafka_options(config.security))
    await consumer.start()
    try:
        await consumer.topics()  # metadata, so partitions_for_topic knows our topics
        # Read every topic's partitions now: once the consumer is assigned some
        # partitions, its metadata only follows those topics.
        incidents, alerts, dlq = (
            [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            for name in (topics.incidents, topics.alerts, topics.dead_letters)
        )
        midnight = start_of_day(now)
        facts.incidents_today = await count_since(consumer, incidents, midnight, distinct_keys=True)
        facts.alerts_today = await count_since(consumer, alerts, midnight, distinct_keys=False)
        if dlq:
            firsts, lasts = await consumer.beginning_offsets(dlq), await exact_end_offsets(consumer, dlq)
            facts.dead_letters = sum(lasts[tp] - firsts[tp] for tp in dlq)
    finally:
        await consumer.stop()
    return facts


def feeds_table(feeds: list[FeedRow], now: float) -> Table:
    table = Table(title="feeds", title_justify="left")
    for column in ("feed", "last poll", "result", "next poll", "errors"):
        table.add_column(column)
    for feed in feeds:
        result = Text(feed.last_status or "-", style="red" if feed.last_status == "error" else "green")
        errors = f"{feed.error_count}: {feed.last_error[:80]}" if feed.error_count and feed.last_error else str(feed.error_count)
        table.add_row(feed.name, relative(feed.last_poll_at, now), result, relative(feed.next_poll_at, now), errors)
    return table


def render(feeds: list[FeedRow] | None, facts: BrokerFacts | None, broker: str, problem: str | None, now: float,
           archive: Text | None = None, services: Table | None = None) -> Group:
    """The whole screen; every part says plainly when it has nothing to show."""
    parts: list[object] = [services] if services is not None else []
    if feeds is None:
        parts.append(Text("feeds: no fetcher state in this state directory (is the fetcher running elsewhere?)", style="yellow"))
    else:
        parts.append(feeds_table(feeds, now))
    if facts is None:
        parts.append(Text(f"broker {broker}: {problem}", style="red"))
    else:
        groups = Table(title=f"consumers on {broker}", title_justify="left")
        groups.add_column("service")
        groups.add_column("lag (messages)", justify="right")
        for service, value in facts.lags.items():
            groups.add_row(service, str(value))
        parts.append(groups)
        parts.append(Text(
            f"today: {facts.incidents_today} incident(s), {facts.alerts_today} alert(s)   "
            f"dead letters: {facts.dead_letters}",
            style="bold red" if facts.dead_letters else "bold",
        ))
    if archive is not None:
        parts.append(archive)
    return Group(*parts)


def show_status(config: Config, demo: bool = False) -> None:
    """Gather everything (the broker part within 30 s) and print the screen."""
    now = time.time()
    state_dir = config.state_dir / "demo" if demo else config.state_dir
    feeds = read_feeds(state_dir)
    facts, problem, url = None, None, "(none)"
    try:
        url = broker_url(config)
        facts = asyncio.run(asyncio.wait_for(broker_facts(config, bootstrap_servers(url), now), 30))
    except (JikenboError, KafkaError, OSError, asyncio.TimeoutError) as exc:
        problem = str(exc) or type(exc).__name__
    Console().print(render(feeds, facts, url, problem, now, archive_line(state_dir), services_table(config)))
