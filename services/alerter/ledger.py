"""What was already alerted, in SQLite: the alerter's idempotence.

Kafka redelivers after a crash or a rebalance; the ledger turns a redelivered
incident into nothing, and an incident whose visible fields changed into one
`update` alert. A row is written only after the alert was acknowledged by the
broker, so a crash in between can re-send an alert with the *same* alert_id
(consumers can drop it), never lose one.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerted (
    subscription TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    alerted_at REAL NOT NULL,
    PRIMARY KEY (subscription, incident_id)
);
"""


class Ledger:
    """(subscription, incident) -> fingerprint of what the subscriber was last shown."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def fingerprint(self, subscription: str, incident_id: str) -> str | None:
        row = self.db.execute(
            "SELECT fingerprint FROM alerted WHERE subscription = ? AND incident_id = ?", (subscription, incident_id)
        ).fetchone()
        return row[0] if row else None

    def record(self, entries: list[tuple[str, str, str, str]]) -> None:
        """Record (subscription, incident_id, fingerprint, alert_id) rows in one transaction."""
        now = time.time()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO alerted VALUES (?, ?, ?, ?, ?)", [(*entry, now) for entry in entries]
            )

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM alerted").fetchone()[0])
