"""Backfill: walk a feed's history page by page and publish it with origin "backfill".

Which page comes next is a pure function of the page just read (rel="next",
RFC 5005 prev-archive, Blogger start-index, WordPress ?paged=N), so paging
is testable without a server. A checkpoint is written after every page the
broker acknowledged, so an interrupted walk resumes where it stopped.
Requests go through the same `HttpClient` as polling: same politeness.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from services.common.logsetup import printable
from services.fetcher.errors import FetchError
from services.fetcher import fallback
from services.fetcher.feeds import ParsedFeed, parse_feed
from services.fetcher.http import HttpClient
from services.fetcher.publisher import Publisher
from services.fetcher.state import BackfillCheckpoint, FetcherState

log = logging.getLogger("jikenbo.backfill")

BLOGGER_PAGE = 150  # Blogger's max-results cap has moved (500, 150, 100); rel="next" is followed regardless


def with_query(url: str, **params: str | int) -> str:
    """`url` with these query parameters set (others kept)."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query.update({k.replace("_", "-"): str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def is_blogger(url: str, parsed: ParsedFeed | None = None) -> bool:
    if parsed is not None and (parsed.feed_id or "").startswith("tag:blogger.com"):
        return True
    parts = urlsplit(url)
    host = parts.hostname or ""
    return "/feeds/" in parts.path and ("blogger" in host or "blogspot" in host)


def is_wordpress(parsed: ParsedFeed) -> bool:
    return "wordpress" in (parsed.generator or "").lower()


def first_page_url(url: str) -> str:
    """Blogger feeds are asked for big pages; other feeds are walked as they come."""
    if is_blogger(url) and "max-results" not in urlsplit(url).query:
        return with_query(url, max_results=BLOGGER_PAGE)
    return url


def next_page_url(parsed: ParsedFeed, url: str) -> str | None:
    """The page after `url`, or None at the end of the history."""
    for rel in ("next", "prev-archive"):
        if parsed.links.get(rel):
            return urljoin(url, parsed.links[rel])  # archive links may be relative
    if not parsed.posts:
        return None
    query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    if is_blogger(url, parsed):
        size = int(query.get("max-results", "25"))
        if len(parsed.posts) < size:
            return None
        return with_query(url, start_index=int(query.get("start-index", "1")) + len(parsed.posts), max_results=size)
    if is_wordpress(parsed):
        return with_query(url, paged=int(query.get("paged", "1")) + 1)
    return None


def post_time(post: dict[str, Any]) -> datetime | None:
    stamp = post.get("published") or post.get("updated")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def in_window(posts: list[dict[str, Any]], since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    """Posts published within [since, until]; undated posts are kept."""
    kept = []
    for post in posts:
        when = post_time(post)
        if when is not None and ((since and when < since) or (until and when > until)):
            continue
        kept.append(post)
    return kept


def reached_since(posts: list[dict[str, Any]], since: datetime | None) -> bool:
    """True once a page holds a post older than `since`: history is newest first, so stop."""
    return since is not None and any((when := post_time(p)) is not None and when < since for p in posts)


class Progress(Protocol):
    def update(self, point: BackfillCheckpoint, total: int | None) -> None: ...
    def close(self) -> None: ...


class LogProgress:
    """Plain log lines, one per page, for logs and pipes."""

    def __init__(self, feed: str, start_posts: int) -> None:
        self.feed = feed
        self.started = time.monotonic()
        self.start_posts = start_posts

    def rate(self, point: BackfillCheckpoint) -> float:
        return (point.posts - self.start_posts) / max(1e-6, time.monotonic() - self.started)

    def update(self, point: BackfillCheckpoint, total: int | None) -> None:
        rate = self.rate(point)
        eta = f"{(total - point.posts) / rate:.0f}s" if total and rate > 0 and total > point.posts else "unknown"
        log.info(
            "backfill %s: page %d, %d posts, %.1f posts/s, ETA %s", self.feed, point.pages, point.posts, rate, eta,
            extra={"feed": self.feed},
        )

    def close(self) -> None:
        return None


class RichProgress(LogProgress):
    """A progress bar on a terminal: posts, rate, pages and ETA."""

    def __init__(self, feed: str, start_posts: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        super().__init__(feed, start_posts)
        self.bar = Progress(
            TextColumn(f"backfill {feed}"), BarColumn(), MofNCompleteColumn(), TextColumn("posts"),
            TextColumn("{task.fields[rate]:.1f} posts/s, page {task.fields[pages]}"), TimeRemainingColumn(),
            transient=False,
        )
        self.task = self.bar.add_task(feed, total=None, completed=start_posts, rate=0.0, pages=0)
        self.bar.start()

    def update(self, point: BackfillCheckpoint, total: int | None) -> None:
        self.bar.update(self.task, completed=point.posts, total=total, rate=self.rate(point), pages=point.pages)

    def close(self) -> None:
        self.bar.stop()


async def backfill(
    client: HttpClient,
    publisher: Publisher,
    state: FetcherState,
    feed: str,
    url: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    max_posts: int | None = None,
    labels: tuple[str, ...] = (),
    restart: bool = False,
    progress: Progress | None = None,
) -> BackfillCheckpoint:
    """Walk the history of `url`, resuming an unfinished walk unless `restart`."""
    point = state.checkpoint(feed, url)
    if point is None or point.done or restart:
        point = BackfillCheckpoint(feed=feed, url=url, next_url=first_page_url(url))
    elif point.pages:
        log.info("backfill %s: resuming at page %d (%d posts so far)", feed, point.pages + 1, point.posts)
    progress = progress or LogProgress(feed, point.posts)
    visited: set[str] = set()
    try:
        while point.next_url and not point.done:
            page = point.next_url
            visited.add(page)
            try:
                result = await client.fetch(page)
            except FetchError as exc:
                if exc.status == 404 and point.pages and "paged=" in page:
                    point.next_url, point.done = None, True  # WordPress: past the last page
                    break
                raise
            parsed = await asyncio.to_thread(parse_feed, result.body, result.headers, feed, "backfill")
            if parsed.warning:
                log.warning("backfill %s: page %d: %s", feed, point.pages + 1, printable(parsed.warning))
            posts = [p for p in in_window(parsed.posts, since, until) if not labels or set(labels) & set(p["labels"])]
            if max_posts is not None:
                posts = posts[: max(0, max_posts - point.posts)]
            await publisher.publish(feed, posts)
            point.pages += 1
            point.posts += len(posts)
            following = next_page_url(parsed, page)
            if reached_since(parsed.posts, since) or (max_posts is not None and point.posts >= max_posts) or following in visited:
                following = None
            point.next_url, point.done = following, following is None
            state.save_checkpoint(point)
            total = parsed.total if max_posts is None else min(max_posts, parsed.total or max_posts)
            progress.update(point, total)
    finally:
        fallback.stop_children()  # a page's lenient parser would hold up the shutdown
        progress.close()
    if point.done:
        state.save_checkpoint(point)
    return point


def parse_day(value: str | None, end_of_day: bool = False) -> datetime | None:
    """--since/--until: a date (YYYY-MM-DD) or a full ISO timestamp, in UTC."""
    if not value:
        return None
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if end_of_day and len(value) == 10:
        when = when.replace(hour=23, minute=59, second=59)
    return when
