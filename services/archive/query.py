"""Reading the archive: filtered pages of incidents, one incident with its history, counts.

Filters mean what they mean in a subscription: sectors and types take codes or
Japanese labels, organisations and vendors are compared by `normalize_name`
with their aliases (`WordPress` finds `ワードプレス`), OR within a filter and
AND across filters. Every value reaches SQLite as a bound parameter; the SQL
text is assembled only from the fixed fragments below.

Pages are keyset-paged, newest first on (sort_date, id): the next page starts
after the last row shown, so paging stays as fast on page 2,000 as on page 1
and never repeats or skips a row when incidents arrive in between.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator, Sequence

import orjson

from schemas import taxonomies
from services.alerter.aliases import name_keys
from services.archive import search
from services.archive.diff import Change, revert

DIMENSIONS = ("year", "month", "sector", "type", "vendor", "organization")


@dataclass(frozen=True)
class Filters:
    """What to select; empty means everything. `since`/`until` are inclusive, on the sort date."""

    sectors: tuple[str, ...] = ()
    incident_types: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    min_affected: int | None = None
    search: str = ""


@dataclass(frozen=True)
class IncidentSummary:
    """One line of a list: the latest version's headline fields."""

    incident_id: str
    date: str  # the sort date: disclosed_on, else the post's date, else the archive date
    disclosed_on: str | None
    organization: str | None
    title: str | None
    sector: str
    incident_types: tuple[str, ...]
    affected_count: int | None
    affected_unit: str | None
    vendors: tuple[str, ...]
    url: str | None
    version: int


@dataclass(frozen=True)
class Page:
    """One page, and the cursor of the next (None on the last page)."""

    items: list[IncidentSummary]
    next: str | None


@dataclass(frozen=True)
class Revision:
    """An earlier version: which post version it came from, when, and what changed from it to the next."""

    version: int
    archived_at: str
    replaced_at: str
    post_id: str | None
    content_hash: str | None
    fetched_at: str | None
    parser_version: str | None
    changes: list[Change]


@dataclass(frozen=True)
class AlertRecord:
    """An alert the incident triggered."""

    alert_id: str
    subscription: str
    kind: str
    origin: str | None
    created_at: str
    topic: str
    matched_on: list[dict[str, Any]]


@dataclass(frozen=True)
class IncidentRecord:
    """One incident: its latest version in full, its revisions (oldest first) and its alerts."""

    incident: dict[str, Any]
    version: int
    first_archived_at: str
    archived_at: str
    revisions: list[Revision]
    alerts: list[AlertRecord]


@dataclass(frozen=True)
class StatRow:
    """One group: its key (one value per dimension; None where an incident has no type or vendor),
    how many incidents, the sum of their affected counts and how many had a count.

    Affected counts are summed whatever their unit (people, records, e-mails). An incident
    with two types counts once under each, so type groups can add up to more than the total."""

    key: tuple[str | None, ...]
    incidents: int
    affected: int
    with_affected: int


