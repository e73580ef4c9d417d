"""Archive reads off the event loop, each worker thread on its own read-only connection.

SQLite answers a read in milliseconds but still blocks, so handlers run queries
in a small thread pool; WAL mode lets them read while the archive stage writes.
`version()` is SQLite's data_version on one connection kept for that purpose:
it changes whenever another connection commits, which is what the overview
cache and the live updates watch.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from services.archive.database import open_reader

T = TypeVar("T")
WORKERS = 2


class ArchiveReader:
    """Read-only access to one archive file, opened lazily: the file may not exist yet when the server starts."""

    def __init__(self, path: Path, workers: int = WORKERS) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="web-archive")
        self._watch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-archive-watch")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    async def run(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """`query(db)` in a worker thread; raises ArchiveError while there is no archive."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._call, query)

    async def version(self) -> tuple[int, int]:
        """Changes whenever the archive changes: (data_version, newest rowid), always from the same connection."""
        return await asyncio.get_running_loop().run_in_executor(self._watch, self._call, _version)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._watch.shutdown(wait=True)
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    def _call(self, query: Callable[[sqlite3.Connection], T]) -> T:
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_reader(self.path)
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return query(db)


def _version(db: sqlite3.Connection) -> tuple[int, int]:
    # data_version is per connection: only values read on one connection can be compared.
    data_version = db.execute("PRAGMA data_version").fetchone()[0]
    newest = db.execute("SELECT coalesce(max(id), 0) FROM incidents").fetchone()[0]
    return data_version, newest
