"""What the fetcher must remember across restarts, in SQLite.

The schedule (next poll, adaptive interval, validators, errors), which
version of each post was already published, where an interrupted backfill
stopped, and the WebSub leases. A row in `published` is written only
after the broker acknowledged the message, so a crash in between
republishes, never skips.

Each published message is also kept as an unconfirmed post (table `outbox`)
until every stage downstream is known to have processed it
(services.fetcher.confirm): the embedded broker keeps data in memory only,
and a post the broker lost with it must be published again after a restart.
(The alerter's outbox is another thing: deliveries its channels still owe.)

The database holds the WebSub secrets, so it is readable by its owner only
(`_owner_only`), and so is the state directory when the fetcher creates it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    next_poll_at REAL NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_status TEXT,
    last_poll_at REAL
);
CREATE TABLE IF NOT EXISTS published (
    post_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    feed TEXT NOT NULL,
    published_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS backfills (
    feed TEXT NOT NULL,
    url TEXT NOT NULL,
    next_url TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    posts INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (feed, url)
);
CREATE TABLE IF NOT EXISTS outbox (  -- unconfirmed posts
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id TEXT NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS websub (
    feed TEXT PRIMARY KEY,
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    secret TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    lease_expires REAL,
    requested_at REAL NOT NULL
);
"""
# Columns added after the first release: created on old databases at open.
_ADDED_COLUMNS = {
    "feeds": {"interval": "REAL", "hub": "TEXT", "topic": "TEXT"},
    "websub": {"mode": "TEXT NOT NULL DEFAULT 'subscribe'"},
}

log = logging.getLogger("jikenbo.fetcher")


@dataclass
class FeedState:
    """The remembered schedule and validators of one feed."""

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: float = 0.0
    error_count: int = 0
    last_error: str | None = None
    last_status: str | None = None
    last_poll_at: float | None = None
    interval: float | None = None  # the adaptive interval in force; None until the first successful poll
    hub: str | None = None  # WebSub hub the feed advertises
    topic: str | None = None  # the WebSub topic to subscribe to: the feed's self URL


_FEED_COLUMNS = ", ".join(f.name for f in fields(FeedState))


@dataclass
class BackfillCheckpoint:
    """Where a backfill of one feed URL stands: the next page to fetch and totals so far."""

    feed: str
    url: str
    next_url: str | None
    pages: int = 0
    posts: int = 0
    done: bool = False


@dataclass
class WebSubLease:
    """What the fetcher asked of a feed's WebSub hub: requested, verified by the hub, and until when."""

    feed: str
    hub: str
    topic: str
    secret: str
    verified: bool = False
    lease_expires: float | None = None
    requested_at: float = 0.0
    mode: str = "subscribe"  # the request last made to the hub, the only one its callback may confirm: subscribe or unsubscribe


_LEASE_COLUMNS = ", ".join(f.name for f in fields(WebSubLease))


def _owner_only(path: Path) -> None:
    """Create the database file with mode 0600, or tighten an existing one (and its -wal, -shm) that others could read.

    SQLite creates the -wal and -shm files with the mode of the database file.
    """
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = file.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if not mode & 0o077:
            continue
        try:
            file.chmod(0o600)
        except PermissionError:
            log.warning("%s is readable by others (mode %o) and holds WebSub secrets; not its owner, cannot tighten it", file, mode)
        else:
            log.warning("%s was readable by others (mode %o) and holds WebSub secrets; its mode is now 600", file, mode)


class FetcherState:
    """SQLite-backed state; one connection, used from the event loop thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _owner_only(path)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        for table, added in _ADDED_COLUMNS.items():
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for column, kind in added.items():
                if column not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self.db.close()

    def feed(self, name: str, url: str) -> FeedState:
        """The feed's state; a changed URL starts over without old validators."""
        row = self.db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE name = ?", (name,)).fetchone()
        if row is None or row[1] != url:
            state = FeedState(name=name, url=url)
            self.save_feed(state)
            return state
        return FeedState(*row)

    def save_feed(self, state: FeedState) -> None:
        marks = ", ".join("?" * len(fields(FeedState)))
        self.db.execute(f"INSERT OR REPLACE INTO feeds ({_FEED_COLUMNS}) VALUES ({marks})", astuple(state))

    def feeds(self) -> list[FeedState]:
        rows = self.db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY name").fetchall()
        return [FeedState(*row) for row in rows]

    def unpublished(self, posts: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those (post_id, content_hash) pairs not yet published in that version."""
        pairs = list(posts)
        known: dict[str, str] = {}
        ids = [post_id for post_id, _ in pairs]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(self.db.execute(f"SELECT post_id, content_hash FROM published WHERE post_id IN ({marks})", chunk))
        return {(post_id, digest) for post_id, digest in pairs if known.get(post_id) != digest}

    def mark_published(self, feed: str, posts: Iterable[tuple[str, str, bytes]]) -> None:
        """Record (post_id, content_hash, message) as published and keep the message as unconfirmed."""
        now = time.time()
        rows = list(posts)
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO published VALUES (?, ?, ?, ?)",
                [(post_id, digest, feed, now) for post_id, digest, _ in rows],
            )
            self.db.executemany("INSERT INTO outbox (post_id, payload) VALUES (?, ?)", [(p, m) for p, _, m in rows])

    def newest_unconfirmed(self) -> int:
        """The sequence number of the newest unconfirmed post (0 if none)."""
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0])

    def unconfirmed(self) -> Iterator[tuple[int, str, bytes]]:
        """Messages published but not yet known to be processed downstream, oldest first."""
        yield from self.db.execute("SELECT seq, post_id, payload FROM outbox ORDER BY seq")

    def unconfirmed_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def confirm_through(self, seq: int) -> int:
        """Forget unconfirmed posts up to `seq`: every stage downstream has processed them."""
        return self.db.execute("DELETE FROM outbox WHERE seq <= ?", (seq,)).rowcount

    def published_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM published").fetchone()[0])

    def checkpoint(self, feed: str, url: str) -> BackfillCheckpoint | None:
        row = self.db.execute(
            "SELECT feed, url, next_url, pages, posts, done FROM backfills WHERE feed = ? AND url = ?", (feed, url)
        ).fetchone()
        return BackfillCheckpoint(*row[:5], done=bool(row[5])) if row else None

    def save_checkpoint(self, point: BackfillCheckpoint) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO backfills VALUES (?, ?, ?, ?, ?, ?, ?)",
            (point.feed, point.url, point.next_url, point.pages, point.posts, int(point.done), time.time()),
        )

    def lease(self, feed: str) -> WebSubLease | None:
        row = self.db.execute(f"SELECT {_LEASE_COLUMNS} FROM websub WHERE feed = ?", (feed,)).fetchone()
        if row is None:
            return None
        lease = WebSubLease(*row)
        lease.verified = bool(lease.verified)
        return lease

    def save_lease(self, lease: WebSubLease) -> None:
        marks = ", ".join("?" * len(fields(WebSubLease)))
        self.db.execute(f"INSERT OR REPLACE INTO websub ({_LEASE_COLUMNS}) VALUES ({marks})", astuple(lease))

    def drop_lease(self, feed: str) -> None:
        """Forget a lease the hub confirmed cancelled."""
        self.db.execute("DELETE FROM websub WHERE feed = ?", (feed,))