def list_incidents(db: sqlite3.Connection, filters: Filters, limit: int = 50, after: str | None = None) -> Page:
    """Newest first; `after` is the `next` cursor of the previous page."""
    if limit < 1:
        raise ValueError(f"page size must be at least 1, got {limit}")
    where, params = _where(db, filters)
    if after is not None:
        where.append("(i.sort_date, i.id) < (?, ?)")
        params.extend(_cursor(after))
    rows = db.execute(
        f"SELECT {_SUMMARY} FROM incidents i {_clause(where)} ORDER BY i.sort_date DESC, i.id DESC LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    items = [_summary(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, f"{rows[limit - 1][1]}~{rows[limit - 1][0]}" if more else None)


def archived_after(db: sqlite3.Connection, filters: Filters, after: int, limit: int = 500) -> list[tuple[int, IncidentSummary]]:
    """Incidents first archived after row `after`, oldest first, with their row numbers (for following the archive).

    Rows are numbered in the order incidents were first archived and never
    deleted, so the last number seen is where the next look starts."""
    where, params = _where(db, filters)
    where.append("i.id > ?")
    rows = db.execute(f"SELECT {_SUMMARY} FROM incidents i {_clause(where)} ORDER BY i.id LIMIT ?",
                      [*params, after, limit]).fetchall()
    return [(row[0], _summary(row)) for row in rows]


def last_archived(db: sqlite3.Connection, filters: Filters, count: int) -> int:
    """The row after which the `count` most recently archived selected incidents come (0: from the first)."""
    where, params = _where(db, filters)
    rows = db.execute(f"SELECT i.id FROM incidents i {_clause(where)} ORDER BY i.id DESC LIMIT ?", [*params, count + 1]).fetchall()
    return rows[-1][0] if len(rows) > count else 0


def count_incidents(db: sqlite3.Connection, filters: Filters) -> int:
    where, params = _where(db, filters)
    return db.execute(f"SELECT count(*) FROM incidents i {_clause(where)}", params).fetchone()[0]


def iter_incidents(db: sqlite3.Connection, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every selected incident's latest version in full, newest first, one at a time.

    One statement, so an export is one consistent snapshot of the archive;
    SQLite hands rows over as they are read, so memory does not grow with the count."""
    where, params = _where(db, filters)
    cursor = db.execute(f"SELECT i.doc, i.body FROM incidents i {_clause(where)} ORDER BY i.sort_date DESC, i.id DESC", params)
    for doc, body in cursor:
        yield orjson.loads(doc) | {"body": body}


def get_incident(db: sqlite3.Connection, incident_id: str) -> IncidentRecord | None:
    row = db.execute(
        "SELECT id, incident_id, version, first_archived_at, archived_at, doc, body FROM incidents WHERE incident_id = ?",
        (incident_id,),
    ).fetchone()
    if row is None:
        return None
    rowid, incident_id, version, first_archived_at, archived_at, doc, body = row
    revisions = [
        Revision(v, archived, replaced, post, content_hash, fetched, parser, orjson.loads(changes))
        for v, archived, replaced, post, content_hash, fetched, parser, changes in db.execute(
            "SELECT version, archived_at, replaced_at, post_id, content_hash, fetched_at, parser_version, changes"
            " FROM revisions WHERE id = ? ORDER BY version", (rowid,))
    ]
    alerts = [
        AlertRecord(alert_id, subscription, kind, origin, created_at, topic, orjson.loads(matched_on))
        for alert_id, subscription, kind, origin, created_at, topic, matched_on in db.execute(
            "SELECT alert_id, subscription, kind, origin, created_at, topic, matched_on FROM alerts"
            " WHERE incident_id = ? ORDER BY created_at, alert_id", (incident_id,))
    ]
    return IncidentRecord(orjson.loads(doc) | {"body": body}, version, first_archived_at, archived_at, revisions, alerts)


def as_of(record: IncidentRecord, version: int) -> dict[str, Any]:
    """The incident as it was at `version` (1 = as first archived), rebuilt from the latest and the revisions."""
    if not 1 <= version <= record.version:
        raise ValueError(f"version {version} out of range 1..{record.version}")
    document = record.incident
    for revision in reversed(record.revisions):
        if revision.version < version:
            break
        document = revert(document, revision.changes)
    return document


def stats(db: sqlite3.Connection, by: Sequence[str], filters: Filters, limit: int | None = None) -> list[StatRow]:
    """Counts per group of up to two dimensions (`DIMENSIONS`); `by=()` gives the one total row.

    Time groups come in time order; within them (or alone), categories by count, largest first;
    `limit` keeps the first groups only (the top ten organisations of 100,000 incidents)."""
    if len(by) > 2 or len(set(by)) != len(by) or any(name not in DIMENSIONS for name in by):
        raise ValueError(f"group by at most two of {', '.join(DIMENSIONS)}, each once; got {list(by)}")
    joins = [_DIMENSION[name][2] for name in by if _DIMENSION[name][2]]
    keys = [_DIMENSION[name][0] for name in by]
    labels = [_DIMENSION[name][1] for name in by]
    order = [f"k{n}" for n, name in enumerate(by) if name in ("year", "month")] + ["n DESC"]
    order += [f"k{n}" for n, name in enumerate(by) if name not in ("year", "month")]
    where, params = _where(db, filters)
    columns = "".join(f"{label} AS k{n}, " for n, label in enumerate(labels))
    group = f"GROUP BY {', '.join(keys)}" if keys else ""
    rows = db.execute(
        f"SELECT {columns}count(*) AS n, coalesce(sum(i.affected_count), 0), count(i.affected_count)"
        f" FROM incidents i {' '.join(joins)} {_clause(where)} {group} ORDER BY {', '.join(order)}"
        + (" LIMIT ?" if limit is not None else ""),
        [*params, limit] if limit is not None else params,
    ).fetchall()
    return [StatRow(tuple(row[: len(by)]), *row[len(by):]) for row in rows]


# name -> (group key, label shown, join)
_DIMENSION = {
    "year": ("substr(i.sort_date, 1, 4)", "substr(i.sort_date, 1, 4)", ""),
    "month": ("substr(i.sort_date, 1, 7)", "substr(i.sort_date, 1, 7)", ""),
    "sector": ("i.sector", "i.sector", ""),
    "type": ("t.type", "t.type", "LEFT JOIN incident_types t ON t.id = i.id"),
    "vendor": ("v.vendor_key", "min(v.vendor)", "LEFT JOIN incident_vendors v ON v.id = i.id"),
    "organization": ("i.org_key", "min(i.organization)", ""),
}

_SUMMARY = ("i.id, i.sort_date, i.incident_id, i.disclosed_on, i.organization, i.title, i.sector, i.affected_count,"
            " i.affected_unit, i.url, i.version, i.doc")


def _summary(row: tuple[Any, ...]) -> IncidentSummary:
    _, sort_date, incident_id, disclosed_on, organization, title, sector, count, unit, url, version, doc = row
    document = orjson.loads(doc)
    return IncidentSummary(incident_id, sort_date, disclosed_on, organization, title, sector,
                           tuple(document.get("incident_types") or ()), count, unit, tuple(document.get("vendors") or ()),
                           url, version)


def _cursor(text: str) -> tuple[str, int]:
    sort_date, sep, rowid = text.rpartition("~")
    if not sep or not rowid.isdigit():
        raise ValueError(f"not a page cursor: {text!r}")
    return sort_date, int(rowid)


def _clause(where: list[str]) -> str:
    return f"WHERE {' AND '.join(where)}" if where else ""


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _where(db: sqlite3.Connection, f: Filters) -> tuple[list[str], list[Any]]:
    """SQL conditions on `incidents i` and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    if f.sectors:
        sectors = codes("sectors", f.sectors)
        where.append(f"i.sector IN ({_marks(sectors)})")
        params += sectors
    if f.incident_types:
        types = codes("incident_types", f.incident_types)
        where.append(f"i.id IN (SELECT id FROM incident_types WHERE type IN ({_marks(types)}))")
        params += types
    if f.organizations:
        keys = _name_keys("organization", f.organizations)
        # A subquery, so the narrow index answers it rather than a scan of the wide rows.
        where.append("i.id IN (SELECT id FROM incidents WHERE " + " OR ".join("instr(org_key, ?) > 0" for _ in keys) + ")")
        params += keys
    if f.vendors:
        keys = _name_keys("vendor", f.vendors)
        where.append("i.id IN (SELECT id FROM incident_vendors WHERE " + " OR ".join("instr(vendor_key, ?) > 0" for _ in keys) + ")")
        params += keys
    if f.since is not None:
        where.append("i.sort_date >= ?")
        params.append(f.since.isoformat())
    if f.until is not None:
        where.append("i.sort_date <= ?")
        params.append(f.until.isoformat())
    if f.min_affected is not None:
        where.append("i.affected_count >= ?")
        params.append(f.min_affected)
    if search.terms(f.search):
        expression = search.match_expression(f.search, lambda term: _trigrams_starting(db, term))
        if expression is None:
            where.append("0")
        else:
            where.append("i.id IN (SELECT rowid FROM incident_search WHERE incident_search MATCH ?)")
            params.append(expression)
    return where, params


def _trigrams_starting(db: sqlite3.Connection, term: str) -> list[str]:
    """Indexed trigrams beginning with a one- or two-character term (a range read of the index's term list)."""
    return [row[0] for row in db.execute(
        "SELECT term FROM incident_search_terms WHERE term >= ? AND term < ?", (term, term + "\U0010ffff"))]


def codes(kind: str, values: Sequence[str]) -> list[str]:
    """Sector or type codes from codes or Japanese labels; ValueError names the choices."""
    table: dict[str, str] = taxonomies()[kind]
    by_label = {label: code for code, label in table.items()}
    found = []
    for value in values:
        code = value if value in table else by_label.get(value)
        if code is None:
            choices = ", ".join(f"{c} ({label})" for c, label in table.items())
            raise ValueError(f"unknown {kind.replace('_', ' ').rstrip('s')} {value!r}; expected one of: {choices}")
        found.append(code)
    return list(dict.fromkeys(found))


def _name_keys(kind: str, names: Sequence[str]) -> list[str]:
    keys = []
    for name in names:
        found = name_keys(name)
        if not found:
            raise ValueError(f"{kind} {name!r} is empty once legal forms and spaces are removed")
        keys += found
    return list(dict.fromkeys(keys))
