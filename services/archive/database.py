"""The archive's SQLite file: how it is opened and how its tables are laid out and migrated.

WAL mode lets `jikenbo incidents …` read while the archive stage writes. The
writer runs with synchronous=FULL: in WAL mode that is one fsync of the log per
committed batch, and the stage acknowledges Kafka offsets as soon as `commit`
returns, so a commit must survive a power cut, not only a killed process
(NORMAL may lose the last commits on power loss, and with the embedded broker
nothing else would still hold those incidents).

The layout is versioned with `PRAGMA user_version`: `MIGRATIONS[n]` takes a
file from version n to n + 1, inside one transaction, so two processes opening
an old file at once migrate it once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from services.common.errors import JikenboError

BUSY_TIMEOUT_MS = 30_000

_V1 = (
    # One row per incident: its latest version. Columns are what filters, sorting and
    # counting need; `doc` is the whole incident JSON except its body, kept apart.
    """CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,             -- rowid of the full-text index
        incident_id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,           -- 1 + number of revisions
        fingerprint TEXT NOT NULL,          -- of the latest version (versions.fingerprint)
        case_id TEXT,
        organization TEXT,
        org_key TEXT NOT NULL,              -- normalize_name(organization), as subscriptions compare
        title TEXT,
        disclosed_on TEXT,
        sort_date TEXT NOT NULL,            -- disclosed_on, else the post's date, else the archive date
        sector TEXT NOT NULL,
        affected_count INTEGER,
        affected_unit TEXT,
        url TEXT,
        post_id TEXT,
        content_hash TEXT,
        parser_version TEXT,
        first_archived_at TEXT NOT NULL,
        archived_at TEXT NOT NULL,          -- when the latest version was written
        body TEXT NOT NULL,
        doc BLOB NOT NULL
    )""",
    "CREATE INDEX incidents_newest ON incidents (sort_date DESC, id DESC)",
    "CREATE INDEX incidents_sector ON incidents (sector, sort_date DESC, id DESC)",
    # Rows carry the body and the JSON, kilobytes each: counting and organisation filters read this narrow
    # copy of what they need instead of every row (stats on 100,000 incidents: 300 ms -> tens of ms).
    "CREATE INDEX incidents_facts ON incidents (sort_date, sector, affected_count, org_key)",
    "CREATE TABLE incident_types (type TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID",
    "CREATE INDEX incident_types_of ON incident_types (id)",
    # One row per vendor key and incident: two spellings of one vendor count once.
    """CREATE TABLE incident_vendors (
        id INTEGER NOT NULL, vendor_key TEXT NOT NULL, vendor TEXT NOT NULL, PRIMARY KEY (id, vendor_key)
    ) WITHOUT ROWID""",
    "CREATE INDEX incident_vendors_key ON incident_vendors (vendor_key, id)",
    # Each earlier version: what changed from it to the next, when, and which post version it came from.
    """CREATE TABLE revisions (
        id INTEGER NOT NULL,                -- incidents.id
        version INTEGER NOT NULL,           -- the version replaced
        fingerprint TEXT NOT NULL,          -- of the version replaced: a replay of it is recognised
        archived_at TEXT NOT NULL,          -- when that version was written
        replaced_at TEXT NOT NULL,
        post_id TEXT,
        content_hash TEXT,
        fetched_at TEXT,
        parser_version TEXT,
        changes BLOB NOT NULL,              -- JSON list of diff.Change, from this version to the next
        PRIMARY KEY (id, version)
    ) WITHOUT ROWID""",
    "CREATE INDEX revisions_fingerprint ON revisions (id, fingerprint)",
    # Alerts by id (deterministic, so a redelivered alert is one row); the incident may arrive later.
    """CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        subscription TEXT NOT NULL,
        kind TEXT NOT NULL,
        origin TEXT,
        created_at TEXT NOT NULL,
        topic TEXT NOT NULL,                -- where the archive read it
        matched_on BLOB NOT NULL,
        archived_at TEXT NOT NULL
    )""",
    "CREATE INDEX alerts_of ON alerts (incident_id, created_at)",
    # Contentless: the text lives in `incidents`; the index holds folded copies (search.indexed).
    "CREATE VIRTUAL TABLE incident_search USING fts5(title, body, content='', tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE incident_search_terms USING fts5vocab(incident_search, 'row')",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


class ArchiveError(JikenboError):
    """The archive file cannot be used: missing, from a newer jikenbo, or SQLite lacks what it needs."""


def open_writer(path: Path) -> sqlite3.Connection:
    """The writing connection, with the file created or migrated to `SCHEMA_VERSION`."""
    require_trigram()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    migrate(db, path)
    return db


def open_reader(path: Path) -> sqlite3.Connection:
    """A connection that never writes; the file must exist at the current version."""
    if not path.exists():
        raise ArchiveError(f"{path}: no archive yet (the archive stage creates it)")
    db = _connect(path)
    db.execute("PRAGMA query_only=ON")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        db.close()
        raise ArchiveError(f"{path}: archive layout version {version}, this jikenbo reads {SCHEMA_VERSION}"
                           + (" (start the archive stage once to migrate it)" if version < SCHEMA_VERSION else ""))
    return db


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the file to `SCHEMA_VERSION`; the version is read inside the write lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(f"{path}: archive layout version {version} is newer than this jikenbo's ({SCHEMA_VERSION})")
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        if version != SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def require_trigram() -> None:
    """Fail with the reason if this SQLite has no FTS5 trigram tokenizer (3.34 and later have it)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram case_sensitive 1')")
    except sqlite3.OperationalError as exc:
        raise ArchiveError(f"SQLite {sqlite3.sqlite_version} cannot build the archive's search index ({exc}); "
                           "it needs FTS5 with the trigram tokenizer (SQLite 3.34 or later)") from None
    finally:
        probe.close()


def _connect(path: Path) -> sqlite3.Connection:
    # Not bound to its thread: an asyncio caller runs each commit in an executor thread.
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    return db
