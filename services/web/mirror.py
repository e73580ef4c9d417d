"""An in-memory copy of the archive's counting columns, so the overview's grouped counts stay fast.

The overview groups every incident of a period by month and sector, by type,
by vendor and by organisation. On the archive file each of those scans rows
that carry the whole body and document (100,000 incidents: about 2 s in all);
here the same tables hold only what counting and filtering read (`incidents`
with date, sector, count and organisation; `incident_types`;
`incident_vendors`), under the archive's own table and column names, so
`query.stats` and `query.count_incidents` run on it unchanged for every filter
but full-text search (whose index stays in the archive).

The copy follows the archive: rows with a rowid above the newest copied are
new, and incidents with a revision replaced since the last sync are copied
again (an edited incident keeps its rowid). Both are read in one snapshot.
The archive never deletes an incident, so nothing else can change.

Besides the rows, the copy keeps monthly tallies (`month_sector`,
`month_type`, `month_vendor`: incidents, affected sum, incidents with a
count), added to as incidents arrive and corrected when one is revised. An
overview of whole months with no other filter (all time, the quick periods)
adds up at most a few thousand tallies instead of grouping every incident.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Callable, TypeVar

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) when copying revised incidents again

_TABLES = (
    """CREATE TABLE incidents (id INTEGER PRIMARY KEY, sort_date TEXT NOT NULL, sector TEXT NOT NULL,
       affected_count INTEGER, org_key TEXT NOT NULL, organization TEXT)""",
    "CREATE INDEX incidents_sector ON incidents (sector, sort_date)",
    "CREATE INDEX incidents_date ON incidents (sort_date)",
    "CREATE INDEX incidents_organization ON incidents (org_key, organization, affected_count)",  # top organisations
    "CREATE TABLE incident_types (type TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID",
    "CREATE INDEX incident_types_of ON incident_types (id)",
    """CREATE TABLE incident_vendors (id INTEGER NOT NULL, vendor_key TEXT NOT NULL, vendor TEXT NOT NULL,
       PRIMARY KEY (id, vendor_key)) WITHOUT ROWID""",
    "CREATE INDEX incident_vendors_key ON incident_vendors (vendor_key, id)",
    *(f"""CREATE TABLE month_{name} (month TEXT NOT NULL, {key} TEXT NOT NULL,{label} n INTEGER NOT NULL,
          affected INTEGER NOT NULL, with_affected INTEGER NOT NULL, PRIMARY KEY (month, {key})) WITHOUT ROWID"""
      for name, key, label in (("sector", "sector", ""), ("type", "type", ""), ("vendor", "vendor_key", " vendor TEXT NOT NULL,"))),
    # All time only: per month, organisations would be nearly one tally per incident.
    """CREATE TABLE organization_total (org_key TEXT PRIMARY KEY, organization TEXT, n INTEGER NOT NULL,
       affected INTEGER NOT NULL, with_affected INTEGER NOT NULL) WITHOUT ROWID""",
    "CREATE INDEX organization_total_top ON organization_total (n DESC, organization)",
)
_MONTH = "substr(i.sort_date, 1, 7)"
# Each tally: its table, its key (month first, except all-time tallies), its label, the rows it counts and their id column.
_TALLIES = (
    ("month_sector", (_MONTH, "i.sector"), "", "incidents i", "i.id"),
    ("month_type", (_MONTH, "t.type"), "", "incident_types t JOIN incidents i ON i.id = t.id", "t.id"),
    ("month_vendor", (_MONTH, "v.vendor_key"), "vendor", "incident_vendors v JOIN incidents i ON i.id = v.id", "v.id"),
    ("organization_total", ("i.org_key",), "organization", "incidents i", "i.id"),
)
_INCIDENT_COLUMNS = "id, sort_date, sector, affected_count, org_key, organization"


class CountingMirror:
    """The copy and its sync position; one lock serialises syncs and reads (they run in worker threads)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        for statement in _TABLES:
            self.db.execute(statement)
        self.newest = 0  # highest archive rowid copied
        self.replaced_since = ""  # replaced_at of the latest revision seen
        self._lock = threading.Lock()

    def synced(self, archive: sqlite3.Connection, query: Callable[[sqlite3.Connection], T]) -> T:
        """Bring the copy up to the archive's current state, then run `query` on the copy."""
        with self._lock:
            self._sync(archive)
            return query(self.db)

    def _sync(self, archive: sqlite3.Connection) -> None:
        archive.execute("BEGIN")  # one snapshot for rows, types, vendors and revisions
        try:
            newest = archive.execute("SELECT coalesce(max(id), 0) FROM incidents").fetchone()[0]
            revised = [row[0] for row in archive.execute(
                "SELECT DISTINCT id FROM revisions WHERE replaced_at >= ? AND id <= ?", (self.replaced_since, self.newest))]
            mark = archive.execute("SELECT coalesce(max(replaced_at), '') FROM revisions").fetchone()[0]
            self.db.execute("BEGIN")
            try:
                if newest > self.newest:
                    self._copy(archive, "id > ?", [self.newest])
                    self._tally("{id} > ?", [self.newest], +1)
                for first in range(0, len(revised), CHUNK):
                    chunk = revised[first:first + CHUNK]
                    within = f"{{id}} IN ({', '.join('?' for _ in chunk)})"
                    self._tally(within, chunk, -1)
                    for table in ("incidents", "incident_types", "incident_vendors"):
                        self.db.execute(f"DELETE FROM {table} WHERE {within.format(id='id')}", chunk)
                    self._copy(archive, within.format(id="id"), chunk)
                    self._tally(within, chunk, +1)
                if revised:
                    for table, *_ in _TALLIES:
                        self.db.execute(f"DELETE FROM {table} WHERE n = 0")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.newest, self.replaced_since = newest, mark
        finally:
            archive.execute("COMMIT")

    def _tally(self, where: str, params: list[object], sign: int) -> None:
        """Add (sign +1) or take away (-1) the incidents selected by `where` ({id}: their id column) to the tallies."""
        for table, key, label, rows, id_column in _TALLIES:
            source = {"vendor": "min(v.vendor), ", "organization": "min(i.organization), "}.get(label, "")
            self.db.execute(
                f"INSERT INTO {table} SELECT {', '.join(key)}, {source}{sign:d} * count(*),"
                f" {sign:d} * coalesce(sum(i.affected_count), 0), {sign:d} * count(i.affected_count)"
                f" FROM {rows} WHERE {where.format(id=id_column)} GROUP BY {', '.join(key)}"
                " ON CONFLICT DO UPDATE SET n = n + excluded.n, affected = affected + excluded.affected,"
                " with_affected = with_affected + excluded.with_affected"
                # min() of two values is NULL if one is: an incident without an organisation keeps the other's name.
                + (f", {label} = coalesce(min({label}, excluded.{label}), {label}, excluded.{label})" if label else ""),
                params,
            )

    def _copy(self, archive: sqlite3.Connection, where: str, params: list[object]) -> None:
        self.db.executemany(f"INSERT INTO incidents VALUES ({', '.join('?' * 6)})",
                            archive.execute(f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE {where}", params))
        self.db.executemany("INSERT INTO incident_types VALUES (?, ?)",
                            archive.execute(f"SELECT type, id FROM incident_types WHERE {where}", params))
        self.db.executemany("INSERT INTO incident_vendors VALUES (?, ?, ?)",
                            archive.execute(f"SELECT id, vendor_key, vendor FROM incident_vendors WHERE {where}", params))
