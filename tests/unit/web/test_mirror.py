"""The counting mirror counts what the archive counts: after new incidents, after revisions, under every filter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from services.archive.database import open_reader
from services.archive.query import Filters, count_incidents, stats
from services.archive.store import ArchiveStore
from services.web.mirror import CountingMirror
from services.web.overview import compute, compute_monthly, whole_months
from tests.web_support import demo_incidents

SELECTIONS = [
    Filters(),
    Filters(sectors=("healthcare", "manufacturing")),
    Filters(incident_types=("ransomware",), min_affected=100),
    Filters(organizations=("東京都", "相澤病院")),
    Filters(vendors=("acmailer",)),
    Filters(since=date(2023, 1, 1), until=date(2024, 12, 31)),
]
WHOLE_MONTHS = [Filters(), Filters(since=date(2023, 1, 1), until=date(2024, 12, 31)), Filters(since=date(2025, 3, 1)),
                Filters(until=date(2023, 3, 31))]
GROUPS = [(), ("month", "sector"), ("type",), ("vendor",), ("organization",), ("year", "type")]


def assert_same_counts(archive_path: Path, mirror: CountingMirror) -> None:
    db = open_reader(archive_path)
    try:
        for filters in SELECTIONS:
            for by in GROUPS:
                assert mirror.synced(db, lambda copy: stats(copy, by, filters)) == stats(db, by, filters), (filters, by)
            assert mirror.synced(db, lambda copy: count_incidents(copy, filters)) == count_incidents(db, filters)
            assert mirror.synced(db, lambda copy: compute(copy, filters)) == compute(db, filters)
        for filters in WHOLE_MONTHS:
            assert whole_months(filters)
            assert mirror.synced(db, lambda copy: compute_monthly(copy, filters)) == compute(db, filters), filters
    finally:
        db.close()


def test_only_whole_months_and_no_other_filter_go_to_the_tallies() -> None:
    assert not whole_months(Filters(since=date(2024, 1, 2)))
    assert not whole_months(Filters(until=date(2024, 2, 28)))
    assert whole_months(Filters(until=date(2024, 2, 29)))
    assert not whole_months(Filters(sectors=("finance",)))


def test_the_mirror_follows_new_and_revised_incidents(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    incidents = demo_incidents()
    incidents.append(incidents[3] | {"incident_id": "inc-without-organisation", "organization": None})
    mirror = CountingMirror()
    with ArchiveStore(path) as store:
        store.commit(incidents[:10])
        assert_same_counts(path, mirror)
        store.commit(incidents[10:])
        assert_same_counts(path, mirror)
        # An edited post: an incident changes sector, types, vendors, count and organisation in place.
        edited = incidents[0] | {"sector": "finance", "incident_types": ["ddos"], "vendors": ["acmailer"],
                                 "affected": {"count": 99999, "unit": "件", "text": None}, "organization": "株式会社改訂後"}
        assert store.commit([edited]).revised == 1
        assert_same_counts(path, mirror)
        # Edited again: the tallies it leaves (finance, ddos, acmailer) are emptied, not left at zero.
        assert store.commit([edited | {"sector": "education", "incident_types": [], "vendors": []}]).revised == 1
        assert_same_counts(path, mirror)
        for table in ("month_sector", "month_type", "month_vendor", "organization_total"):
            assert mirror.db.execute(f"SELECT count(*) FROM {table} WHERE n <= 0").fetchone()[0] == 0
        assert mirror.newest == len(incidents)
