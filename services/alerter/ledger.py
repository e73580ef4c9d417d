"""The alerter's durable state in SQLite: what was alerted, and what channels still owe.

Kafka redelivers after a crash or a rebalance; the `alerted` table turns a
redelivered incident into nothing, and an incident whose visible fields
changed into one `update` alert. A row is written only after the alert was
acknowledged by the broker, so a crash in between can re-send an alert with
the *same* alert_id (consumers can drop it), never lose one.

The delivery `outbox` table is written in the same transaction: one row per (channel,
alert). Channel workers deliver pending rows and mark them `delivered`, or,
after the last retry, `dead` with the reason (the dead-letter record). A
restart resends what was pending and nothing that was delivered; a crash
between a successful send and its mark can resend that one message, which
carries the same alert id so receivers can drop it.

Several alerter workers may share the file (one state directory), so a write
can wait for another worker's lock (`timeout=30`). The event loop must never
wait like that, or deliveries and /healthz freeze with it: `Ledger` runs every
statement on one thread of its own (`LedgerStore` is what runs there), in the
order the loop asked for them, and a write that was asked for is finished even
if the task that asked is cancelled.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from services.alerter.decisions import Delivery, LedgerRow
from services.common import serde

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerted (
    subscription TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    alerted_at REAL NOT NULL,
    PRIMARY KEY (subscription, incident_id)
);
CREATE INDEX IF NOT EXISTS alerted_incident ON alerted (incident_id);
CREATE TABLE IF NOT EXISTS outbox (
    channel TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    subscription TEXT NOT NULL,
    mode TEXT NOT NULL,              -- 'each' or 'digest'
    alert BLOB NOT NULL,             -- the alert JSON
    status TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    done_at REAL,
    PRIMARY KEY (channel, alert_id)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (channel, status, next_attempt_at);
CREATE TABLE IF NOT EXISTS channel_state (
    channel TEXT PRIMARY KEY,
    last_digest_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxRow:
    """A pending delivery as read back from the outbox."""

    delivery: Delivery
    attempts: int
    created_at: float


Fingerprints = dict[tuple[str, str], str]  # (subscription, incident id) -> fingerprint alerted
T = TypeVar("T")


class LedgerStore:
    """(subscription, incident) -> fingerprint shown, plus the channel outbox; blocking, for one thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def fingerprints(self, incident_ids: Iterable[str]) -> Fingerprints:
        """What was alerted of these incidents, for every subscription: one query for a whole batch."""
        rows = self.db.execute(
            "SELECT subscription, incident_id, fingerprint FROM alerted WHERE incident_id IN (SELECT value FROM json_each(?))",
            (serde.dumps(sorted(set(incident_ids))),),
        )
        return {(subscription, incident_id): fp for subscription, incident_id, fp in rows}

    def record(self, rows: list[LedgerRow], deliveries: Iterable[Delivery] = ()) -> None:
        """Record what was alerted and queue the channels' deliveries, atomically."""
        now = time.time()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO alerted VALUES (?, ?, ?, ?, ?)",
                [(row.subscription, row.incident_id, row.fingerprint, row.alert_id, now) for row in rows],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO outbox (channel, alert_id, subscription, mode, alert, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(d.channel, d.alert_id, d.subscription, d.mode, serde.dumps(d.alert), now, now) for d in deliveries],
            )

    def due(self, channel: str, now: float, limit: int = 1000) -> list[OutboxRow]:
        """Pending deliveries of `channel` whose next attempt is due, oldest first."""
        rows = self.db.execute(
            "SELECT alert_id, subscription, mode, alert, attempts, created_at FROM outbox"
            " WHERE channel = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, rowid LIMIT ?",
            (channel, now, limit),
        ).fetchall()
        return [
            OutboxRow(Delivery(channel, alert_id, sub, mode, serde.loads(alert)), attempts, created)
            for alert_id, sub, mode, alert, attempts, created in rows
        ]

    def next_attempt(self, channel: str) -> float | None:
        """When the earliest pending delivery of `channel` becomes due."""
        row = self.db.execute(
            "SELECT min(next_attempt_at) FROM outbox WHERE channel = ? AND status = 'pending'", (channel,)
        ).fetchone()
        return row[0]

    def delivered(self, channel: str, alert_ids: list[str]) -> None:
        self._finish(channel, alert_ids, "delivered", None)

    def dead(self, channel: str, alert_ids: list[str], reason: str) -> None:
        """The dead-letter record: the row stays, with status 'dead' and the reason."""
        self._finish(channel, alert_ids, "dead", reason)

    def retry_later(self, channel: str, alert_ids: list[str], error: str, at: float) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE channel = ? AND alert_id = ?",
                [(error, at, channel, alert_id) for alert_id in alert_ids],
            )

    def _finish(self, channel: str, alert_ids: list[str], status: str, reason: str | None) -> None:
        now = time.time()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = coalesce(?, last_error), done_at = ?"
                " WHERE channel = ? AND alert_id = ?",
                [(status, reason, now, channel, alert_id) for alert_id in alert_ids],
            )

    def prune(self, older_than: float) -> None:
        """Forget delivered rows older than `older_than` seconds; dead letters stay for inspection."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM outbox WHERE status = 'delivered' AND done_at < ?", (time.time() - older_than,))

    def dead_letters(self, channel: str | None = None) -> list[tuple[str, str, str, str]]:
        """(channel, alert_id, subscription, reason) of deliveries given up on."""
        query = "SELECT channel, alert_id, subscription, last_error FROM outbox WHERE status = 'dead'"
        args: tuple[str, ...] = ()
        if channel is not None:
            query, args = query + " AND channel = ?", (channel,)
        return [tuple(row) for row in self.db.execute(query + " ORDER BY done_at", args)]

    def last_digest(self, channel: str) -> float | None:
        row = self.db.execute("SELECT last_digest_at FROM channel_state WHERE channel = ?", (channel,)).fetchone()
        return row[0] if row else None

    def set_last_digest(self, channel: str, at: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO channel_state VALUES (?, ?)", (channel, at))


class Ledger:
    """The ledger as the event loop uses it: each call runs on the ledger's own thread and is awaited.

    One thread and one connection: calls run in the order they were made, so
    a channel worker woken after `record` sees what it queued. A cancelled
    caller stops waiting, but what it asked for still runs to the end (a
    `record` after the broker's ack must not be lost to a shutdown).
    """

    def __init__(self, path: Path) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerter-ledger")
        self._store = self._thread.submit(LedgerStore, path).result()

    def close(self) -> None:
        self._thread.submit(self._store.close).result()
        self._thread.shutdown()

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        done = asyncio.get_running_loop().run_in_executor(self._thread, functools.partial(call, *args))
        return await asyncio.shield(done)

    async def fingerprints(self, incident_ids: Iterable[str]) -> Fingerprints:
        return await self._run(self._store.fingerprints, list(incident_ids))

    async def record(self, rows: list[LedgerRow], deliveries: Iterable[Delivery] = ()) -> None:
        await self._run(self._store.record, rows, list(deliveries))

    async def due(self, channel: str, now: float, limit: int = 1000) -> list[OutboxRow]:
        return await self._run(self._store.due, channel, now, limit)

    async def next_attempt(self, channel: str) -> float | None:
        return await self._run(self._store.next_attempt, channel)

    async def delivered(self, channel: str, alert_ids: list[str]) -> None:
        await self._run(self._store.delivered, channel, alert_ids)

    async def dead(self, channel: str, alert_ids: list[str], reason: str) -> None:
        await self._run(self._store.dead, channel, alert_ids, reason)

    async def retry_later(self, channel: str, alert_ids: list[str], error: str, at: float) -> None:
        await self._run(self._store.retry_later, channel, alert_ids, error, at)

    async def prune(self, older_than: float) -> None:
        await self._run(self._store.prune, older_than)

    async def dead_letters(self, channel: str | None = None) -> list[tuple[str, str, str, str]]:
        return await self._run(self._store.dead_letters, channel)

    async def last_digest(self, channel: str) -> float | None:
        return await self._run(self._store.last_digest, channel)

    async def set_last_digest(self, channel: str, at: float) -> None:
        await self._run(self._store.set_last_digest, channel, at)
