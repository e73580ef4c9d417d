"""What the fetcher must remember across restarts, in SQLite.

The schedule (next poll, validators, errors) and which version of each post
was already published. A row in `published` is written only after the broker
acknowledged the message, so a crash in between republishes, never skips.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

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
"""


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


class FetcherState:
    """SQLite-backed state; one connection, used from the event loop thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def feed(self, name: str, url: str) -> FeedState:
        """The feed's state; a changed URL starts over without old validators."""
        row = self.db.execute(
            "SELECT name, url, etag, last_modified, next_poll_at, error_count, last_error, last_status, last_poll_at"
            " FROM feeds WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None or row[1] != url:
            state = FeedState(name=name, url=url)
            self.save_feed(state)
            return state
        return FeedState(*row)

    def save_feed(self, state: FeedState) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                state.name, state.url, state.etag, state.last_modified, state.next_poll_at,
                state.error_count, state.last_error, state.last_status, state.last_poll_at,
            ),
        )

    def feeds(self) -> list[FeedState]:
        rows = self.db.execute(
            "SELECT name, url, etag, last_modified, next_poll_at, error_count, last_error, last_status, last_poll_at"
            " FROM feeds ORDER BY name"
        ).fetchall()
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

    def mark_published(self, feed: str, posts: Iterable[tuple[str, str]]) -> None:
        now = time.time()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO published VALUES (?, ?, ?, ?)",
                [(post_id, digest, feed, now) for post_id, digest in posts],
            )

    def published_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM published").fetchone()[0])
