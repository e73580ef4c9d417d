"""Writing the archive: a batch of incident versions and alerts in one durable transaction.

The archive stage hands `commit` everything it consumed since its last commit
and acknowledges those Kafka offsets once `commit` has returned, so a crash
before that redelivers the batch and a crash after it loses nothing
(`database` explains the durability setting). Redelivery is why every write is
idempotent: the same incident version again adds nothing, an edited one adds
exactly one revision, an alert is kept once by its deterministic id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

from services.archive import search
from services.archive.database import open_writer
from services.archive.diff import diff
from services.archive.versions import Outcome, classify, fingerprint
from services.common.names import normalize_name

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class SeenAlert:
    """An alert message (schemas/alert.schema.json) and the topic it was read from."""

    alert: dict[str, Any]
    topic: str


@dataclass
class Committed:
    """What one `commit` changed: counts for logs and metrics."""

    new: int = 0
    revised: int = 0
    unchanged: int = 0  # the latest version again
    replayed: int = 0  # an earlier version again (a replayed partition)
    alerts: int = 0  # alerts not recorded before


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and Z, as alerts write `created_at`."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ArchiveStore:
    """The archive's one writer connection; readers use `query` on their own connections."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = path
        self.db = open_writer(path)
        self.clock = clock

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ArchiveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self, incidents: Iterable[dict[str, Any]], alerts: Iterable[SeenAlert] = ()) -> Committed:
        """Write a batch atomically; when this returns, it is on disk.

        Incidents are written in the order given (a batch may hold two versions
        of one incident). Raises ValueError, writing nothing, if a message lacks
        its id: callers validate against the schema before."""
        now = stamp(self.clock())
        done = Committed()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for incident in incidents:
                outcome = self._incident(incident, now)
                setattr(done, outcome, getattr(done, outcome) + 1)
            for seen in alerts:
                done.alerts += self._alert(seen, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return done

    def _incident(self, incident: dict[str, Any], now: str) -> Outcome:
        incident_id = incident.get("incident_id")
        if not isinstance(incident_id, str) or not incident_id:
            raise ValueError("incident without an incident_id")
        fp = fingerprint(incident)
        row = self.db.execute(
            "SELECT id, version, fingerprint, first_archived_at, archived_at, title, body, doc FROM incidents"
            " WHERE incident_id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            rowid = self.db.execute(_INSERT, _columns(incident, fp, 1, now, now)).lastrowid
            assert rowid is not None
            self._index(rowid, incident)
            return "new"
        rowid, version, current_fp, first_archived_at, archived_at, title, body, doc = row
        if fp == current_fp:
            return "unchanged"
        current = orjson.loads(doc) | {"body": body}
        seen = self.db.execute("SELECT 1 FROM revisions WHERE id = ? AND fingerprint = ?", (rowid, fp)).fetchone()
        outcome = classify(incident, fp, current, current_fp, seen is not None)
        if outcome != "revised":
            return outcome
        source = current.get("source") or {}
        self.db.execute(
            "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, version, current_fp, archived_at, now, source.get("post_id"), source.get("content_hash"),
             source.get("fetched_at"), current.get("parser_version"), orjson.dumps(diff(current, incident))),
        )
        self.db.execute(_UPDATE, _columns(incident, fp, version + 1, first_archived_at, now) | {"id": rowid})
        self.db.execute("DELETE FROM incident_types WHERE id = ?", (rowid,))
        self.db.execute("DELETE FROM incident_vendors WHERE id = ?", (rowid,))
        self.db.execute("INSERT INTO incident_search (incident_search, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                        (rowid, search.indexed(title), search.indexed(body)))
        self._index(rowid, incident)
        return "revised"

    def _index(self, rowid: int, incident: dict[str, Any]) -> None:
        """The rows that filters, counts and search read besides `incidents` itself."""
        types = {t for t in incident.get("incident_types") or [] if isinstance(t, str)}
        self.db.executemany("INSERT INTO incident_types VALUES (?, ?)", [(t, rowid) for t in sorted(types)])
        vendors: dict[str, str] = {}
        for vendor in incident.get("vendors") or []:
            if isinstance(vendor, str) and (key := normalize_name(vendor)):
                vendors.setdefault(key, vendor)
        self.db.executemany("INSERT INTO incident_vendors VALUES (?, ?, ?)", [(rowid, k, v) for k, v in vendors.items()])
        self.db.execute("INSERT INTO incident_search (rowid, title, body) VALUES (?, ?, ?)",
                        (rowid, search.indexed(incident.get("title")), search.indexed(incident.get("body"))))

    def _alert(self, seen: SeenAlert, now: str) -> int:
        """1 if the alert is new to the archive, 0 if it was recorded before."""
        alert = seen.alert
        try:
            row = (alert["alert_id"], alert["incident"]["incident_id"], alert["subscription"], alert["kind"],
                   alert.get("origin"), alert["created_at"], seen.topic, orjson.dumps(alert.get("matched_on") or []), now)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"alert without {exc}") from None
        return self.db.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row).rowcount


_FIELDS = ("incident_id", "version", "fingerprint", "case_id", "organization", "org_key", "title", "disclosed_on", "sort_date",
           "sector", "affected_count", "affected_unit", "url", "post_id", "content_hash", "parser_version",
           "first_archived_at", "archived_at", "body", "doc")
_INSERT = f"INSERT INTO incidents ({', '.join(_FIELDS)}) VALUES ({', '.join(':' + f for f in _FIELDS)})"
_UPDATE = f"UPDATE incidents SET {', '.join(f'{f} = :{f}' for f in _FIELDS)} WHERE id = :id"


def _columns(incident: dict[str, Any], fp: str, version: int, first_archived_at: str, now: str) -> dict[str, Any]:
    """The `incidents` row of one version (column names are `_FIELDS`)."""
    source = incident.get("source") or {}
    affected = incident.get("affected") or {}
    count = affected.get("count")
    return {
        "incident_id": incident["incident_id"],
        "version": version,
        "fingerprint": fp,
        "case_id": incident.get("case_id"),
        "organization": incident.get("organization"),
        "org_key": normalize_name(incident.get("organization") or ""),
        "title": incident.get("title"),
        "disclosed_on": incident.get("disclosed_on"),
        "sort_date": _sort_date(incident, first_archived_at),
        "sector": incident.get("sector") or "other",
        "affected_count": count if isinstance(count, int) and not isinstance(count, bool) else None,
        "affected_unit": affected.get("unit"),
        "url": source.get("url"),
        "post_id": source.get("post_id"),
        "content_hash": source.get("content_hash"),
        "parser_version": incident.get("parser_version"),
        "first_archived_at": first_archived_at,
        "archived_at": now,
        "body": incident.get("body") or "",
        "doc": orjson.dumps({k: v for k, v in incident.items() if k != "body"}),
    }


def _sort_date(incident: dict[str, Any], first_archived_at: str) -> str:
    """Newest-first order and date filters use the disclosure date, else the post's, else the day it was archived."""
    for value in (incident.get("disclosed_on"), (incident.get("source") or {}).get("published")):
        if isinstance(value, str) and _DATE.match(value):
            return value[:10]
    return first_archived_at[:10]
